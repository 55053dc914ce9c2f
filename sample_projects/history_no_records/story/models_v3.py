from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=200)
    pinned = models.BooleanField(default=False)
    tags = models.ManyToManyField("Tag", blank=True)


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
