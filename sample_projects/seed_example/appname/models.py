# Version 2 (today's models): the many-to-many was removed; the ForeignKey is enough.
from django.db import models


class ExampleOne(models.Model):
    name = models.CharField(max_length=100)


class ExampleTwo(models.Model):
    name = models.CharField(max_length=100)
    example_one = models.ForeignKey(ExampleOne, null=True, on_delete=models.CASCADE)
