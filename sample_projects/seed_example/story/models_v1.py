# Version 1: ExampleOne has a many-to-many to ExampleTwo, and ExampleTwo a key to ExampleOne.
from django.db import models


class ExampleOne(models.Model):
    name = models.CharField(max_length=100)
    exampletwos = models.ManyToManyField("ExampleTwo", blank=True)


class ExampleTwo(models.Model):
    name = models.CharField(max_length=100)
    example_one = models.ForeignKey(ExampleOne, null=True, on_delete=models.CASCADE)
