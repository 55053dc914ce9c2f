#!/usr/bin/env python
"""A clean project: every contrib app with models plus a shop app using most field options.

Nothing drifts here: the database is made by a plain makemigrations + migrate, and the one
unmanaged table is created by hand as its model says. driftaudit must report no finding.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("shop")
story.step("The developer writes the models, makes the migrations and migrates.")
story.manage("makemigrations", "shop")
story.manage("migrate")
story.step("The unmanaged model's table is made by hand (that is what managed = False means).")
story.shell("""
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE "legacy_unmanaged" ("id" integer NOT NULL PRIMARY KEY, "name" varchar(10) NOT NULL)')
""")
story.step("Some data goes in through the ORM.")
story.shell("""
    from decimal import Decimal
    from django.contrib.auth.models import User
    from shop.models import Category, Product, Tag
    user = User.objects.create_user("ann")
    cat = Category.objects.create(name="Tools", slug="tools")
    product = Product.objects.create(name="Hammer", price=Decimal("9.50"), category=cat, owner=user)
    product.tags.add(Tag.objects.create(label="steel"))
""")
story.done()
