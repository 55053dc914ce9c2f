"""Triggers, views and virtual tables: objects the history owns but the models never see.

Migrations create them with ``RunSQL`` (full-text search, sync triggers, reporting views).
They are not drift. To know which objects the history explains, the ``RunSQL`` statements of
the applied migrations are replayed, in order, into the scratch database that already holds
the history's tables; a statement that fails there (e.g. it creates a table the state already
has) is skipped. ``RunPython`` is never run: the audit executes no project code beyond
importing it.

Virtual tables bring shadow tables (``x_data``, ``x_idx``...); those belong to their virtual
table and are never compared as tables.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

from django.db.migrations.operations import RunSQL, SeparateDatabaseAndState

from .catalog import Catalog, RawObject
from .diff import signature
from .evidence import migration_label
from .findings import Finding
from .history import History
from .rules import fill, rule_for
from .sql import quote_identifier

#: Shadow tables SQLite's virtual table modules create beside ``x``.
SHADOW_SUFFIXES = {
    "fts5": ("_data", "_idx", "_content", "_docsize", "_config"),
    "fts4": ("_content", "_segments", "_segdir", "_docsize", "_stat"),
    "fts3": ("_content", "_segments", "_segdir", "_docsize", "_stat"),
    "rtree": ("_node", "_rowid", "_parent"),
    "rtree_i32": ("_node", "_rowid", "_parent"),
}
_MODULE_RE = re.compile(r"\bUSING\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class ReplayResult:
    #: tables that exist only because a RunSQL statement made them (compared as raw SQL, not models)
    raw_tables: frozenset
    #: lower-cased object name -> the applied migration whose RunSQL last created it
    created_by: dict = field(default_factory=dict)


def shadow_tables(catalog: Catalog) -> frozenset:
    names = set()
    for obj in catalog.raw_objects.values():
        if obj.type != "virtual-table":
            continue
        match = _MODULE_RE.search(obj.sql)
        for suffix in SHADOW_SUFFIXES.get(match.group(1).lower() if match else "", ()):
            names.add((obj.name + suffix).lower())
    return frozenset(names)


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
    from .render import scratch_connection

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


def virtual_tables(catalog: Catalog) -> frozenset:
    """Names of the virtual tables: raw SQL objects, whatever model may sit on top of them."""
    return frozenset(name for name, obj in catalog.raw_objects.items() if obj.type == "virtual-table")


def _object_names(conn: sqlite3.Connection) -> set:
    return {name for (name,) in conn.execute("SELECT lower(name) FROM sqlite_master")}


def _normalized(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.replace('"', "").replace("'", "").replace("`", "")).strip().lower()


def raw_object_findings(history_catalog: Catalog, database: Catalog, replay: ReplayResult,
                        history: History) -> list[Finding]:
    """Objects the database has that no migration explains, and ones migrations made that are gone."""
    rule = rule_for("raw-object")
    shadows = shadow_tables(database) | shadow_tables(history_catalog)
    findings = []
    names = set(history_catalog.raw_objects) | set(database.raw_objects)
    for name in sorted(names - shadows):
        h, d = history_catalog.raw_objects.get(name), database.raw_objects.get(name)
        if h is not None and d is not None and _normalized(h.sql) == _normalized(d.sql):
            continue
        obj: RawObject = d or h
        maker = replay.created_by.get(name)
        if h is None:
            state, severity, cause = "only-database", rule.severity, "manual-sql"
        elif d is None:
            state, severity, cause = "missing", "warning", "unknown"
        else:
            state, severity, cause = "differs", "warning", "manual-sql"
        sig = signature(None, h.sql if h else None, d.sql if d else None)
        text = fill(rule.template(state), object_type=obj.type, object_name=obj.name, table=obj.table,
                    migration=migration_label(maker) or "a migration")
        findings.append(Finding(
            rule=rule.id, kind="raw-object", severity=severity, signature=sig, cause=cause,
            explanation=text, fix=fill(rule.fix), table=obj.table, migration=migration_label(maker),
            app=maker[0] if maker else None,
            sources={"models": None, "history": h.sql if h else None, "database": d.sql if d else None},
        ))
    return findings
