"""The three-way schema diff: models (M), history at the applied nodes (H), database (D).

The database is judged against the models (the code is the target truth); the history says
*which* side moved. Each :class:`Difference` carries the fact as each source has it and a
signature such as ``M=H≠D`` (the database drifted) or ``M≠H=D`` (the models moved ahead of
the migrations). When the database already matches the models but the history does not
(``M=D≠H``), there is nothing wrong with the schema: the history findings report it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .catalog import Catalog, Column, ForeignKey, Index, Table

ABSENT = None


def signature(m: Any, h: Any, d: Any) -> str | None:
    """Which sources agree, or ``None`` when all three do."""
    if m == h == d:
        return None
    if m == h:
        return "M=H≠D"
    if h == d:
        return "M≠H=D"
    if m == d:
        return "M=D≠H"
    return "M≠H≠D"


@dataclass(frozen=True)
class Difference:
    kind: str
    table: str
    column: str | None
    signature: str
    models: Any
    history: Any
    database: Any
    detail: Mapping = field(default_factory=dict)


def normalize_type(declared: str) -> str:
    """Declared type text as SQLite reads it: case and spacing do not matter."""
    text = re.sub(r"\s+", " ", declared.strip().lower())
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def normalize_default(default: str | None) -> str | None:
    if default is None:
        return None
    text = default.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


class ThreeWayDiff:
    """Compare three catalogs table by table, column by column, key by key."""

    def __init__(self, models: Catalog, history: Catalog, database: Catalog, ignore_tables=frozenset()):
        self.m, self.h, self.d = models, history, database
        self.ignore = {name.lower() for name in ignore_tables}
        self.differences: list[Difference] = []

    def run(self) -> list[Difference]:
        names = (set(self.m.tables) | set(self.h.tables) | set(self.d.tables)) - self.ignore
        for name in sorted(names):
            mt, ht, dt = self.m.table(name), self.h.table(name), self.d.table(name)
            if mt is None and dt is None:
                continue  # only history has it: a history fact, not a schema problem
            if mt is not None and dt is not None:
                if mt.sql != dt.sql:  # byte-identical DDL cannot differ in any fact
                    self._compare_tables(mt, ht, dt)
                continue
            sig = signature(mt is not None, ht is not None, dt is not None)
            kind = "missing-table" if dt is None else "stale-table"
            self._add(kind, (mt or dt).name, None, sig, _present(mt), _present(ht), _present(dt))
        return self.differences

    def _add(self, kind, table, column, sig, m, h, d, **detail):
        self.differences.append(Difference(kind, table, column, sig, m, h, d, detail))

    def _compare_tables(self, mt: Table, ht: Table | None, dt: Table) -> None:
        self._compare_columns(mt, ht, dt)
        self._compare_foreign_keys(mt, ht, dt)
        self._compare_indexes(mt, ht, dt)
        self._compare_checks(mt, ht, dt)

    def _compare_columns(self, mt: Table, ht: Table | None, dt: Table) -> None:
        names = {c.name.lower(): c.name for c in (*mt.columns, *dt.columns)}
        for lowered in sorted(names):
            mc, dc = mt.column(lowered), dt.column(lowered)
            hc = ht.column(lowered) if ht else None
            if mc is None or dc is None:
                kind = "missing-column" if dc is None else "stale-column"
                sig = signature(mc is not None, hc is not None, dc is not None)
                self._add(kind, mt.name, names[lowered], sig, _col(mc), _col(hc), _col(dc))
                continue
            self._compare_column(mt.name, mc, hc, dc)

    def _compare_column(self, table: str, mc: Column, hc: Column | None, dc: Column) -> None:
        def facet(kind, getter, **detail):
            values = [getter(c) if c is not None else ABSENT for c in (mc, hc, dc)]
            if values[0] != values[2]:
                self._add(kind, table, mc.name, signature(*values), *values, **detail)

        facet("column-type", lambda c: c.affinity,
              declared={"models": mc.declared_type, "history": hc.declared_type if hc else None,
                        "database": dc.declared_type})
        if mc.affinity == dc.affinity and normalize_type(mc.declared_type) != normalize_type(dc.declared_type):
            facet("column-type", lambda c: normalize_type(c.declared_type), affinity_same=True)
        facet("column-null", lambda c: "NOT NULL" if c.not_null else "NULL")
        facet("column-default", lambda c: normalize_default(c.default))
        facet("primary-key", lambda c: ("PRIMARY KEY AUTOINCREMENT" if c.autoincrement else "PRIMARY KEY")
              if c.primary_key else "not primary key")

    def _compare_foreign_keys(self, mt: Table, ht: Table | None, dt: Table) -> None:
        keys = {fk.key for fk in (*mt.foreign_keys, *dt.foreign_keys)}
        for key in sorted(keys):
            mf, df = mt.foreign_key(key), dt.foreign_key(key)
            hf = ht.foreign_key(key) if ht else None
            column = ", ".join(key)
            if mf is None or df is None:
                kind = "fk-missing" if df is None else "fk-extra"
                sig = signature(_fk(mf), _fk(hf), _fk(df))
                self._add(kind, mt.name, column, sig, _fk(mf), _fk(hf), _fk(df))
                continue
            for kind, getter in (
                ("fk-target", _fk_target),
                ("fk-action", lambda f: f"ON DELETE {f.on_delete} ON UPDATE {f.on_update}"),
                ("fk-deferrable", lambda f: "DEFERRABLE INITIALLY DEFERRED" if f.deferrable else "immediate"),
            ):
                values = [getter(f) if f is not None else ABSENT for f in (mf, hf, df)]
                if values[0] != values[2]:
                    self._add(kind, mt.name, column, signature(*values), *values)

    def _compare_indexes(self, mt: Table, ht: Table | None, dt: Table) -> None:
        def keyed(table: Table | None) -> dict:
            if table is None:
                return {}
            return {ix.key: ix for ix in table.indexes if ix.origin != "pk"}

        mi, hi, di = keyed(mt), keyed(ht), keyed(dt)
        for key in sorted(set(mi) | set(di), key=repr):
            m, h, d = mi.get(key), hi.get(key), di.get(key)
            if (m is None) == (d is None):
                continue
            present = m or d
            prefix = "unique" if present.unique else "index"
            kind = f"{prefix}-missing" if d is None else f"{prefix}-extra"
            column = ", ".join(present.columns)
            self._add(kind, mt.name, column, signature(_ix(m), _ix(h), _ix(d)), _ix(m), _ix(h), _ix(d),
                      index_name=present.name)

    def _compare_checks(self, mt: Table, ht: Table | None, dt: Table) -> None:
        m, h, d = set(mt.checks), set(ht.checks) if ht else set(), set(dt.checks)
        for check in sorted(m ^ d):
            kind = "check-missing" if check in m else "check-extra"
            values = [check if check in s else ABSENT for s in (m, h, d)]
            self._add(kind, mt.name, None, signature(*values), *values)


def _present(table: Table | None) -> str | None:
    if table is None:
        return None
    return f"table with columns {', '.join(table.column_names)}"


def _col(column: Column | None) -> str | None:
    return column.describe() if column else None


def _fk(fk: ForeignKey | None) -> str | None:
    return fk.describe() if fk else None


def _fk_target(fk: ForeignKey) -> str:
    return f"{fk.target_table.lower()}({', '.join(c.lower() for c in fk.target_columns)})"


def _ix(index: Index | None) -> str | None:
    return index.describe() if index else None
