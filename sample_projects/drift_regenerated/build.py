#!/usr/bin/env python
"""Drift class 2: migrations deleted, regenerated and faked; the database never saw the changes.

The user changed four things at once (a new NOT NULL column, CharField -> IntegerField,
unique=True, an integer column turned into a ForeignKey), then "cleaned up" by deleting the
migrations and regenerating 0001_initial. Its name was already recorded, so `migrate` did
nothing: models and migration files agree, the database is the old one (M=H≠D).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("store")

story.step("""The project starts with Supplier and Item: Item.code is a CharField and
              Item.supplier_id a plain indexed BigIntegerField.""")
story.use_models("store", "models_v1.py")
story.manage("makemigrations", "store")
story.manage("migrate")
story.shell("""
    from store.models import Item, Supplier
    acme = Supplier.objects.create(name="Acme")
    Item.objects.create(name="bolt", code="007", supplier_id=acme.pk)
""")

story.step("""The user adds a required `sku`, makes `code` an IntegerField, `name` unique and
              `supplier` a real ForeignKey. makemigrations asks awkward questions about defaults,
              so they delete the migrations folder and regenerate 0001_initial instead.
              `migrate` answers "No migrations to apply": store.0001_initial is recorded.""")
story.use_models("store", "models_v2.py")
story.delete_migrations("store")
story.manage("makemigrations", "store")
story.manage("migrate")

story.step("""The symptoms: listing items fails with "no such column: store_item.sku", and codes
              are still stored as text ('007'), where the model expects integers.""")
story.shell("""
    from django.db import connection
    from django.db.utils import OperationalError
    from store.models import Item
    try:
        list(Item.objects.all())
    except OperationalError as exc:
        print(f"Item.objects.all(): OperationalError: {exc}")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO store_item (name, code, supplier_id) VALUES ('nut', '008', 1)")
        cursor.execute("SELECT code, typeof(code) FROM store_item")
        print("codes as stored:", cursor.fetchall())
""")
story.done()
