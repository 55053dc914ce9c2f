"""Orphans that removing orphans makes: how many rows, in which tables, over how many rounds.

Moving an orphan row out of its table (quarantine or delete) orphans the rows that point at it:
a self key's children, other tables' keys - and so does moving out a duplicate, a row with a
NULL the models reject, or a row failing a new CHECK. Django's schema editor checks every foreign key of the
whole database when a migration ends, so the repair must take those too. This module follows
the chain on the audited database, read-only (keys only, from SQLite), and says how many
rounds of "move the rows whose parent is missing" it takes until none is left; the repair
migration repeats its statements that many times.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from driftaudit.sql import quote_identifier as q

#: beyond this many rounds (a broken chain this deep), the repair stops and says so
MAX_ROUNDS = 100
BATCH = 500


@dataclass(frozen=True)
class KeyEdge:
    """One single-column key of the database that the repaired schema keeps."""

    child: str
    column: str
    parent: str
    parent_column: str
    removes: bool  # does the child's fix policy take orphan rows out (quarantine, delete)?


@dataclass(frozen=True)
class Cascade:
    """What taking orphans out does to rows that point at them in turn, round by round."""

    rounds: int
    #: edge -> rows of its child table taken out because of that key, over all rounds
    rows: dict


def cascade(conn: sqlite3.Connection, edges: list[KeyEdge], max_rounds: int = MAX_ROUNDS,
            removed: dict[str, set] | None = None) -> Cascade:
    """``removed``: rowids other fixes take out first (duplicates, NULLs, CHECK failures): the
    rows pointing at them are orphans of the first round."""
    gone: dict[str, set] = {t: set(r) for t, r in (removed or {}).items()}  # table -> rowids taken out
    gone_keys: dict[tuple, set] = {}  # (table, column) -> values of taken-out rows
    counted: dict[KeyEdge, int] = {}
    wanted = {(e.parent, e.parent_column) for e in edges}
    for parent_table, column in wanted:
        if gone.get(parent_table):
            gone_keys[(parent_table, column)] = _values(conn, parent_table, column, gone[parent_table])
    rounds = 0
    while rounds <= max_rounds:
        found: dict[str, set] = {}
        for edge in edges:
            if not edge.removes:
                continue
            rows = _missing_parent(conn, edge) | _parent_gone(conn, edge, gone_keys.get((edge.parent, edge.parent_column), set()))
            rows -= gone.get(edge.child, set()) | found.get(edge.child, set())
            if rows:
                found.setdefault(edge.child, set()).update(rows)
                counted[edge] = counted.get(edge, 0) + len(rows)
        if not found:
            break
        rounds += 1
        for table, rowids in found.items():
            gone.setdefault(table, set()).update(rowids)
            for parent_table, column in wanted:
                if parent_table == table:
                    gone_keys.setdefault((table, column), set()).update(_values(conn, table, column, rowids))
    return Cascade(rounds, counted)


def _missing_parent(conn, edge: KeyEdge) -> set:
    # aliased: a self key names one table twice
    return {r for (r,) in conn.execute(
        f"SELECT c.rowid FROM {q(edge.child)} AS c WHERE c.{q(edge.column)} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {q(edge.parent)} AS p WHERE p.{q(edge.parent_column)} = c.{q(edge.column)})")}


def _parent_gone(conn, edge: KeyEdge, values: set) -> set:
    out, values = set(), list(values)
    for i in range(0, len(values), BATCH):
        chunk = values[i:i + BATCH]
        marks = ", ".join("?" * len(chunk))
        out |= {r for (r,) in conn.execute(
            f"SELECT rowid FROM {q(edge.child)} WHERE {q(edge.column)} IN ({marks})", chunk)}
    return out


def _values(conn, table: str, column: str, rowids: set) -> set:
    out, rowids = set(), list(rowids)
    for i in range(0, len(rowids), BATCH):
        chunk = rowids[i:i + BATCH]
        marks = ", ".join("?" * len(chunk))
        out |= {v for (v,) in conn.execute(f"SELECT {q(column)} FROM {q(table)} WHERE rowid IN ({marks})", chunk)}
    return out
