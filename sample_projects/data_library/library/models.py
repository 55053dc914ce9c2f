# Version 2 (today's models): member e-mails are unique; Book.editor is a plain id column.
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    # was a ForeignKey to Author; now a loose id the code looks up itself (same column)
    editor_id = models.BigIntegerField(null=True, blank=True)


class Loan(models.Model):
    # DO_NOTHING: Django's deletion collector skips this key; the database still enforces it.
    book = models.ForeignKey(Book, on_delete=models.DO_NOTHING)
    borrower = models.CharField(max_length=100)


class Member(models.Model):
    email = models.CharField(max_length=100, unique=True)


class Shelf(models.Model):
    name = models.CharField(max_length=100)
    featured = models.ForeignKey("Section", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")


class Section(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
