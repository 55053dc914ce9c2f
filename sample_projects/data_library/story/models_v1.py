# Version 1: authors and books, loans that must never vanish with a book, members, and shelves
# whose featured section and sections reference each other (a cycle).
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="edited_books")


class Loan(models.Model):
    # DO_NOTHING: Django's deletion collector skips this key; the database still enforces it.
    book = models.ForeignKey(Book, on_delete=models.DO_NOTHING)
    borrower = models.CharField(max_length=100)


class Member(models.Model):
    email = models.CharField(max_length=100)


class Shelf(models.Model):
    name = models.CharField(max_length=100)
    featured = models.ForeignKey("Section", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")


class Section(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
