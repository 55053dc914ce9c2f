# Written by hand - what makemigrations writes after answering "yes" to its rename questions.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_tune_entries")]

    operations = [
        migrations.RenameField(model_name="entry", old_name="body", new_name="text"),
        migrations.RenameModel(old_name="Entry", new_name="Post"),
    ]
