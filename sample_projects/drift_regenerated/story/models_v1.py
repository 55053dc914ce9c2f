# Version 1: items with a free-text code and a plain number pointing at their supplier.
from django.db import models


class Supplier(models.Model):
    name = models.CharField(max_length=100)


class Item(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10)
    supplier_id = models.BigIntegerField(db_index=True)
