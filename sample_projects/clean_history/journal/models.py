# Version 4 (today's models): UniqueConstraint instead of unique_together, a CHECK, tags,
# an index that covers score, no more code column.
import django
from django.db import models
from django.db.models import Q

CHECK_ARG = "condition" if django.VERSION >= (5, 1) else "check"


class Author(models.Model):
    name = models.CharField(max_length=100)


class Tag(models.Model):
    label = models.CharField(max_length=30, unique=True)


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.PROTECT)
    title = models.CharField(max_length=200)
    text = models.TextField()
    score = models.PositiveIntegerField(null=True)
    slug = models.SlugField(default="")
    tags = models.ManyToManyField(Tag, blank=True)

    class Meta:
        indexes = [models.Index(fields=["title", "-score"], name="post_title_score_idx")]
        constraints = [
            models.UniqueConstraint(fields=["author", "title"], name="one_title_per_author"),
            models.CheckConstraint(**{CHECK_ARG: Q(score__lte=100)}, name="score_at_most_100"),
        ]


class Comment(models.Model):
    entry = models.ForeignKey(Post, on_delete=models.CASCADE)
    text = models.TextField()
