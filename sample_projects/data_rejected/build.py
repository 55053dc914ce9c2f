#!/usr/bin/env python
"""Rows the new schema rejects: NULLs under a new NOT NULL, rows that fail a new CHECK.

A small shop, told as it happened:
- Version 1: Product with a nullable weight, a stock and a price, and no constraints.
- Rows pile up the way real ones do: two products never got a weight, one was oversold to a
  stock of -2, one free sample has price 0.
- Version 2 makes weight required (no default: no weight fits every product) and adds two
  CheckConstraints (stock >= 0, price > 0). `migrate` fails on the rows ("NOT NULL constraint
  failed"), and the user applies the migration with --fake to get the deploy out.
The database now lacks the NOT NULL and both CHECKs; the models and the history have them.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("shop")

story.step("Version 1 of the models: Product(name, sku, stock, price, weight NULL).")
story.use_models("shop", "models_v1.py")
story.manage("makemigrations", "shop")
story.manage("migrate")

story.step("""Data: products 1-6; products 2 and 5 have no weight, product 3 was oversold to a
              stock of -2, product 4 is a free sample at price 0.""")
story.shell("""
    from decimal import Decimal
    from shop.models import Product
    for n, (stock, price, weight) in enumerate([(5, "9.50", 300), (1, "12.00", None), (-2, "4.20", 80),
                                                (10, "0", 15), (0, "7.00", None), (3, "1.99", 40)], 1):
        Product.objects.create(name=f"Product {n}", sku=f"SKU-{n}", stock=stock, price=Decimal(price),
                               weight=weight)
""")

story.step("""Version 2: weight becomes required (no default) and stock >= 0, price > 0 become
              CheckConstraints. makemigrations (non-interactive) warns that existing NULLs must be
              handled by hand; `migrate` fails on them and rolls back, so the user applies the
              migration with --fake.""")
story.use_models("shop", "models_v2.py")
story.manage("makemigrations", "shop", "--noinput")
failed = story.manage("migrate", check=False)
if failed.returncode == 0:
    sys.exit("build failed: migrate was expected to fail on the rows the new schema rejects")
story.manage("migrate", "shop", "--fake")
story.done()
