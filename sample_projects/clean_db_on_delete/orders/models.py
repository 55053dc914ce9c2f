from django.db import models

# Django 6.1's database-level rules write ON DELETE ... into the table's DDL. Before 6.1 they do
# not exist: the sample keeps the Python-level rules there, so it builds (and is clean) on every
# supported Django, and only 6.1 exercises the DDL.
if hasattr(models, "DB_CASCADE"):
    CASCADE, SET_NULL = models.DB_CASCADE, models.DB_SET_NULL
    SET_DEFAULT = {"on_delete": models.DB_SET_DEFAULT, "db_default": 1}
else:
    CASCADE, SET_NULL = models.CASCADE, models.SET_NULL
    SET_DEFAULT = {"on_delete": models.SET_DEFAULT, "default": 1}


class Customer(models.Model):
    name = models.CharField(max_length=50)


class Warehouse(models.Model):
    name = models.CharField(max_length=50)


class Status(models.Model):
    label = models.CharField(max_length=20)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=CASCADE)
    warehouse = models.ForeignKey(Warehouse, null=True, on_delete=SET_NULL)
    note = models.CharField(max_length=100, blank=True, default="")


class Line(models.Model):
    order = models.ForeignKey(Order, on_delete=CASCADE)
    status = models.ForeignKey(Status, **SET_DEFAULT)
    quantity = models.PositiveIntegerField()
