"""What only the DDL text knows, read with sqlglot.

PRAGMA gives columns, keys and indexes verbatim, but not whether a key is DEFERRABLE, which
column is AUTOINCREMENT, or the CHECK constraints. Those come from parsing the ``CREATE TABLE``
text. sqlglot is used to *read* trees only: its regenerated SQL is never executed nor
compared as the definition (it changes affinities and drops clauses), only normalized
expressions (quoted, lower-cased identifiers) are compared.

Parsing is cached by text: models and history render mostly identical DDL.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

# sqlglot logs a warning for every statement it falls back on (WITHOUT ROWID, shadow tables);
# those are handled here, and the user's terminal is not the place for them.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class DdlFacts:
    parsed: bool
    deferrable: frozenset  # column-tuples (lower-cased) of keys that are DEFERRABLE INITIALLY DEFERRED
    autoincrement: frozenset  # lower-cased column names
    checks: tuple[str, ...]  # normalized CHECK expressions, sorted


def normalized_sql(node: exp.Expression) -> str:
    """Canonical text of an expression: identifiers quoted and case-folded like SQLite."""
    return normalize_identifiers(node.copy(), dialect="sqlite").sql(dialect="sqlite", identify=True)


def _is_deferred(options) -> bool:
    words = " ".join(str(o).upper() for o in (options or []))
    return "DEFERRABLE" in words and "NOT DEFERRABLE" not in words and "INITIALLY DEFERRED" in words


_DEFERRED_RE = re.compile(r"(?<!NOT )DEFERRABLE\s+INITIALLY\s+DEFERRED", re.IGNORECASE)


@lru_cache(maxsize=8192)
def table_facts(sql: str) -> DdlFacts:
    """Facts about one ``CREATE TABLE`` statement that PRAGMA cannot give."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return _fallback_facts(sql)
    schema = tree.this if isinstance(tree, exp.Create) else None
    if not isinstance(schema, exp.Schema):
        return _fallback_facts(sql)
    deferrable, autoinc, checks = set(), set(), []
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            col = item.name.lower()
            for constraint in item.constraints:
                kind = constraint.kind
                if isinstance(kind, exp.Reference) and _is_deferred(kind.args.get("options")):
                    deferrable.add((col,))
                elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                    autoinc.add(col)
                elif isinstance(kind, exp.CheckColumnConstraint):
                    checks.append(normalized_sql(kind.this))
        elif isinstance(item, exp.ForeignKey):
            ref = item.args.get("reference")
            if ref is not None and _is_deferred(ref.args.get("options")):
                deferrable.add(tuple(e.name.lower() for e in item.expressions))
        elif isinstance(item, exp.Constraint):
            for inner in item.expressions:
                if isinstance(inner, exp.CheckColumnConstraint):
                    checks.append(normalized_sql(inner.this))
        elif isinstance(item, exp.CheckColumnConstraint):
            checks.append(normalized_sql(item.this))
    return DdlFacts(True, frozenset(deferrable), frozenset(autoinc), tuple(sorted(checks)))


def _fallback_facts(sql: str) -> DdlFacts:
    """For DDL sqlglot cannot read (hand-written legacy SQL): what plain text can tell."""
    deferrable = set()
    for match in re.finditer(r'"?(\w+)"?\s+[^,(]*?REFERENCES\s+"?\w+"?\s*\([^)]*\)([^,]*)', sql, re.I):
        if _DEFERRED_RE.search(match.group(2)):
            deferrable.add((match.group(1).lower(),))
    autoinc = {m.group(1).lower() for m in re.finditer(r'"?(\w+)"?\s+integer[^,]*AUTOINCREMENT', sql, re.I)}
    return DdlFacts(False, frozenset(deferrable), frozenset(autoinc), ())


@lru_cache(maxsize=8192)
def index_where(sql: str | None) -> str | None:
    """The normalized WHERE clause of a partial ``CREATE INDEX``, if any."""
    if not sql or " where " not in sql.lower():
        return None
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return sql[sql.lower().rindex(" where ") + 7 :].strip()
    where = tree.find(exp.Where)
    return normalized_sql(where.this) if where is not None else None


@lru_cache(maxsize=8192)
def index_terms(sql: str | None) -> tuple[str, ...]:
    """The normalized terms of a ``CREATE INDEX`` (column or expression, no ordering), in order.

    Only needed for expression terms, which PRAGMA shows as a nameless column; empty when the
    text cannot be read.
    """
    if not sql:
        return ()
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except SqlglotError:
        return ()
    params = tree.find(exp.IndexParameters)
    if params is None:
        return ()
    terms = []
    for term in params.args.get("columns") or []:
        node = term.this if isinstance(term, exp.Ordered) else term
        while isinstance(node, exp.Paren):
            node = node.this
        terms.append(normalized_sql(node))
    return tuple(terms)
