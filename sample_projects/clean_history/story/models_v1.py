# Version 1: authors write entries; comments hang on entries.
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Entry(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    body = models.TextField()
    score = models.IntegerField()
    code = models.CharField(max_length=10, default="0")

    class Meta:
        unique_together = [("author", "title")]


class Comment(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE)
    text = models.TextField()
