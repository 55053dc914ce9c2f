"""The one normalized schema model shared by all three sources.

Models (M) and history (H) are rendered by Django's own SQLite schema editor into scratch
databases and the real database (D) is read as it is; all three are then read by the same
reader (:mod:`driftaudit.introspect`) into these frozen dataclasses, so that a difference
between two catalogs is a difference between two databases, never between two readers.

Facts are normalized where SQLite itself does not care (identifier case, column order, index
and constraint names, spelling of the declared type); anything SQLite behaves differently on
is kept (affinity, NOT NULL, defaults, FK targets and clauses, uniqueness, partial WHERE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


def affinity(declared_type: str) -> str:
    """SQLite's type affinity for a declared column type (section 3.1 of datatype3.html)."""
    t = declared_type.upper()
    if "INT" in t:
        return "INTEGER"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "TEXT"
    if "BLOB" in t or not t.strip():
        return "BLOB"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "REAL"
    return "NUMERIC"


@dataclass(frozen=True)
class Column:
    """A column as SQLite declares it, the same shape whichever source (M, H or D) it was read from."""

    name: str
    declared_type: str
    not_null: bool
    default: str | None
    primary_key: bool
    autoincrement: bool = False
    #: a generated column (``GeneratedField``): its expression, normalized (identifiers quoted
    #: and case-folded, grouping parentheses dropped); None for a column that is written to
    generated: str | None = None
    #: a generated column's values are kept in the rows (``STORED``), not computed on read (``VIRTUAL``)
    stored: bool = False

    @property
    def affinity(self) -> str:
        return affinity(self.declared_type)

    @property
    def generation(self) -> str:
        """How the column gets its values, e.g. ``GENERATED ALWAYS AS ("n" * 2) STORED``."""
        if self.generated is None:
            return "not generated"
        return f"GENERATED ALWAYS AS ({self.generated}) {'STORED' if self.stored else 'VIRTUAL'}"

    def describe(self) -> str:
        """Short human form, e.g. ``integer NOT NULL, no default``."""
        parts = [self.declared_type or "(no type)"]
        if self.primary_key:
            parts.append("PRIMARY KEY")
        if self.generated is not None:
            return " ".join(parts + [self.generation])
        parts.append("NOT NULL" if self.not_null else "NULL")
        text = " ".join(parts)
        if not self.primary_key:
            text += ", no default" if self.default is None else f", default {self.default}"
        return text


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key as SQLite enforces it (``PRAGMA foreign_key_list``, with the DDL's DEFERRABLE)."""

    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: bool = False

    @property
    def key(self) -> tuple:
        """Identity of a key within its table: which columns it constrains."""
        return tuple(c.lower() for c in self.columns)

    def describe(self) -> str:
        text = f"({', '.join(self.columns)}) -> {self.target_table}({', '.join(self.target_columns)})"
        if self.on_delete != "NO ACTION":
            text += f" ON DELETE {self.on_delete}"
        if self.on_update != "NO ACTION":
            text += f" ON UPDATE {self.on_update}"
        text += " DEFERRABLE INITIALLY DEFERRED" if self.deferrable else " immediate"
        return text


@dataclass(frozen=True)
class Index:
    """An index or a UNIQUE/PRIMARY KEY constraint, identified by definition, not name."""

    name: str
    columns: tuple[str, ...]
    unique: bool
    origin: str  # "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY
    where: str | None = None
    sql: str | None = None
    #: what the index orders by, normalized: lower-cased column names or expression text, each
    #: with ``DESC`` / ``COLLATE x`` when not the default (empty: the plain column names).
    terms: tuple[str, ...] = ()

    @property
    def key(self) -> tuple:
        return (self.terms or tuple(c.lower() for c in self.columns), self.unique, self.where)

    def describe(self) -> str:
        kind = "unique index" if self.unique else "index"
        text = f"{kind} on ({', '.join(self.terms or self.columns)})"
        if self.where:
            text += f" WHERE {self.where}"
        return text


@dataclass(frozen=True)
class Table:
    """A table of one source's catalog: the unit the three-way diff compares."""

    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    checks: tuple[str, ...] = ()
    sql: str = ""

    def column(self, name: str) -> Column | None:
        lowered = name.lower()
        for col in self.columns:
            if col.name.lower() == lowered:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def foreign_key(self, key: tuple) -> ForeignKey | None:
        for fk in self.foreign_keys:
            if fk.key == key:
                return fk
        return None

    @property
    def primary_key_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.primary_key)

    @property
    def written_columns(self) -> tuple[str, ...]:
        """The columns an ``INSERT`` can name: a generated column's values are SQLite's own."""
        return tuple(c.name for c in self.columns if c.generated is None)


@dataclass(frozen=True)
class RawObject:
    """A trigger, view or virtual table: compared by normalized SQL text."""

    type: str  # "trigger", "view", "virtual-table"
    name: str
    table: str
    sql: str


@dataclass(frozen=True)
class Catalog:
    """Everything one source says about the schema. Keys are lower-cased table names."""

    tables: Mapping[str, Table] = field(default_factory=dict)
    raw_objects: Mapping[str, RawObject] = field(default_factory=dict)
    #: lower-cased names of the indexes the models name themselves (``Meta.indexes``,
    #: ``Meta.constraints``): later migrations remove and rename them *by name*, so for these
    #: the name is part of the schema (empty for a database, whose names are all facts).
    declared_index_names: frozenset = frozenset()

    def table(self, name: str) -> Table | None:
        return self.tables.get(name.lower())

    def referencing(self, table_name: str) -> list[tuple[Table, ForeignKey]]:
        """Every (child table, key) whose key points at ``table_name``."""
        target = table_name.lower()
        return [
            (t, fk)
            for t in self.tables.values()
            for fk in t.foreign_keys
            if fk.target_table.lower() == target
        ]
