# Version 1: what the migrations and the database have.
from django.db import models


class Shelf(models.Model):
    label = models.CharField(max_length=20)


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, null=True)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    notes = models.TextField(blank=True)
