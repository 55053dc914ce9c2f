"""Django 6.1's database-level on_delete (DB_CASCADE, DB_SET_NULL, DB_SET_DEFAULT).

6.1 writes them into the DDL as ON DELETE CASCADE / SET NULL / SET DEFAULT, so the clause is
part of what models, history and database must agree on: a clean project reports nothing, and a
clause lost in a hand-made table rebuild is an fk-action finding.
"""

import sqlite3

import django
import pytest

from conftest import driftaudit

needs_61 = pytest.mark.skipif(django.VERSION < (6, 1),
                              reason="DB_CASCADE/DB_SET_NULL/DB_SET_DEFAULT exist from Django 6.1 on")


def table_sql(db, table: str) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    finally:
        conn.close()


def test_clean_db_on_delete_reports_nothing(built_samples):
    """Clean on every Django: before 6.1 the sample keeps the Python-level rules."""
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built_samples("clean_db_on_delete"))
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []


@needs_61
def test_the_clean_sample_really_has_the_clauses(built_samples):
    """Guards the test above: under 6.1 the audited DDL carries all three database rules."""
    db = built_samples("clean_db_on_delete") / "db.sqlite3"
    order, line = table_sql(db, "orders_order"), table_sql(db, "orders_line")
    assert 'REFERENCES "orders_customer" ("id") ON DELETE CASCADE' in order
    assert 'REFERENCES "orders_warehouse" ("id") ON DELETE SET NULL' in order
    assert 'REFERENCES "orders_status" ("id") ON DELETE SET DEFAULT' in line


def rebuild_without(db, table: str, clause: str) -> None:
    """What a hand 'cleanup' in the sqlite3 shell does: the 12-step rebuild, minus one clause."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        indexes = [row[0] for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
        assert clause in sql
        new_sql = sql.replace(clause, "").replace(f'"{table}"', f'"{table}__new"', 1)
        conn.execute("BEGIN")
        conn.execute(new_sql)
        conn.execute(f'INSERT INTO "{table}__new" SELECT * FROM "{table}"')
        conn.execute(f'DROP TABLE "{table}"')
        conn.execute(f'ALTER TABLE "{table}__new" RENAME TO "{table}"')
        for index in indexes:
            conn.execute(index)
        conn.execute("COMMIT")
    finally:
        conn.close()


@needs_61
def test_lost_on_delete_clause_is_fk_action(sample_copy):
    project = sample_copy("clean_db_on_delete")
    db = project / "db.sqlite3"
    rebuild_without(db, "orders_order", ' ON DELETE CASCADE')
    rebuild_without(db, "orders_line", ' ON DELETE SET DEFAULT')

    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=project)
    assert run.code == 1, run.stdout + run.stderr
    found = {(f["kind"], f["table"], f["column"]): f for f in run.json["findings"]}
    assert set(found) == {("fk-action", "orders_order", "customer_id"), ("fk-action", "orders_line", "status_id")}
    cascade = found[("fk-action", "orders_order", "customer_id")]
    assert cascade["signature"] == "M=H≠D" and cascade["severity"] == "warning"
    assert "ON DELETE CASCADE" in cascade["sources"]["models"]
    assert "ON DELETE CASCADE" in cascade["sources"]["history"]
    assert "CASCADE" not in cascade["sources"]["database"]
    set_default = found[("fk-action", "orders_line", "status_id")]
    assert "ON DELETE SET DEFAULT" in set_default["sources"]["models"]
    assert "SET DEFAULT" not in set_default["sources"]["database"]
    # the untouched DB_SET_NULL key beside it is not reported
    assert ("fk-action", "orders_order", "warehouse_id") not in found
