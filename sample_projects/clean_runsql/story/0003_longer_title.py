# A later AlterField rebuilds blog_article. SQLite refuses to rename the rebuilt table while a
# view still names it, and the rebuild drops the table's trigger, so the migration drops the
# view first and recreates both afterwards - as careful projects do.
from django.db import migrations, models

TRIGGER = '''CREATE TRIGGER "blog_article_ai" AFTER INSERT ON "blog_article" BEGIN
               INSERT INTO "blog_article_fts"(rowid, title, body) VALUES (new.id, new.title, new.body);
             END'''
VIEW = 'CREATE VIEW "blog_recent" AS SELECT "id", "title" FROM "blog_article" WHERE "updated" IS NOT NULL'


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_search")]

    operations = [
        migrations.RunSQL('DROP VIEW "blog_recent"', reverse_sql=VIEW),
        migrations.AlterField("article", "title", models.CharField(max_length=250)),
        migrations.RunSQL(['DROP TRIGGER IF EXISTS "blog_article_ai"', TRIGGER, VIEW],
                          reverse_sql=migrations.RunSQL.noop),
    ]
