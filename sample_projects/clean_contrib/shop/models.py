"""A shop using most field types and schema options Django renders on SQLite.

A clean, freshly migrated database of this app must produce no finding at all.
"""

import uuid

import django
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

HAS_DB_DEFAULT = django.VERSION >= (5, 0)


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        verbose_name_plural = "categories"


class Supplier(models.Model):
    code = models.CharField(primary_key=True, max_length=12)
    name = models.CharField(max_length=120, db_index=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    ip = models.GenericIPAddressField(null=True)


class Tag(models.Model):
    label = models.CharField(max_length=40)


class Product(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    weight = models.FloatField(null=True)
    stock = models.PositiveIntegerField(default=0)
    rank = models.PositiveSmallIntegerField(default=1)
    views = models.BigIntegerField(default=0)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    release = models.DateField(null=True)
    cutoff = models.TimeField(null=True)
    lifetime = models.DurationField(null=True)
    payload = models.JSONField(default=dict)
    blob = models.BinaryField(null=True)
    manual = models.FileField(upload_to="manuals/", blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    supplier = models.ForeignKey(Supplier, null=True, on_delete=models.SET_NULL, to_field="code")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True)
    legacy_ref = models.IntegerField(null=True, db_column="LegacyRef")

    class Meta:
        unique_together = [("category", "name")]
        indexes = [
            models.Index(fields=["name", "-created"], name="product_name_created"),
            models.Index(fields=["price"], name="product_cheap", condition=Q(price__lt=10)),
            models.Index(Lower("name"), name="product_lower_name"),
        ]
        constraints = [
            models.CheckConstraint(**{"condition" if django.VERSION >= (5, 1) else "check": Q(price__gte=0)},
                                   name="price_not_negative"),
            models.UniqueConstraint(fields=["supplier", "name"], condition=Q(active=True),
                                    name="one_active_name_per_supplier"),
        ]


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    favourite = models.ForeignKey(Product, null=True, on_delete=models.DO_NOTHING, db_constraint=False)
    if HAS_DB_DEFAULT:
        level = models.IntegerField(db_default=1)


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    products = models.ManyToManyField(Product, through="OrderLine")
    placed = models.DateTimeField()


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "product"], name="one_line_per_product")]


class Unmanaged(models.Model):
    name = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = "legacy_unmanaged"


class ProductProxy(Product):
    class Meta:
        proxy = True
