from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=250)
    body = models.TextField()
    updated = models.DateTimeField(null=True)


class ArticleSearch(models.Model):
    """A model over an FTS5 virtual table (made by migration 0004, as Wagtail does)."""

    rowid = models.IntegerField(primary_key=True)
    title = models.TextField()
    body = models.TextField()

    class Meta:
        db_table = "blog_article_search"
