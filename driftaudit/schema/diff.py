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

from driftaudit.schema.catalog import Catalog, Column, ForeignKey, Index, Table

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
    """One object on which the sources disagree, with what each of M, H and D has (``None``: absent)."""

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
        self._gone: set[str] = set()
        self._renamed_tables: dict[str, str] = {}  # old (database) name -> new (models) name
        self._dependents: dict[str, list[str]] = {}

    def run(self) -> list[Difference]:
        names = (set(self.m.tables) | set(self.h.tables) | set(self.d.tables)) - self.ignore
        missing = sorted(n for n in names if n in self.m.tables and n not in self.d.tables)
        stale = sorted(n for n in names if n in self.d.tables and n not in self.m.tables)
        renamed = pair_renamed(
            {n: table_shape(self.m.tables[n]) for n in missing},
            {n: table_shape(self.d.tables[n]) for n in stale},
        )
        self._renamed_tables = {old: new for new, old in renamed.items()}
        for new, old in renamed.items():
            self._renamed_table(self.m.tables[new], self.d.tables[old])
        paired = set(renamed) | set(renamed.values())
        for name in sorted(names - paired):
            mt, ht, dt = self.m.table(name), self.h.table(name), self.d.table(name)
            if mt is None and dt is None:
                continue  # only history has it: a history fact, not a schema problem
            if mt is not None and dt is not None:
                if _ddl_text(mt) != _ddl_text(dt):  # byte-identical DDL cannot differ in any fact
                    self._compare_tables(mt, ht, dt)
                self._compare_index_names(mt, ht, dt)
                continue
            sig = signature(mt is not None, ht is not None, dt is not None)
            kind = "missing-table" if dt is None else "stale-table"
            self._add(kind, (mt or dt).name, None, sig, _present(mt), _present(ht), _present(dt))
        return self.differences

    def _renamed_table(self, mt: Table, dt: Table) -> None:
        """One table under two names: the models' name is missing, the database's is stale.

        The history decides the signature: which of the two names does it know?
        """
        ht_new, ht_old = self.h.table(mt.name), self.h.table(dt.name)
        h_name = mt.name.lower() if ht_new is not None else dt.name.lower() if ht_old is not None else None
        sig = signature(mt.name.lower(), h_name, dt.name.lower())
        self._add("renamed-table", mt.name, None, sig, f"table {mt.name}",
                  f"table {(ht_new or ht_old).name}" if (ht_new or ht_old) else None,
                  f"table {dt.name}", old_table=dt.name,
                  evidence=f"same columns: {', '.join(c.name for c in mt.columns)}")

    def _add(self, kind, table, column, sig, m, h, d, **detail):
        self.differences.append(Difference(kind, table, column, sig, m, h, d, detail))

    def _compare_tables(self, mt: Table, ht: Table | None, dt: Table) -> None:
        missing = [c for c in mt.columns if dt.column(c.name) is None]
        stale = [c for c in dt.columns if mt.column(c.name) is None]
        renamed = pair_renamed({c.name.lower(): column_shape(c) for c in missing},
                               {c.name.lower(): column_shape(c) for c in stale})
        # Keys, indexes and checks on a column that exists on one side only are part of that
        # column's finding (adding or dropping the column brings or takes them), not findings.
        self._gone = {c.name.lower() for c in (*missing, *stale)}
        self._dependents: dict[str, list[str]] = {}
        self._compare_foreign_keys(mt, ht, dt)
        self._compare_indexes(mt, ht, dt)
        self._compare_checks(mt, ht, dt)
        for new, old in renamed.items():
            mc, dc = mt.column(new), dt.column(old)
            hc_new, hc_old = (ht.column(new), ht.column(old)) if ht else (None, None)
            h_name = new if hc_new is not None else old if hc_old is not None else None
            sig = signature(new, h_name, old)
            self._add("renamed-column", mt.name, mc.name, sig, f"{mc.name} {_col(mc)}",
                      f"{(hc_new or hc_old).name} {_col(hc_new or hc_old)}" if (hc_new or hc_old) else None,
                      f"{dc.name} {_col(dc)}", old_column=dc.name,
                      with_objects=self._dependents.get(new, []) + self._dependents.get(old, []))
        paired = set(renamed) | set(renamed.values())
        for col in (*missing, *stale):
            lowered = col.name.lower()
            if lowered in paired:
                continue
            mc, dc = mt.column(lowered), dt.column(lowered)
            hc = ht.column(lowered) if ht else None
            kind = "missing-column" if dc is None else "stale-column"
            sig = signature(mc is not None, hc is not None, dc is not None)
            self._add(kind, mt.name, col.name, sig, _col(mc), _col(hc), _col(dc),
                      with_objects=self._dependents.get(lowered, []))
        for mc in mt.columns:
            dc = dt.column(mc.name)
            if dc is not None:
                self._compare_column(mt.name, mc, ht.column(mc.name) if ht else None, dc)

    def _depends_on_gone(self, columns, description: str) -> bool:
        """Is this object on a column that only one side has? Then note it on that column."""
        gone = [c.lower() for c in columns if c.lower() in self._gone]
        for c in gone:
            self._dependents.setdefault(c, []).append(description)
        return bool(gone)

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
        # a GeneratedField whose expression or db_persist changed: Django's migrate refuses the
        # AlterField ("Modifying GeneratedFields is not supported"), so --fake is how it drifts
        facet("column-generated", lambda c: c.generation)

    def _compare_foreign_keys(self, mt: Table, ht: Table | None, dt: Table) -> None:
        keys = {fk.key for fk in (*mt.foreign_keys, *dt.foreign_keys)}
        for key in sorted(keys):
            mf, df = mt.foreign_key(key), dt.foreign_key(key)
            hf = ht.foreign_key(key) if ht else None
            column = ", ".join(key)
            if (mf is None or df is None) and self._depends_on_gone(key, f"foreign key {_fk(mf or df)}"):
                continue
            if mf is None or df is None:
                kind = "fk-missing" if df is None else "fk-extra"
                sig = signature(_fk(mf), _fk(hf), _fk(df))
                self._add(kind, mt.name, column, sig, _fk(mf), _fk(hf), _fk(df))
                continue
            renamed = self._renamed_tables
            for kind, getter in (
                # a key to a renamed table is part of the renamed-table finding
                ("fk-target", lambda f: _fk_target(f, renamed)),
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
            if self._depends_on_gone(_index_columns(present), _ix(present)):
                continue
            prefix = "unique" if present.unique else "index"
            kind = f"{prefix}-missing" if d is None else f"{prefix}-extra"
            column = ", ".join(present.columns)
            self._add(kind, mt.name, column, signature(_ix(m), _ix(h), _ix(d)), _ix(m), _ix(h), _ix(d),
                      index_name=present.name)

    def _compare_index_names(self, mt: Table, ht: Table | None, dt: Table) -> None:
        """The same index under another name, when the models name it: a later migration that
        removes or renames it by its name fails (a faked ``RenameIndex``, django-taggit 0006)."""
        named = self.m.declared_index_names
        if not named:
            return
        have: dict[tuple, list[Index]] = {}
        for ix in dt.indexes:
            if ix.origin == "c":
                have.setdefault(ix.key, []).append(ix)
        history = {ix.key: ix for ix in ht.indexes if ix.origin == "c"} if ht else {}
        for m in mt.indexes:
            same = have.get(m.key, [])
            # (two indexes may cover the same columns: db_index=True beside a named Meta index)
            if m.origin != "c" or not same or m.name.lower() not in named or \
                    any(d.name.lower() == m.name.lower() for d in same):
                continue
            d = same[0]
            h = history.get(m.key)
            self._add("index-renamed", mt.name, ", ".join(m.columns), signature(m.name, h and h.name, d.name),
                      m.name, h and h.name, d.name, index_name=m.name, old_name=d.name)

    def _compare_checks(self, mt: Table, ht: Table | None, dt: Table) -> None:
        m, h, d = set(mt.checks), set(ht.checks) if ht else set(), set(dt.checks)
        for check in sorted(m ^ d):
            columns = check_columns(check)
            if self._depends_on_gone(columns, f"CHECK ({check})"):
                continue
            kind = "check-missing" if check in m else "check-extra"
            values = [check if check in s else ABSENT for s in (m, h, d)]
            column = columns[0] if len(columns) == 1 else None
            table = mt if check in m else dt
            if column and table.column(column):
                column = table.column(column).name
            self._add(kind, mt.name, column, signature(*values), *values)


def _ddl_text(table: Table) -> tuple:
    """The table's whole DDL: its CREATE TABLE and every CREATE INDEX on it (names aside)."""
    indexes = sorted(_index_body(ix.sql) for ix in table.indexes if ix.sql)
    return (table.sql, tuple(indexes))


def _index_body(sql: str) -> str:
    """``CREATE INDEX "name" ON ...`` without its name, which never matters."""
    return re.sub(r'^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:"[^"]*"|\S+)\s+', r"CREATE \1INDEX ", sql, flags=re.I)


def check_columns(check: str) -> list[str]:
    """The (lower-cased) columns a normalized CHECK expression names, in order of appearance."""
    seen: list[str] = []
    for name in re.findall(r'"((?:[^"]|"")+)"', check):
        name = name.replace('""', '"').lower()
        if name not in seen:
            seen.append(name)
    return seen


def _index_columns(index: Index) -> list[str]:
    """Columns an index covers: plain columns by name, expression terms by the names they use."""
    names: list[str] = []
    for term in index.terms or tuple(f'"{c}"' for c in index.columns):
        names.extend(check_columns(term))
    return names


def column_shape(column: Column) -> tuple:
    """What a column is, apart from its name: the facts a rename keeps."""
    return (normalize_type(column.declared_type), column.not_null, normalize_default(column.default),
            column.primary_key, column.generation)


def table_shape(table: Table) -> tuple:
    """What a table is, apart from its name: its columns' names and shapes, in any order."""
    return tuple(sorted((c.name.lower(), column_shape(c)) for c in table.columns))


def pair_renamed(missing: Mapping[str, tuple], stale: Mapping[str, tuple]) -> dict[str, str]:
    """Pair each missing name with the one stale name of the same shape: ``{new: old}``.

    Only unambiguous pairs count: a shape shared by several missing or several stale objects
    could be any of them, so those stay separate findings.
    """
    pairs = {}
    for new, shape in missing.items():
        olds = [old for old, other in stale.items() if other == shape]
        news = [n for n, other in missing.items() if other == shape]
        if len(olds) == 1 and len(news) == 1:
            pairs[new] = olds[0]
    return pairs


def _present(table: Table | None) -> str | None:
    if table is None:
        return None
    return f"table with columns {', '.join(table.column_names)}"


def _col(column: Column | None) -> str | None:
    return column.describe() if column else None


def _fk(fk: ForeignKey | None) -> str | None:
    return fk.describe() if fk else None


def _fk_target(fk: ForeignKey, renamed: Mapping[str, str] = {}) -> str:  # noqa: B006 - read only
    table = fk.target_table.lower()
    return f"{renamed.get(table, table)}({', '.join(c.lower() for c in fk.target_columns)})"


def _ix(index: Index | None) -> str | None:
    return index.describe() if index else None


def schema_diff(sources) -> list[Difference]:
    """The audit's three-way diff: the catalogs of :class:`~driftaudit.schema.read.Sources`,
    tables that are not models' tables aside."""
    return ThreeWayDiff(sources.m_cat, sources.h_cat, sources.d_cat,
                        ignore_tables=sources.not_model_tables).run()


def same_table(a: Table | None, b: Table | None) -> bool:
    """The same table (columns by name, keys, indexes, checks; order and index names aside)."""
    if a is None or b is None:
        return a is b
    one, other = Catalog({a.name.lower(): a}), Catalog({a.name.lower(): b})
    return not ThreeWayDiff(one, one, other).run()
