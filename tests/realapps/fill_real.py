"""Rows for a real app's tables, inserted with the ORM inside ``manage.py shell``.

Run as ``manage.py shell -c "import fill_real; fill_real.fill([...labels])"`` with this folder
on the path. Third-party models validate in ways no generic filler foresees, so each model is
tried in its own savepoint and skipped when Django refuses it: the tests count the rows that
were made and never assume a table has any. Prints ``{table: rows}`` as JSON.
"""

import json
import random

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from fill import value


def fill(labels, rows=3, seed=7):
    rng = random.Random(seed)
    user = get_user_model().objects.create(username="driftaudit-owner", email="owner@example.com")
    made = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in labels or not meta.managed or meta.proxy or meta.swapped:
            continue
        for k in range(rows):
            try:
                with transaction.atomic():
                    create(model, 100 + k, rng, user, depth=0)
                made[meta.db_table] = made.get(meta.db_table, 0) + 1
            except Exception as exc:  # noqa: BLE001 - a model the generic filler cannot satisfy
                made.setdefault(f"{meta.db_table} (skipped)", f"{type(exc).__name__}: {exc}"[:120])
                break
    print(json.dumps(made, sort_keys=True))


def create(model, i, rng, user, depth):
    if depth > 4:
        raise LookupError(f"keys too deep at {model._meta.label}")
    if model is get_user_model():
        return user
    values = {}
    for field in model._meta.concrete_fields:
        if field.auto_created or getattr(field, "generated", False) or isinstance(field, models.AutoField):
            continue
        if type(field).__name__ == "CompositePrimaryKey":
            continue
        if field.is_relation:
            target = field.related_model
            taken = set(model._base_manager.values_list(field.attname, flat=True)) if field.unique else set()
            choices = [pk for pk in target._base_manager.values_list("pk", flat=True) if pk not in taken]
            if target is get_user_model() and user.pk not in taken:
                values[field.attname] = user.pk
            elif choices:
                values[field.attname] = rng.choice(sorted(choices, key=str))
            elif field.null:
                values[field.attname] = None
            else:
                values[field.attname] = create(target, i + 1000, rng, user, depth + 1).pk
        elif field.choices:
            values[field.attname] = field.choices[i % len(field.choices)][0]
        elif field.has_default() or field.null:
            continue
        else:
            values[field.attname] = value(field, i)
    return model._base_manager.create(**values)
