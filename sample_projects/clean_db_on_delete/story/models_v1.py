from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=50)


class Warehouse(models.Model):
    name = models.CharField(max_length=50)


class Status(models.Model):
    label = models.CharField(max_length=20)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    warehouse = models.ForeignKey(Warehouse, null=True, on_delete=models.SET_NULL)


class Line(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    status = models.ForeignKey(Status, default=1, on_delete=models.SET_DEFAULT)
    quantity = models.PositiveIntegerField()
