"""Generate a small Django project with a large database: the data-scan and rebuild benchmark.

One app, ``shop``: ``Customer`` (500k rows at scale 1) and ``Order`` (5M rows) with a
ForeignKey to it, created by the real ``makemigrations`` + ``migrate``. Orders reference customers
created around the same time (each customer ~10 orders, scattered over ~100 neighbours): with
fully random references the key check is bound by SQLite's 2 MB page cache re-reading the parent
index (measured once: bare ``foreign_key_check`` 32.0 s, driftaudit's scan 28.6 s, see RESULTS.md).
The rows are made by
SQLite itself (``INSERT ... SELECT`` from a recursive CTE), so 5M rows take seconds, not the
minutes the ORM would need. Then ``ORPHANED_CUSTOMERS`` customers are deleted with foreign keys
off, as a bulk cleanup in the sqlite3 shell would do: their orders become orphans, spread over
the whole table. An empty twin database (same schema, no rows) is the baseline for memory.

    python benchmarks/bigdb.py DIR [--scale N]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CUSTOMERS = 500_000
ORDERS = 5_000_000
ORPHANED_CUSTOMERS = 25

MODELS = """from django.db import models


class Customer(models.Model):
    name = models.CharField(max_length=80)
    email = models.CharField(max_length=120)
    created = models.DateTimeField()


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    number = models.CharField(max_length=20)
    amount = models.IntegerField()
    status = models.CharField(max_length=12)
    created = models.DateTimeField()
"""


def _project(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "bigproject").mkdir(parents=True)
    (root / "shop" / "migrations").mkdir(parents=True)
    for init in ("bigproject/__init__.py", "shop/__init__.py", "shop/migrations/__init__.py"):
        (root / init).write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "bigproject" / "settings.py").write_text(
        "from pathlib import Path\n\n"
        "BASE_DIR = Path(__file__).resolve().parent.parent\n"
        'SECRET_KEY = "benchmark-not-secret"\n'
        'INSTALLED_APPS = ["shop"]\n'
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n'
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
        "USE_TZ = True\n"
    )
    (root / "manage.py").write_text(
        "import os\nimport sys\n\n"
        'if __name__ == "__main__":\n'
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bigproject.settings")\n'
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    )


def _fill(path: Path, customers: int, orders: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        PRAGMA cache_size = -200000;
        BEGIN;
        INSERT INTO shop_customer (id, name, email, created)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {customers})
        SELECT i, 'customer ' || i, 'c' || i || '@example.com',
               datetime(1700000000 + i * 60, 'unixepoch') FROM n;
        INSERT INTO shop_order (id, customer_id, number, amount, status, created)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {orders})
        SELECT i, ((i - 1) / 10 + (i * 7919) % 97) % {customers} + 1, 'ORD-' || i, (i * 31) % 10000,
               CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' WHEN 2 THEN 'shipped' ELSE 'done' END,
               datetime(1700000000 + i * 6, 'unixepoch') FROM n;
        DELETE FROM shop_customer WHERE id % {customers // ORPHANED_CUSTOMERS} = 7;
        COMMIT;
    """)
    conn.close()


def generate(root: Path, scale: float = 1, python: str = sys.executable) -> dict:
    """``scale`` multiplies the row counts; a fraction (0.01) makes a tiny database for smoke runs."""
    start = time.monotonic()
    customers, orders = int(CUSTOMERS * scale), int(ORDERS * scale)
    _project(root)
    manage = lambda *args: subprocess.run([python, "manage.py", *args], cwd=root, check=True,
                                          stdout=subprocess.DEVNULL)
    manage("makemigrations", "shop", "-v", "0")
    manage("migrate", "-v", "0")
    shutil.copyfile(root / "db.sqlite3", root / "empty.sqlite3")
    _fill(root / "db.sqlite3", customers, orders)
    conn = sqlite3.connect(root / "db.sqlite3")
    orphans = conn.execute("SELECT count(*) FROM pragma_foreign_key_check('shop_order')").fetchone()[0]
    conn.close()
    return {"customers": customers, "orders": orders, "orphans": orphans,
            "mb": round((root / "db.sqlite3").stat().st_size / 1e6), "s": round(time.monotonic() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--scale", type=float, default=1)
    args = parser.parse_args()
    print(generate(Path(args.dir).resolve(), args.scale))


if __name__ == "__main__":
    main()
