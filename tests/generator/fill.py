"""Rows for a generated project, inserted with the ORM inside ``manage.py shell``.

Copied into the project as ``genfill.py``. Every value comes from the row number, so unique
fields and constraints hold; keys point at rows that exist; the seed picks which.
"""

import random
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.apps import apps
from django.db import models


def value(field, i):
    kind = type(field).__name__
    table = {
        "CharField": lambda: f"v{i}"[: field.max_length or 40], "TextField": lambda: f"text {i}",
        "SlugField": lambda: f"s-{i}", "EmailField": lambda: f"u{i}@example.com",
        "URLField": lambda: f"https://example.com/{i}", "IntegerField": lambda: i,
        "BigIntegerField": lambda: i * 1000003, "SmallIntegerField": lambda: i,
        "PositiveIntegerField": lambda: i, "PositiveSmallIntegerField": lambda: i,
        "PositiveBigIntegerField": lambda: i, "BooleanField": lambda: i % 2 == 0,
        "FloatField": lambda: i * 1.5, "DecimalField": lambda: Decimal(i) / 4,
        "DateField": lambda: date(2020, 1, 1) + timedelta(days=i),
        "DateTimeField": lambda: datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i),
        "TimeField": lambda: time(i % 24, 30), "DurationField": lambda: timedelta(minutes=i),
        "UUIDField": lambda: uuid.UUID(int=i + 1), "JSONField": lambda: {"n": i},
        "BinaryField": lambda: bytes([i % 256]), "GenericIPAddressField": lambda: f"10.0.{i // 250}.{i % 250 + 1}",
        "FileField": lambda: f"files/{i}.txt",
    }
    # a subclass (a third-party field) stores what its internal type stores
    return (table.get(kind) or table[field.get_internal_type()])()


def fill(seed, rows):
    rng = random.Random(seed)
    project = [m for m in apps.get_models() if m._meta.app_label.startswith("app")]
    for n, model in enumerate(project):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        start = model.objects.count()
        for k in range(rows):
            create(model, (n + 1) * 1000 + start + k, rng)


def create(model, i, rng):
    """One row of ``model`` from the number ``i``; a unique key whose targets are all taken gets
    a new target row first (an MTI child's rows use up its parent's one-to-one targets too)."""
    meta = model._meta
    values = {}
    for field in meta.concrete_fields:
        if field.primary_key and field.auto_created or getattr(field, "generated", False):
            continue
        if type(field).__name__ == "CompositePrimaryKey":
            continue
        if field.primary_key and isinstance(field, (models.AutoField, models.BigAutoField)):
            continue
        if isinstance(field, models.OneToOneField) and field.remote_field.parent_link:
            continue
        if field.is_relation:
            target = field.related_model
            holder = field.model._base_manager  # the table holding it (an MTI parent's too)
            taken = set(holder.values_list(field.attname, flat=True)) if field.unique else set()
            choices = [pk for pk in target.objects.values_list("pk", flat=True) if pk not in taken]
            if target is model and not choices:
                values[field.attname] = None
            elif choices:
                values[field.attname] = rng.choice(sorted(choices, key=str))
            elif field.null:
                values[field.attname] = None
            elif target._meta.managed and target._meta.app_label.startswith("app"):
                values[field.attname] = create(target, i + 500_000, rng).pk
            else:
                raise SystemExit(f"no {target._meta.label} row for {meta.label}.{field.name}")
            continue
        values[field.attname] = value(field, i)
    obj = model.objects.create(**values)
    for field in meta.local_many_to_many:
        if not field.remote_field.through._meta.auto_created:
            continue
        pks = sorted(field.related_model.objects.values_list("pk", flat=True), key=str)
        if pks:
            getattr(obj, field.name).add(*rng.sample(pks, min(2, len(pks))))
    return obj
