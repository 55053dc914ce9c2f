# Version 2 of library: Book gets an isbn.
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, default="")
