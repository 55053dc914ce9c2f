"""Where the row fixes run, and the rows each table must hold after the repair.

Django's SQLite schema editor checks the foreign keys of the whole database at the end of every
migration, so the rows a repair takes out (and the tables whose rows point at them) must all be
handled by the migration that runs first. ``verify`` later checks the counts promised here.
"""

from __future__ import annotations

from driftaudit.schema.catalog import Catalog
from driftaudit.sql import quote_identifier as q


def row_fixes_first(grouped: dict, order: list[str], has_orphans) -> None:
    """Every row fix (orphans last: taking out a duplicate orphans the rows pointing at it), and
    every drop of a table that holds orphans - or that points at a table the orphan fixes take
    rows out of - goes into the migration that runs first.

    Django's SQLite schema editor checks the foreign keys of the *whole* database when each
    migration ends: an orphan left for a later migration of another app fails the first one
    (seed 4165: the first repair quarantined book rows that a stale table, dropped by the
    second repair, still pointed at).
    """
    if not order:
        return
    fixes = [f for app in order for f in grouped[app]["fixes"]]
    orphans = [f for f in fixes if f.kind.startswith("orphans")]
    for g in grouped.values():
        g["fixes"] = []
    first = grouped[order[0]]
    # rows taken out for other reasons first: the orphans they make are then taken with the rest
    first["fixes"] = [f for f in fixes if not f.kind.startswith("orphans")] + orphans
    # rows the fixes take out orphan the rows of a table dropped later that point at them
    emptied = {f.table.lower() for f in fixes if f.kind != "orphans-set-null"}

    def orphaned(step) -> bool:
        targets = {fk.target_table.lower() for fk in (step.current.foreign_keys if step.current else ())}
        return has_orphans(step.old_name) or bool(targets & emptied)

    for app in order[1:]:
        g = grouped[app]
        moved = [s for s in g["steps"] if s.action in ("drop", "backup-drop") and orphaned(s)]
        if moved:
            g["steps"] = [s for s in g["steps"] if s not in moved]
            first["steps"] = list(first["steps"]) + moved


def has_orphans(conn, table: str) -> bool:
    """Does ``table`` hold a row whose key names no parent (read-only: a PRAGMA)?"""
    try:
        return conn.execute(f"PRAGMA foreign_key_check({q(table)})").fetchone() is not None
    except Exception:  # noqa: BLE001 - a key to a table that is gone: the drop takes it too
        return True


#: the expected count of a table that migrations not applied yet change: theirs to say
BY_MIGRATIONS = "migrations"


def expected_rows(d_cat: Catalog, steps, fixes, facts, pending_tables=frozenset()) -> tuple[dict, dict]:
    """Rows per table after the repair, per policy, and why a count changes."""
    expected, why = {}, {}
    names = {s.old_name.lower(): s for s in steps if s.old_name}
    for name, table in d_cat.tables.items():
        if name in pending_tables:
            expected[table.name], why[table.name] = BY_MIGRATIONS, "changed by migrations not applied yet"
            continue
        rows = facts.count(table.name)
        step = names.get(name)
        if step is not None and step.action in ("drop", "backup-drop"):
            why[table.name] = f"dropped ({step.action})"
            expected[table.name] = None
            if step.backup:
                expected[step.backup] = rows
            continue
        new = table.name
        if step is not None and step.action == "rename":
            new, expected[table.name] = step.table, None
            why[table.name] = why[step.table] = f"renamed to {step.table}"
        for fix in fixes:
            if fix.table.lower() == name and fix.kind != "orphans-set-null":
                rows -= fix.count
                said = f"{fix.kind}: {fix.count} row(s) moved to {fix.backup}"
                why[new] = f"{why[new]}; {said}" if why.get(new) and not why[new].startswith("renamed") else said
                expected[fix.backup] = fix.count
        expected[new] = rows
    for step in steps:
        if step.action == "create":
            expected[step.table] = 0
            why[step.table] = "created"
    return expected, why
