"""The repair plan as data: what ``propose`` does to which table and which rows, and why.

The planner (:mod:`driftaudit.repair.planner`) fills these; the SQL
(:mod:`driftaudit.repair.rebuild_sql`) and the migration writer (:mod:`driftaudit.repair.writer`)
only read them. A :class:`Plan` holds one :class:`AppRepair` per migration file and the
problems (:class:`Problem`) that stop the proposal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from driftaudit.explain.finding import Finding
from driftaudit.repair.problem import Problem
from driftaudit.schema.catalog import Index, RawObject, Table


@dataclass(frozen=True)
class ColumnSource:
    """Where one column of the rebuilt table gets its values."""

    column: str
    source: str | None  # the database column it is copied from, None for a new column
    expression: str  # SQL over the old table's columns
    note: str


@dataclass(frozen=True)
class RowFix:
    """Rows changed before the rebuild, as a fix policy says; backed up first."""

    table: str  # the table's name in the database now
    kind: str  # "orphans-" + quarantine|delete|set-null, "duplicates-" + quarantine|keep-first|keep-last
    where: str  # SQL condition selecting the rows
    columns: tuple[str, ...]  # the key columns (set to NULL for set-null)
    count: int
    backup: str
    text: str
    identity: str  # the column (or rowid) that names a row
    #: quarantine: why each row is set aside (stored with it), and the table's columns (to put
    #: the rows back when the migration is reversed)
    reason: str = ""
    table_columns: tuple[str, ...] = ()
    #: orphans: how many times the statements run (taking rows out orphans their children)
    rounds: int = 1
    #: several keys' orphans of one table in one fix: (condition, reason) per key, so each
    #: quarantined row keeps the reason that applies to it
    reason_cases: tuple[tuple[str, str], ...] = ()



TABLE_ACTIONS = ("create", "rename", "rebuild", "index", "backup-drop", "drop")


@dataclass(frozen=True)
class TableStep:
    """One table-level repair, in the order the migration runs it."""

    action: str  # one of TABLE_ACTIONS
    app: str  # the app the table belongs to (may differ from the migration's app)
    table: str  # the name the table has after the step
    old_name: str  # the name it has in the database now ("" for a new table)
    model: str = ""
    target: Table | None = None
    current: Table | None = None
    columns: tuple[ColumnSource, ...] = ()
    dropped_columns: tuple[str, ...] = ()
    backup: str = ""
    rows: int = 0
    reason: str = ""
    #: "index" steps: the database's indexes to drop and the model's to create (no rebuild)
    drop_indexes: tuple[Index, ...] = ()
    create_indexes: tuple[Index, ...] = ()


@dataclass(frozen=True)
class AppRepair:
    """One migration file: the steps of one app, its place in the graph, its state operations."""

    app: str
    name: str
    path: Path
    dependencies: tuple = ()
    run_before: tuple = ()
    steps: tuple[TableStep, ...] = ()
    row_fixes: tuple[RowFix, ...] = ()
    raw_objects: tuple[RawObject, ...] = ()
    removed_apps: tuple[tuple[str, int, str], ...] = ()  # (app, records, backup table)
    state_operations: tuple = ()
    findings: tuple[Finding, ...] = ()
    #: ghost records of this app's history to delete: (app, names, backup table)
    ghost_records: tuple[tuple[str, tuple, str], ...] = ()
    #: squashes to complete: (app, replaced migrations to record as applied)
    squash_records: tuple[tuple[str, tuple], ...] = ()
    #: "repair" (database repair + state), "models" (what makemigrations would write, after the
    #: pending migrations: ``state_operations`` are written as they are), "baseline" (the app's
    #: first migration: its package is created too), "state" (state operations only: the rest of
    #: what makemigrations would write, after another app's repair it needs)
    role: str = "repair"
    #: faked migrations whose own operations run (:mod:`driftaudit.repair.replay`)
    replays: tuple = ()

    @property
    def empty(self) -> bool:
        return not (self.steps or self.row_fixes or self.removed_apps or self.state_operations
                    or self.ghost_records or self.squash_records or self.replays)


@dataclass(frozen=True)
class Plan:
    """Everything ``propose`` would do: the migrations per app, what stops it, and the row counts
    ``verify`` checks afterwards."""

    repairs: tuple[AppRepair, ...]
    problems: tuple[Problem, ...]
    #: table -> rows expected after the repair (absent: the table is dropped)
    expected_rows: dict = field(default_factory=dict)
    #: table -> why its count changes, for verify's report
    row_changes: dict = field(default_factory=dict)


def ddl_key(table: Table | None) -> tuple | None:
    """A table's whole DDL, index names aside: equal keys render identical schemas."""
    if table is None:
        return None
    indexes = sorted(re.sub(r'^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+[^(]*', r"\1", ix.sql)
                     for ix in table.indexes if ix.sql)
    return (table.sql, tuple(indexes))

