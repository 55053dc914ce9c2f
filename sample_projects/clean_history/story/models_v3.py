# Version 3: Entry is now Post and body is text (renamed by a hand-written migration).
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)
    text = models.TextField()
    score = models.IntegerField(null=True)
    code = models.IntegerField(default=0)
    slug = models.SlugField(default="")

    class Meta:
        unique_together = [("author", "title")]
        indexes = [models.Index(fields=["title"], name="entry_title_idx")]


class Comment(models.Model):
    entry = models.ForeignKey(Post, on_delete=models.CASCADE)
    text = models.TextField()
