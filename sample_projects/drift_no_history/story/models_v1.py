# Version 1: the app has no migrations; its tables are made by `migrate --run-syncdb`.
from django.db import models


class Depot(models.Model):
    city = models.CharField(max_length=50)


class Crate(models.Model):
    depot = models.ForeignKey(Depot, on_delete=models.CASCADE)
    weight = models.FloatField()
