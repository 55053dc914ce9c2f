import django
from django.db import models

# CheckConstraint(check=...) became condition= in Django 5.1
CONDITION = "condition" if django.VERSION >= (5, 1) else "check"


class Product(models.Model):
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=20, null=True)
    stock = models.IntegerField(default=0)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    # every product ships now: the weight is required, and no default weight makes sense
    weight = models.IntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(**{CONDITION: models.Q(stock__gte=0)}, name="product_stock_not_negative"),
            models.CheckConstraint(**{CONDITION: models.Q(price__gt=0)}, name="product_price_positive"),
        ]
