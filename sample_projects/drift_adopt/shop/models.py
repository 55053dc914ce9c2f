# The shop's orders: a busy table, queried by when they were placed.
from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    customer = models.CharField(max_length=100)
    note = models.CharField(max_length=100, blank=True)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self):
        return self.number
