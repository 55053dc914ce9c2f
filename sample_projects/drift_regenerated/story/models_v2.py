# Version 2 (today's models): a required sku, numeric codes, unique names, a real ForeignKey.
from django.db import models


class Supplier(models.Model):
    name = models.CharField(max_length=100)


class Item(models.Model):
    name = models.CharField(max_length=100, unique=True)
    code = models.IntegerField()
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT)
    sku = models.CharField(max_length=20)
