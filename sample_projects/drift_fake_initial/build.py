#!/usr/bin/env python
"""Drift class 13: `migrate --fake-initial` over tables of a different shape.

An inventory database existed before the Django project (made by another program). The
developer writes models for it, runs makemigrations and `migrate --fake-initial`: Django
only checks that the tables of 0001_initial exist - never their columns - and records it
as applied. inventory_part has a nullable, text-typed quantity, no sku and an extra column.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("inventory")

story.step("""Another program made the inventory database: inventory_part (with a text
              quantity, nullable name and a `legacy_code` column) and inventory_bin.""")
story.sqlite("""
    CREATE TABLE "inventory_part" (
        "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
        "name" varchar(100) NULL,
        "quantity" text NOT NULL,
        "legacy_code" varchar(8) NULL
    );
    CREATE TABLE "inventory_bin" (
        "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
        "label" varchar(10) NOT NULL
    );
    INSERT INTO "inventory_part" ("name", "quantity", "legacy_code") VALUES ('bolt', '12', 'B-1');
""")

story.step("""The developer writes models for it, runs makemigrations, and `migrate
              --fake-initial` because the tables already exist: Django sees both tables and
              records inventory.0001_initial as applied without looking at their columns.""")
story.use_models("inventory", "models.py")
story.manage("makemigrations", "inventory")
story.manage("migrate", "--fake-initial")

story.step("""The symptom: reading parts fails with "no such column: inventory_part.sku".""")
story.shell("""
    from django.db.utils import OperationalError
    from inventory.models import Part
    try:
        list(Part.objects.all())
    except OperationalError as exc:
        print(f"Part.objects.all(): OperationalError: {exc}")
""")
story.done()
