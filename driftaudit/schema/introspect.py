"""Read a :class:`~driftaudit.catalog.Catalog` from any SQLite connection.

The same reader serves the real database and the scratch databases into which the models
and the history are rendered, so all three are compared apples to apples.

Structure comes from PRAGMA (verbatim, and cheap when queried as joined table-valued
functions: one query per fact kind for the whole database, not one per table); what PRAGMA
cannot see (DEFERRABLE, AUTOINCREMENT, CHECK, a generated column's expression) comes from the
DDL text via :mod:`driftaudit.ddl`.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from driftaudit.schema.catalog import (
    Catalog,
    Column,
    ForeignKey,
    Index,
    RawObject,
    Table,
)
from driftaudit.schema.ddl import index_terms, index_where, table_facts

#: ``PRAGMA table_xinfo``'s ``hidden``: 2 a VIRTUAL generated column, 3 a STORED one (1 is a
#: virtual table's hidden column: virtual tables are raw objects, not read as tables here)
GENERATED_VIRTUAL, GENERATED_STORED = 2, 3
#: a generated column whose DDL sqlglot could not read: its expression is unknown, not absent
UNREADABLE_EXPRESSION = "<unreadable>"

#: Tables that belong to the migration machinery or SQLite itself, not to any model.
INFRASTRUCTURE_TABLES = frozenset({"django_migrations", "sqlite_sequence", "sqlite_stat1", "sqlite_stat4"})


def _plain_tables(conn: sqlite3.Connection) -> dict[str, str]:
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return {
        name: sql
        for name, sql in rows
        if sql and not sql.lstrip().upper().startswith("CREATE VIRTUAL")
        and name.lower() not in INFRASTRUCTURE_TABLES
    }


def read_catalog(conn: sqlite3.Connection) -> Catalog:
    """Every table, column, key, index and raw object of the database behind ``conn``."""
    table_sql = _plain_tables(conn)
    wanted = set(table_sql)

    columns: dict[str, list[Column]] = defaultdict(list)
    for tname, _cid, name, ctype, notnull, dflt, pk, hidden in conn.execute(
        "SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
        "FROM sqlite_master m JOIN pragma_table_xinfo(m.name) p "
        "WHERE m.type = 'table' ORDER BY m.name, p.cid"
    ):
        if tname in wanted and hidden in (0, GENERATED_VIRTUAL, GENERATED_STORED):
            columns[tname].append(Column(name, ctype or "", bool(notnull), dflt, bool(pk),
                                         generated="" if hidden else None, stored=hidden == GENERATED_STORED))

    # grouped by table: one pass per table below, not one pass over every table's keys
    fk_rows: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for tname, fid, seq, target, frm, to, on_update, on_delete in conn.execute(
        "SELECT m.name, p.id, p.seq, p.\"table\", p.\"from\", p.\"to\", p.on_update, p.on_delete "
        "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p "
        "WHERE m.type = 'table' ORDER BY m.name, p.id, p.seq"
    ):
        if tname in wanted:
            fk_rows[tname][fid].append((target, frm, to, on_update, on_delete))

    index_cols: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    index_meta: dict[tuple[str, str], tuple] = {}
    index_sql = dict(
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
    )
    for tname, iname, unique, origin, seqno, cname, key, desc, coll in conn.execute(
        "SELECT m.name, il.name, il.\"unique\", il.origin, ix.seqno, ix.name, ix.key, ix.\"desc\", "
        "ix.coll FROM sqlite_master m JOIN pragma_index_list(m.name) il "
        "JOIN pragma_index_xinfo(il.name) ix "
        "WHERE m.type = 'table' ORDER BY m.name, il.name, ix.seqno"
    ):
        if tname in wanted and key:
            index_meta[(tname, iname)] = (bool(unique), origin)
            index_cols[tname][iname].append(
                _index_term(cname, seqno, desc, coll, index_sql.get(iname)))

    tables = {}
    for tname, sql in table_sql.items():
        facts = table_facts(sql)
        expressions = dict(facts.generated)
        cols = tuple(
            Column(c.name, c.declared_type, c.not_null, c.default, c.primary_key,
                   c.name.lower() in facts.autoincrement,
                   None if c.generated is None else expressions.get(c.name.lower(), UNREADABLE_EXPRESSION),
                   c.stored)
            for c in columns[tname]
        )
        fks = []
        for _fid, parts in sorted(fk_rows.get(tname, {}).items()):
            target = parts[0][0]
            from_cols = tuple(p[1] for p in parts)
            to_cols = tuple(p[2] if p[2] is not None else "" for p in parts)
            fks.append(ForeignKey(
                from_cols, target, to_cols, parts[0][4], parts[0][3],
                tuple(c.lower() for c in from_cols) in facts.deferrable,
            ))
        idx = []
        for iname, cols_ in sorted(index_cols.get(tname, {}).items()):
            unique, origin = index_meta[(tname, iname)]
            sql_text = index_sql.get(iname)
            idx.append(Index(iname, tuple(c for c, _ in cols_), unique, origin, index_where(sql_text),
                             sql_text, tuple(t for _, t in cols_)))
        tables[tname.lower()] = Table(tname, cols, tuple(fks), tuple(idx), facts.checks, sql)

    raw = {}
    for otype, name, tbl, sql in conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') "
        "OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL%')"
    ):
        kind = "virtual-table" if otype == "table" else otype
        raw[name.lower()] = RawObject(kind, name, tbl, sql or "")
    return Catalog(tables, raw)


def _index_term(name: str | None, seqno: int, desc: int, coll: str | None, sql: str | None) -> tuple:
    """(display name, normalized key term) of one index column from ``PRAGMA index_xinfo``.

    An expression term has no name in PRAGMA: its text comes from the ``CREATE INDEX``.
    """
    if name is None:
        terms = index_terms(sql)
        display = terms[seqno] if seqno < len(terms) else "<expression>"
        term = display
    else:
        display, term = name, f'"{name.lower()}"'
    if desc:
        term += " DESC"
    if coll and coll.upper() != "BINARY":
        term += f" COLLATE {coll.upper()}"
    return display, term
