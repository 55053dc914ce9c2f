# As Wagtail does: a managed model whose table is an FTS5 virtual table. The state gets a
# CreateModel; the database gets the migration's own CREATE VIRTUAL TABLE.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_longer_title")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ArticleSearch",
                    fields=[
                        ("rowid", models.IntegerField(primary_key=True, serialize=False)),
                        ("title", models.TextField()),
                        ("body", models.TextField()),
                    ],
                    options={"db_table": "blog_article_search"},
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'CREATE VIRTUAL TABLE "blog_article_search" USING fts5(title, body)',
                    reverse_sql='DROP TABLE "blog_article_search"',
                ),
            ],
        ),
    ]
