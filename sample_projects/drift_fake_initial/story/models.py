# The models written for the existing database - but not quite matching it.
from django.db import models


class Part(models.Model):
    name = models.CharField(max_length=100)
    quantity = models.IntegerField(default=0)
    sku = models.CharField(max_length=20, null=True)


class Bin(models.Model):
    label = models.CharField(max_length=10)
