#!/usr/bin/env python
"""A clean project using Django 6.1's database-level on_delete (DB_CASCADE, DB_SET_NULL,
DB_SET_DEFAULT), which Django writes into the DDL as ON DELETE CASCADE / SET NULL / SET DEFAULT.

The models start with the Python-level rules; the developer then switches them to the database
rules and migrates (AlterField: every table rebuilt with its ON DELETE clause). Before Django 6.1
the second models file keeps the Python-level rules, so the project is clean on every version;
driftaudit must report nothing.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("orders")

story.step("Customers, warehouses, statuses, orders and lines, with Python-level on_delete rules.")
story.use_models("orders", "models_v1.py")
story.manage("makemigrations", "orders")
story.manage("migrate")
story.shell("""
    from orders.models import Customer, Line, Order, Status, Warehouse
    Status.objects.create(label="new")
    order = Order.objects.create(customer=Customer.objects.create(name="Ann"),
                                 warehouse=Warehouse.objects.create(name="North"))
    Line.objects.create(order=order, status=Status.objects.create(label="shipped"), quantity=2)
""")

story.step("""The rules move into the database (Django 6.1: DB_CASCADE, DB_SET_NULL, DB_SET_DEFAULT
              with db_default) and orders get a note; makemigrations and migrate.""")
story.use_models("orders", "models_v2.py")
story.manage("makemigrations", "orders")
story.manage("migrate")
story.done()
