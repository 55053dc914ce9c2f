# Version 2: longer titles, optional scores, numeric codes, a slug and an index.
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Entry(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    body = models.TextField()
    score = models.IntegerField(null=True)
    code = models.IntegerField(default=0)
    slug = models.SlugField(default="")

    class Meta:
        unique_together = [("author", "title")]
        indexes = [models.Index(fields=["title"], name="entry_title_idx")]


class Comment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    text = models.TextField()
