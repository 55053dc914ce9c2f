#!/usr/bin/env python
"""Adopt mode: drift made by hand in production that the team decides to keep.

The shop's orders table is busy. In production a DBA adds an index on placed_at in the sqlite3
shell, because the daily report scans it, and widens the note column from varchar(100) to
varchar(200) (SQLite cannot ALTER a column: they rebuild the table, the way Django does),
because customers write longer notes. Models and migrations still say neither. The team keeps
both: `driftaudit adopt shop_order.placed_at shop_order.note` writes the index and the new
max_length into shop/models.py and a state-only migration; `python manage.py migrate` records
it without running SQL, and the report is clean with every row and all DDL as they were.
"""

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("shop")

story.step("""The shop has Order: number (unique), customer, note (max_length=100), placed_at.""")
story.use_models("shop", "models.py")
story.manage("makemigrations", "shop")
story.manage("migrate")
story.shell("""
    from datetime import datetime, timedelta, timezone
    from shop.models import Order
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    Order.objects.bulk_create(
        Order(number=f"A-{n:05d}", customer=f"customer {n % 37}", note="leave at the door" if n % 5 else "",
              placed_at=start + timedelta(hours=n))
        for n in range(1, 501)
    )
""")

story.step("""Production: the daily report scans orders by placed_at, so a DBA adds an index in the
              sqlite3 shell on the busy table.""")
story.sqlite("""CREATE INDEX "shop_order_placed_idx" ON "shop_order" ("placed_at");""")

story.step("""Customers write longer notes: the DBA widens note from varchar(100) to varchar(200).
              SQLite cannot ALTER a column, so they rebuild the table with the same DDL but the
              wider note, copy the rows, and recreate the indexes.""")
db = sqlite3.connect(story.root / "db.sqlite3")
ddl = db.execute("SELECT sql FROM sqlite_master WHERE name = 'shop_order'").fetchone()[0]
indexes = [sql for (sql,) in db.execute(
    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'shop_order' AND sql IS NOT NULL")]
db.close()
assert '"note" varchar(100)' in ddl, ddl
story.sqlite(f"""
    PRAGMA foreign_keys = OFF;
    BEGIN;
    {ddl.replace('"shop_order"', '"new_shop_order"', 1).replace('"note" varchar(100)', '"note" varchar(200)')};
    INSERT INTO "new_shop_order" SELECT * FROM "shop_order";
    DROP TABLE "shop_order";
    ALTER TABLE "new_shop_order" RENAME TO "shop_order";
    {";".join(indexes)};
    COMMIT;
""")
story.shell("""
    from shop.models import Order
    Order.objects.filter(number="A-00001").update(note="please ring twice; " * 8)
    print("note length kept:", len(Order.objects.get(number="A-00001").note))
""")
story.done()
