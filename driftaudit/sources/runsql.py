"""Replay the applied migrations' ``RunSQL`` into the history's scratch database.

Migrations create triggers, views and virtual tables with ``RunSQL`` (full-text search, sync
triggers, reporting views); the models never see them, so they are not drift. To know which
objects the history explains, the ``RunSQL`` statements of the applied migrations are
replayed, in order, into the scratch database that already holds the history's tables; a
statement that fails there (e.g. it creates a table the state already has) is skipped.
``RunPython`` is never run: the audit executes no project code beyond importing it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from django.db.migrations.operations import RunSQL, SeparateDatabaseAndState

from driftaudit.sources.history import History
from driftaudit.sql import quote_identifier


@dataclass(frozen=True)
class ReplayResult:
    """What the applied migrations' RunSQL made, replayed on an empty database: raw SQL objects are
    compared as SQL, not as models."""

    #: tables that exist only because a RunSQL statement made them (compared as raw SQL, not models)
    raw_tables: frozenset
    #: lower-cased object name -> the applied migration whose RunSQL last created it
    created_by: dict = field(default_factory=dict)


def _statements(operation, ops) -> list[str]:
    if isinstance(operation, SeparateDatabaseAndState):
        return [s for inner in operation.database_operations for s in _statements(inner, ops)]
    if not isinstance(operation, RunSQL) or operation.sql == RunSQL.noop:
        return []
    sqls = operation.sql if isinstance(operation.sql, (list, tuple)) else [operation.sql]
    out = []
    for sql in sqls:
        if isinstance(sql, (list, tuple)):  # (sql, params): params cannot be bound blind; keep sql
            sql = sql[0]
        out.extend(ops.prepare_sql_script(sql) if isinstance(sql, str) else [])
    return out


def replay_raw_sql(history: History, conn: sqlite3.Connection) -> ReplayResult:
    """Run the applied migrations' RunSQL statements into the scratch database ``conn``."""
    from driftaudit.sources.models import scratch_connection

    ops = scratch_connection().ops  # only for Django's SQL script splitting
    before = _object_names(conn)
    created_by: dict[str, tuple] = {}
    for key in history.applied_plan:
        statements = [s for op in history.loader.graph.nodes[key].operations
                      for s in _statements(op, ops)]
        for statement in statements:
            names_before = _object_names(conn)
            try:
                conn.execute(statement)
            except sqlite3.Error:
                if not _replace_rendered_table(conn, statement):
                    continue  # e.g. it creates what the rendered state already has
            for name in _object_names(conn) - names_before:
                created_by[name] = key
    tables = {name for (name,) in conn.execute("SELECT lower(name) FROM sqlite_master WHERE type = 'table'")}
    return ReplayResult(frozenset(tables - before), created_by)


_VIRTUAL_RE = re.compile(r'^\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`\[]?(\w+)', re.IGNORECASE)


def _replace_rendered_table(conn: sqlite3.Connection, statement: str) -> bool:
    """A model whose table a migration really creates as a virtual table.

    Projects such as Wagtail declare a managed model in ``state_operations`` and create its
    table with ``CREATE VIRTUAL TABLE`` in ``database_operations``. Rendering the state made
    a plain table of that name; the migration's own statement is what the database got, so
    the plain table gives way to it.
    """
    match = _VIRTUAL_RE.match(statement)
    if not match:
        return False
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)",
                       (match.group(1),)).fetchone()
    if row is None or (row[0] or "").lstrip().upper().startswith("CREATE VIRTUAL"):
        return False
    try:
        conn.execute(f"DROP TABLE {quote_identifier(match.group(1))}")
        conn.execute(statement)
    except sqlite3.Error:
        return False
    return True


def _object_names(conn: sqlite3.Connection) -> set:
    return {name for (name,) in conn.execute("SELECT lower(name) FROM sqlite_master")}

