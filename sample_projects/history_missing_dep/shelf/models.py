from django.db import models


class Shelf(models.Model):
    label = models.CharField(max_length=50)
    book = models.ForeignKey("library.Book", null=True, on_delete=models.SET_NULL)
