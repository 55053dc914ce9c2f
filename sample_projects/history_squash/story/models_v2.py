# Version 2: ExampleTwo gets a rank (an integer, 0 for existing rows).
from django.db import models


class ExampleOne(models.Model):
    name = models.CharField(max_length=100)


class ExampleTwo(models.Model):
    name = models.CharField(max_length=100)
    example_one = models.ForeignKey(ExampleOne, null=True, on_delete=models.CASCADE)
    rank = models.IntegerField(default=0)
