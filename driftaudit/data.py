"""What drift does to the rows: which parents cannot be deleted, and similar data facts.

Every query here is read-only, runs inside SQLite (joins on the parent's key index, DISTINCT
on SQLite's own temp b-tree) and returns bounded samples plus counts, so memory does not grow
with table size.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .catalog import ForeignKey, Table
from .sql import quote_identifier as q

DEFAULT_SAMPLE = 20


@dataclass(frozen=True)
class BlockedParents:
    """Parent rows that a key unknown to Django still references."""

    child_table: str
    child_columns: tuple[str, ...]
    parent_table: str
    parent_columns: tuple[str, ...]
    count: int  # distinct parent keys referenced
    sample: tuple  # the smallest ``limit`` of them
    parent_rows: int  # all rows of the parent table
    deferred: bool  # the key is checked at COMMIT (else at the DELETE statement)


def row_count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0]


def blocked_parents(conn: sqlite3.Connection, child: Table, fk: ForeignKey, parent: Table,
                    limit: int = DEFAULT_SAMPLE) -> BlockedParents | None:
    """Existing parent rows referenced through ``fk``; ``None`` if the key cannot be resolved."""
    parent_cols = fk.target_columns if all(fk.target_columns) else parent.primary_key_columns
    if len(parent_cols) != len(fk.columns) or not parent_cols:
        return None
    join = " AND ".join(f"p.{q(pc)} = c.{q(cc)}" for pc, cc in zip(parent_cols, fk.columns))
    selected = ", ".join(f"c.{q(cc)}" for cc in fk.columns)
    source = f"FROM {q(child.name)} AS c JOIN {q(parent.name)} AS p ON {join}"
    if len(fk.columns) == 1:
        count = conn.execute(f"SELECT count(DISTINCT {selected}) {source}").fetchone()[0]
    else:
        count = conn.execute(f"SELECT count(*) FROM (SELECT DISTINCT {selected} {source})").fetchone()[0]
    rows = conn.execute(f"SELECT DISTINCT {selected} {source} ORDER BY {selected} LIMIT ?", (limit,))
    sample = tuple(r[0] if len(r) == 1 else tuple(r) for r in rows)
    return BlockedParents(
        child.name, fk.columns, parent.name, tuple(parent_cols), count, sample,
        row_count(conn, parent.name), fk.deferrable,
    )
