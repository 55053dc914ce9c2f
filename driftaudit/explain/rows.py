"""What drift does to the rows: which parents cannot be deleted, and similar data facts.

Every query here is read-only, runs inside SQLite (joins on the parent's key index, DISTINCT
on SQLite's own temp b-tree) and returns bounded samples plus counts, so memory does not grow
with table size.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass

from driftaudit.schema.catalog import Catalog, ForeignKey, Table
from driftaudit.sql import quote_identifier as q

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


def row_identity(table: Table) -> str:
    """How a row of ``table`` is named in samples: its single primary key column, else rowid."""
    pk = table.primary_key_columns
    return q(pk[0]) if len(pk) == 1 else "rowid"


# -- orphans ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Orphans:
    """Rows of one foreign key whose parent does not exist (``PRAGMA foreign_key_check``)."""

    child_table: str
    child_columns: tuple[str, ...]
    parent_table: str
    parent_columns: tuple[str, ...]
    count: int
    pks: tuple  # child primary keys (or rowids) of the first ``limit`` orphan rows
    missing: tuple  # the distinct missing parent key values among them
    parent_exists: bool


def orphans(conn: sqlite3.Connection, catalog: Catalog, limit: int = DEFAULT_SAMPLE,
            progress: "Progress | None" = None) -> list[Orphans]:
    """Every foreign key with orphan rows, table by table, in one pass over each child table.

    ``pragma_foreign_key_check`` walks the child table once using the parent's key index and
    yields only the orphan rows; they are counted here per key, and only the first ``limit``
    rowids of each key are kept, so memory does not depend on the number of orphans (a second
    pass for the samples would walk the whole table again when orphans are rare).
    A table whose key cannot be checked (``foreign key mismatch``: the parent column is not
    unique) is skipped: the schema findings report that key.
    """
    progress = progress or Progress(False)
    found = []
    tables = [t for t in sorted(catalog.tables.values(), key=lambda t: t.name) if t.foreign_keys]
    with progress.phase("checking foreign keys", len(tables)):
        for table in tables:
            with progress.scan(conn, f"checking foreign keys of {table.name}"):
                try:
                    counts, rowids = _check_table(conn, table.name, limit)
                except sqlite3.OperationalError:
                    continue
                keys = _key_list(conn, table.name) if counts else {}
                for fkid in sorted(counts):
                    if fkid not in keys:
                        continue
                    found.append(_orphan_sample(conn, catalog, table, keys[fkid], counts[fkid], rowids[fkid]))
    return found


def _check_table(conn: sqlite3.Connection, table: str, limit: int) -> tuple[dict, dict]:
    """``({fkid: orphan rows}, {fkid: first limit rowids})`` from one ``foreign_key_check`` pass."""
    counts: dict[int, int] = {}
    rowids: dict[int, list] = {}
    cursor = conn.execute("SELECT fkid, rowid FROM pragma_foreign_key_check(?)", (table,))
    while batch := cursor.fetchmany(4096):
        for fkid, rowid in batch:
            counts[fkid] = counts.get(fkid, 0) + 1
            sample = rowids.setdefault(fkid, [])
            if rowid is not None and len(sample) < limit:
                sample.append(rowid)
    return counts, rowids


def _key_list(conn: sqlite3.Connection, table: str) -> dict[int, tuple]:
    keys: dict[int, list] = {}
    for fid, target, frm, to in conn.execute(
            'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq', (table,)):
        keys.setdefault(fid, []).append((target, frm, to))
    return {fid: (parts[0][0], tuple(p[1] for p in parts), tuple(p[2] or "" for p in parts))
            for fid, parts in keys.items()}


def _orphan_sample(conn, catalog: Catalog, table: Table, key: tuple, count: int, rowids: list) -> Orphans:
    target, columns, target_columns = key
    pks, missing = [], []
    if rowids:
        marks = ", ".join("?" * len(rowids))
        cols = ", ".join(q(c) for c in columns)
        for row in conn.execute(f"SELECT {row_identity(table)}, {cols} FROM {q(table.name)} "
                                f"WHERE rowid IN ({marks}) ORDER BY rowid", rowids):
            pks.append(row[0])
            value = row[1] if len(row) == 2 else tuple(row[1:])
            if value not in missing:
                missing.append(value)
    parent = catalog.table(target)
    if parent is not None and not all(target_columns):
        target_columns = parent.primary_key_columns
    return Orphans(table.name, columns, target, tuple(target_columns), count, tuple(pks),
                   tuple(sorted(missing, key=repr)), parent is not None)


# -- duplicates ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DuplicateGroup:
    """Rows sharing the values a new UNIQUE would forbid, and a sample of their keys."""

    values: tuple
    count: int
    pks: tuple  # the first ``limit`` rows of the group, by primary key


@dataclass(frozen=True)
class Duplicates:
    """Groups of rows that a unique index on ``columns`` (``WHERE where``) would reject."""

    table: str
    columns: tuple[str, ...]
    where: str | None
    groups: int
    rows: int
    sample: tuple[DuplicateGroup, ...]


def duplicates(conn: sqlite3.Connection, table: Table, columns: tuple[str, ...], where: str | None,
               limit: int = DEFAULT_SAMPLE, progress: "Progress | None" = None) -> Duplicates | None:
    """Duplicate groups on ``columns``, grouped by SQLite (NULLs never collide in a unique index).

    ``None`` when the index is on expressions, which cannot be grouped by column name.
    """
    if not columns or any(c == "<expression>" or table.column(c) is None for c in columns):
        return None
    progress = progress or Progress(False)
    cols = ", ".join(q(c) for c in columns)
    conditions = [f"{q(c)} IS NOT NULL" for c in columns] + ([f"({where})"] if where else [])
    filtered = f"FROM {q(table.name)} WHERE {' AND '.join(conditions)}"
    ident = row_identity(table)
    with progress.scan(conn, f"looking for duplicates in {table.name}"):
        groups, rows = conn.execute(
            f"SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n {filtered} "
            f"GROUP BY {cols} HAVING count(*) > 1)").fetchone()
        sample = []
        if groups:
            for row in conn.execute(f"SELECT {cols}, count(*) {filtered} GROUP BY {cols} "
                                    f"HAVING count(*) > 1 ORDER BY min({ident}) LIMIT ?", (limit,)):
                values, n = tuple(row[:-1]), row[-1]
                match = " AND ".join(f"{q(c)} = ?" for c in columns)
                pks = tuple(r[0] for r in conn.execute(
                    f"SELECT {ident} {filtered} AND {match} ORDER BY {ident} LIMIT ?", (*values, limit)))
                sample.append(DuplicateGroup(values, n, pks))
    return Duplicates(table.name, tuple(columns), where, groups, rows, tuple(sample))


# -- rows a missing NOT NULL or CHECK would reject -----------------------------------------------
@dataclass(frozen=True)
class Rejected:
    """Rows of ``table`` that a constraint the models demand (and the database lacks) rejects."""

    table: str
    condition: str  # the NOT NULL column, or the CHECK expression
    count: int
    pks: tuple  # the first ``limit`` of them


def rejected(conn: sqlite3.Connection, table: Table, failing: str, condition: str,
             limit: int = DEFAULT_SAMPLE, progress: "Progress | None" = None) -> Rejected | None:
    """Rows for which the SQL ``failing`` holds; None when SQLite cannot evaluate it here (an
    expression naming a column the database lacks, or a function this SQLite does not have)."""
    progress = progress or Progress(False)
    ident = row_identity(table)
    try:
        with progress.scan(conn, f"counting rows {table.name} would reject"):
            count = conn.execute(f"SELECT count(*) FROM {q(table.name)} WHERE {failing}").fetchone()[0]
            pks = tuple(r[0] for r in conn.execute(
                f"SELECT {ident} FROM {q(table.name)} WHERE {failing} ORDER BY {ident} LIMIT ?", (limit,)))
    except sqlite3.Error:
        return None
    return Rejected(table.name, condition, count, pks) if count else None


# -- progress --------------------------------------------------------------------------------
class Progress:
    """Says on stderr what a data scan is doing, once it has run longer than ``after`` seconds.

    SQLite's progress handler calls back every few thousand VM steps during one long query
    (a 5M-row ``foreign_key_check``), so even a single statement reports; short scans say nothing.
    This is the hook and its plain form (a line every second, for logs); the terminal's progress
    bar (:mod:`driftaudit.report.progress`) overrides :meth:`phase` and :meth:`scan`.
    """

    def __init__(self, enabled: bool, stream=None, after: float = 1.0):
        self.enabled = enabled
        self.stream = stream
        self.after = after

    @contextmanager
    def phase(self, what: str, total: int):
        """A series of ``total`` scans (one per table): a bar counts them; lines need nothing."""
        yield

    @contextmanager
    def scan(self, conn: sqlite3.Connection, what: str):
        if not self.enabled:
            yield
            return
        stream = self.stream or sys.stderr
        start = time.monotonic()
        state = {"next": start + self.after, "said": False}

        def tick() -> int:
            now = time.monotonic()
            if now >= state["next"]:
                stream.write(f"driftaudit: {what}... {now - start:.0f} s\n")
                stream.flush()
                state["next"], state["said"] = now + 1.0, True
            return 0

        conn.set_progress_handler(tick, 20000)
        try:
            yield
        finally:
            conn.set_progress_handler(None, 0)
            if state["said"]:
                stream.write(f"driftaudit: {what}: done in {time.monotonic() - start:.1f} s\n")
