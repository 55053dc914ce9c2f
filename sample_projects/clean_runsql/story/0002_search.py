# Hand-written: full-text search, a trigger keeping it in sync, and a view. None of this is
# in the models; it belongs to the history, and an auditor must not call it drift.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=[
                'CREATE VIRTUAL TABLE "blog_article_fts" USING fts5(title, body, content="blog_article", content_rowid="id")',
                '''CREATE TRIGGER "blog_article_ai" AFTER INSERT ON "blog_article" BEGIN
                     INSERT INTO "blog_article_fts"(rowid, title, body) VALUES (new.id, new.title, new.body);
                   END''',
                'CREATE VIEW "blog_recent" AS SELECT "id", "title" FROM "blog_article" WHERE "updated" IS NOT NULL',
            ],
            reverse_sql=[
                'DROP VIEW "blog_recent"',
                'DROP TRIGGER "blog_article_ai"',
                'DROP TABLE "blog_article_fts"',
            ],
        ),
    ]
