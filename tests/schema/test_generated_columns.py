"""``GeneratedField`` columns (Django 5.0+): ``GENERATED ALWAYS AS (expr) STORED|VIRTUAL``.

Django's ``migrate`` refuses to alter a GeneratedField ("Modifying GeneratedFields is not
supported"), so a changed expression or ``db_persist`` reaches the database only through a
rebuild, and is often recorded with ``migrate --fake`` instead. The expression is part of the
schema: it must be compared (normalized, so that an honest ``migrate`` never differs), reported,
and repaired by ``propose`` + ``migrate``.
"""

from __future__ import annotations

import sqlite3

import django
import pytest

from conftest import driftaudit
from driftaudit.schema.diff import ThreeWayDiff
from driftaudit.schema.introspect import read_catalog
from generator.spec import App, Features, Field, Model
from generator.workspace import Workspace
from propose_helpers import repair

needs_50 = pytest.mark.skipif(django.VERSION < (5, 0), reason="GeneratedField is new in Django 5.0")


def catalog(*statements):
    conn = sqlite3.connect(":memory:")
    for sql in statements:
        conn.execute(sql)
    return read_catalog(conn)


def diff(models_sql: str, database_sql: str) -> set:
    m = catalog(models_sql)
    return {(d.kind, d.column) for d in ThreeWayDiff(m, m, catalog(database_sql)).run()}


TABLE = 'CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "n" integer NOT NULL, "g" integer {})'


def test_spelling_of_the_same_expression_does_not_matter():
    """Django writes ``AS (("n" * 2))``; fewer parentheses, other case or quoting read the same."""
    models = TABLE.format('GENERATED ALWAYS AS (("n" * 2)) STORED')
    for same in ('GENERATED ALWAYS AS ((n*2)) STORED', 'GENERATED ALWAYS AS ("N" * 2) STORED',
                 'generated always as (((("n")) * 2)) stored'):
        assert diff(models, TABLE.format(same)) == set(), same
    assert diff(TABLE.format('AS ("n" + 1) VIRTUAL'), TABLE.format('AS (n + 1)')) == set()  # VIRTUAL is the default
    # Django writes KT()'s IN list from a Python set: another order in every process
    assert diff(TABLE.format("AS (\"n\" IN ('false','null','true'))"), TABLE.format("AS (\"n\" IN ('true','false','null'))")) == set()


def test_expression_storage_and_generation_are_compared():
    models = TABLE.format('GENERATED ALWAYS AS ((("n" + 1) * 2)) STORED')
    assert diff(models, TABLE.format('GENERATED ALWAYS AS ("n" + 1 * 2) STORED')) == {("column-generated", "g")}
    assert diff(models, TABLE.format('GENERATED ALWAYS AS ((("n" + 1) * 2)) VIRTUAL')) == {("column-generated", "g")}
    assert ("column-generated", "g") in diff(models, TABLE.format("NULL"))
    assert diff(models, 'CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "n" integer NOT NULL)') == {
        ("missing-column", "g")}


def test_a_generated_column_is_read_with_its_expression():
    table = catalog(TABLE.format('GENERATED ALWAYS AS (("n" * 2)) VIRTUAL')).table("t")
    g = table.column("g")
    assert (g.generated, g.stored) == ('"n" * 2', False)
    assert table.written_columns == ("id", "n")


# -- real projects -------------------------------------------------------------------------
DOUBLE, TRIPLE = "models.F('n') * 2", "models.F('n') * 3"
LABEL = "Concat(models.F('name'), models.Value('-'), models.F('n'), output_field=models.CharField())"


def item(total: str = DOUBLE, total_stored: str = "stored", label_stored: str = "virtual") -> App:
    """appa.Item: an int, a name and a date; a numeric and a text generated column, and one that
    calls a function of Django's own (``django_date_extract``), which every read computes, and a
    JSON key (``KT()``: Django writes its IN list from a set, in another order in every process)."""
    return App("appa", (Model("appa", "Item", (
        Field("n", "int"), Field("name", "char"), Field("day", "date"),
        Field("total", "int", generated=total_stored, expression=total),
        Field("label", "text", generated=label_stored, expression=LABEL),
        Field("year", "int", generated="virtual", expression="models.functions.ExtractYear('day')"),
        Field("data", "json"), Field("key", "text", generated="virtual", expression="models.fields.json.KT('data__n')"),
    )),))


def honest_project(tmp_path, app: App) -> Workspace:
    ws = Workspace(tmp_path / "project", Features(django.VERSION[:2]))
    ws.write_project((app,))
    ws.makemigrations()
    ws.manage("migrate", "--noinput")
    ws.fill(3)
    return ws


def change_models(ws: Workspace, app: App) -> None:
    """The developer's edit of models.py."""
    path = ws.root / "appa" / "models.py"
    before = path.read_text()
    ws.write_app(app)
    assert path.read_text() != before


def fake_the_change(ws: Workspace) -> str:
    """makemigrations, then ``migrate`` fails as Django does, then ``migrate --fake``."""
    ws.makemigrations()
    refused = ws.manage("migrate", "--noinput", check=False)
    assert refused.returncode != 0 and "Modifying GeneratedFields is not supported" in refused.stderr
    ws.manage("migrate", "--fake")
    return ws.migration_files("appa")[-1].stem


def serious(ws: Workspace) -> list[dict]:
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=ws.root)
    assert run.code in (0, 1), run.stderr
    return [f for f in run.json["findings"] if f["severity"] in ("warning", "error")]


@needs_50
def test_honest_stored_and_virtual_generated_columns_audit_clean(tmp_path):
    ws = honest_project(tmp_path, item())
    (sql,) = ws.query("SELECT sql FROM sqlite_master WHERE name = 'appa_item'")[0]
    assert "STORED" in sql and "VIRTUAL" in sql and "django_date_extract" in sql  # the guard: all are there
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=ws.root)
    assert run.code == 0 and run.json["findings"] == [], run.stdout


@needs_50
@pytest.mark.parametrize("edit", ["expression", "db_persist"])
def test_faked_generated_field_change_is_found_and_repaired(tmp_path, edit):
    ws = honest_project(tmp_path, item())
    rows = ws.query("SELECT id, n, name FROM appa_item ORDER BY id")
    change_models(ws, item(total=TRIPLE) if edit == "expression" else item(total_stored="virtual"))
    migration = fake_the_change(ws)

    found = serious(ws)
    assert [(f["kind"], f["table"], f["column"]) for f in found] == [("column-generated", "appa_item", "total")]
    finding = found[0]
    assert (finding["rule"], finding["severity"], finding["signature"]) == ("DA123", "error", "M=H≠D")
    assert (finding["cause"], finding["migration"]) == ("faked-migration", f"appa.{migration}")
    if edit == "expression":
        assert '"n" * 2' in finding["sources"]["database"] and '"n" * 3' in finding["sources"]["models"]
    else:
        assert finding["sources"]["database"].endswith("STORED") and finding["sources"]["models"].endswith("VIRTUAL")

    repair(ws.root)  # propose, migrate, report clean, makemigrations --check
    assert ws.query("SELECT id, n, name FROM appa_item ORDER BY id") == rows
    factor = 3 if edit == "expression" else 2
    assert all(total == n * factor for n, total in ws.query("SELECT n, total FROM appa_item"))
    (sql,) = ws.query("SELECT sql FROM sqlite_master WHERE name = 'appa_item'")[0]
    assert ('"n" * 3' in sql) if edit == "expression" else ('"total" integer GENERATED ALWAYS AS (("n" * 2)) VIRTUAL' in sql)

    # the repair's reverse SQL names only the written columns: migrating back restores the old DDL
    ws.manage("migrate", "appa", migration)
    (sql,) = ws.query("SELECT sql FROM sqlite_master WHERE name = 'appa_item'")[0]
    assert '"total" integer GENERATED ALWAYS AS (("n" * 2)) STORED' in sql
    assert ws.query("SELECT id, n, name FROM appa_item ORDER BY id") == rows


@needs_50
def test_faked_delete_of_a_table_with_generated_columns_is_backed_up_and_reversible(tmp_path):
    keep = Model("appa", "Keep", (Field("name", "char"),))
    ws = honest_project(tmp_path, App("appa", (*item().models, keep)))
    rows = ws.query("SELECT id, n, name, total, label FROM appa_item ORDER BY id")
    change_models(ws, App("appa", (keep,)))
    ws.makemigrations()
    ws.manage("migrate", "--fake")
    migration = ws.migration_files("appa")[-1].stem
    assert [(f["kind"], f["table"]) for f in serious(ws)] == [("stale-table", "appa_item")]

    repair(ws.root)
    (backup,) = [t for (t,) in ws.query("SELECT name FROM sqlite_master WHERE name LIKE 'driftaudit_backup_appa_item%'")]
    assert ws.query(f'SELECT id, n, name, total, label FROM "{backup}" ORDER BY id') == rows
    ws.manage("migrate", "appa", migration)  # the reverse puts the rows back, SQLite computes the rest
    assert ws.query("SELECT id, n, name, total, label FROM appa_item ORDER BY id") == rows


@needs_50
def test_pending_expression_change_is_a_pending_model_change(tmp_path):
    """The models changed, makemigrations not run: M≠H=D; propose writes the AlterField's state."""
    ws = honest_project(tmp_path, item())
    change_models(ws, item(total=TRIPLE))
    found = serious(ws)
    kinds = {(f["kind"], f["column"], f["signature"], f["cause"]) for f in found}
    assert ("column-generated", "total", "M≠H=D", "pending-model-change") in kinds
    repair(ws.root)
    assert all(total == n * 3 for n, total in ws.query("SELECT n, total FROM appa_item"))
