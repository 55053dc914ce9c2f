"""The rebuild row: the statements of the migration ``driftaudit propose`` writes for a faked
``max_length`` change on the 5M-row ``shop_order``, applied the way ``migrate`` applies them,
against the bare create / INSERT...SELECT / drop / rename / index of the same change."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import bigdb
from fixtures import source_token, stamp_ok
from measure import ENV, PY, WORK, Case, alternate

# The change rebuilt: Order.number CharField(max_length=20) -> 40, through a new table.
NEW_TABLE = ('CREATE TABLE "new__shop_order" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
             '"number" varchar(40) NOT NULL, "amount" integer NOT NULL, "status" varchar(12) NOT NULL, '
             '"created" datetime NOT NULL, "customer_id" bigint NOT NULL REFERENCES "shop_customer" ("id") '
             'DEFERRABLE INITIALLY DEFERRED)')
COPY = ('INSERT INTO "new__shop_order" ("id", "number", "amount", "status", "created", "customer_id") '
        'SELECT "id", "number", "amount", "status", "created", "customer_id" FROM "shop_order"')
SWAP = ['DROP TABLE "shop_order"', 'ALTER TABLE "new__shop_order" RENAME TO "shop_order"',
        'CREATE INDEX "shop_order_customer_id_a1b2c3d4" ON "shop_order" ("customer_id")']
BARE = ["BEGIN", NEW_TABLE, COPY, *SWAP, "COMMIT"]

APPLY = ("import sqlite3, sys, json; c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "for s in json.loads(sys.argv[2]): c.execute(s).fetchall()\n")


def as_migrate_applies(statements: list[str], key_check: bool = True) -> list[str]:
    """The statements of a migration the way ``migrate`` runs them on SQLite: Django's schema
    editor turns key enforcement off outside the transaction, and its ``check_constraints()``
    runs ``PRAGMA foreign_key_check`` over the whole database before COMMIT (``key_check``)."""
    return ["PRAGMA foreign_keys = OFF", "BEGIN", *statements, *(["PRAGMA foreign_key_check"] if key_check else []),
            "COMMIT", "PRAGMA foreign_keys = ON"]


def ensure_rebuild_project(big: Path) -> Path:
    """The large database with the drift ``propose`` repairs by rebuilding ``shop_order``.

    A copy of the x1 project whose model says ``number`` is ``max_length=40`` and whose 0002
    migration says so too, but was applied with ``--fake``: the table still has ``varchar(20)``.
    The 25 deleted customers are restored first: ``migrate`` on SQLite checks every foreign key
    before COMMIT, so no migration at all can be applied to a database with orphans.
    """
    folder = WORK / "rebuild"
    token = source_token(bigdb, extra=f"rebuild {big.name}")
    if stamp_ok(folder, token):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("bigproject", "shop", "manage.py"):
        (shutil.copytree if (big / name).is_dir() else shutil.copyfile)(big / name, folder / name)
    for cache in folder.rglob("__pycache__"):
        shutil.rmtree(cache)
    shutil.copyfile(big / "db.sqlite3", folder / "db.sqlite3")
    conn = sqlite3.connect(folder / "db.sqlite3")
    conn.execute("INSERT INTO shop_customer (id, name, email, created) SELECT DISTINCT o.customer_id, "
                 "'restored', '', '2024-01-01 00:00:00' FROM shop_order AS o WHERE NOT EXISTS "
                 "(SELECT 1 FROM shop_customer AS c WHERE c.id = o.customer_id)")
    conn.commit()
    conn.close()
    models = folder / "shop" / "models.py"
    models.write_text(models.read_text().replace("number = models.CharField(max_length=20)",
                                                 "number = models.CharField(max_length=40)"))
    for args in (["makemigrations", "shop", "-n", "longer_number", "-v", "0"], ["migrate", "--fake", "-v", "0"]):
        subprocess.run([PY, "manage.py", *args], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    (folder / ".stamp").write_text(token)
    return folder


def proposed_statements(project: Path) -> list[str]:
    """The SQL of the migration ``driftaudit propose`` writes, in the order ``migrate`` runs it."""
    import importlib.util

    for old in (project / "shop" / "migrations").glob("*_driftaudit_*.py"):
        old.unlink()
    subprocess.run([PY, "-m", "driftaudit", "propose"], cwd=project, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    (path,) = (project / "shop" / "migrations").glob("*_driftaudit_*.py")
    spec = importlib.util.spec_from_file_location("proposed_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a migration file imports django.db.migrations only

    def statements(operations):
        for op in operations:
            if hasattr(op, "database_operations"):
                yield from statements(op.database_operations)
            elif hasattr(op, "sql"):
                yield from ([op.sql] if isinstance(op.sql, str) else op.sql)
    found = list(statements(module.Migration.operations))
    if not any('"new__shop_order"' in s for s in found):
        raise SystemExit(f"{path} does not rebuild shop_order:\n" + "\n".join(found))
    return found


def rebuild(big: Path, reps: int) -> dict:
    project = ensure_rebuild_project(big)
    generated = proposed_statements(project)
    source, target = project / "db.sqlite3", WORK / "rebuild.sqlite3"

    def fresh():  # written to disk before the clock starts: its writeback must not overlap the run
        shutil.copyfile(source, target)
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
    apply = lambda statements: Case([PY, "-c", APPLY, str(target), json.dumps(statements)], WORK, fresh)
    runs = alternate({
        "driftaudit propose rebuild": apply(as_migrate_applies(generated, key_check=False)),
        "driftaudit propose rebuild + migrate's key check": apply(as_migrate_applies(generated)),
        "bare rebuild": apply(BARE),
    }, reps)
    target.unlink(missing_ok=True)
    bare = runs["bare rebuild"]["wall"]
    return {"runs": runs, "statements": generated, "ratio": runs["driftaudit propose rebuild"]["wall"] / bare,
            "ratio_with_check": runs["driftaudit propose rebuild + migrate's key check"]["wall"] / bare}


