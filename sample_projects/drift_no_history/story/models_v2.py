# Version 2 (today's models): crates got a barcode; still no migrations.
from django.db import models


class Depot(models.Model):
    city = models.CharField(max_length=50)


class Crate(models.Model):
    depot = models.ForeignKey(Depot, on_delete=models.CASCADE)
    weight = models.FloatField()
    barcode = models.CharField(max_length=30, unique=True, null=True)
