# Version 2 (today's models): edited, but makemigrations was never run.
from django.db import models


class Rack(models.Model):  # was Shelf
    label = models.CharField(max_length=20)


class Book(models.Model):
    name = models.CharField(max_length=200)  # was title
    isbn = models.CharField(max_length=13)  # now required
    shelf = models.ForeignKey(Rack, on_delete=models.CASCADE)
    pages = models.PositiveIntegerField(default=0)  # new
    # notes removed
