"""What only the DDL text knows, read with sqlglot.

PRAGMA gives columns, keys and indexes verbatim, but not whether a key is DEFERRABLE, which
column is AUTOINCREMENT, the CHECK constraints, or a generated column's expression. Those come
from parsing the ``CREATE TABLE`` text. sqlglot is used to *read* trees only: its regenerated
SQL is never executed nor compared as the definition (it changes affinities and drops clauses),
only normalized expressions (quoted, lower-cased identifiers) are compared.

Parsing is cached by text: models and history render mostly identical DDL. What is read from
each text (table facts, partial-index WHERE, index terms: pure functions of the text) is also
kept between runs per project (:func:`load_ddl_facts`, :func:`save_ddl_facts`, in the state
cache folder), so a warm audit of an unchanged project neither imports sqlglot (~0.1 s) nor
parses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

# sqlglot logs a warning for every statement it falls back on (WITHOUT ROWID, shadow tables);
# those are handled here, and the user's terminal is not the place for them.
logging.getLogger("sqlglot").setLevel(logging.ERROR)


@lru_cache(maxsize=1)
def _sqlglot() -> SimpleNamespace:
    """sqlglot, imported on the first text that is not in the facts cache."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
    from sqlglot.optimizer.simplify import simplify_parens

    return SimpleNamespace(parse_one=sqlglot.parse_one, exp=exp, SqlglotError=SqlglotError,
                           normalize_identifiers=normalize_identifiers, simplify_parens=simplify_parens)


@dataclass(frozen=True)
class DdlFacts:
    """What only a table's CREATE text says (PRAGMAs do not): deferrable keys, AUTOINCREMENT, CHECKs,
    generated columns. Cached by DDL text: parsing is the costly part of reading a catalog."""

    parsed: bool
    deferrable: frozenset  # column-tuples (lower-cased) of keys that are DEFERRABLE INITIALLY DEFERRED
    autoincrement: frozenset  # lower-cased column names
    checks: tuple[str, ...]  # normalized CHECK expressions, sorted
    #: (lower-cased column, normalized expression) of each ``GENERATED ALWAYS AS`` column
    generated: tuple[tuple[str, str], ...] = ()


def normalized_sql(node) -> str:
    """Canonical text of an expression (a sqlglot node): identifiers quoted and case-folded like SQLite."""
    return _sqlglot().normalize_identifiers(node.copy(), dialect="sqlite").sql(dialect="sqlite", identify=True)


def generated_expression(node) -> str:
    """Canonical text of a generated column's expression: :func:`normalized_sql` without the
    parentheses that group nothing.

    Django wraps every combined expression in parentheses and the ``AS (...)`` clause adds its
    own (``AS (("n" * 2))``); another release or a hand-written column may write fewer. Only
    parentheses that do not change how SQLite reads the expression are dropped (sqlglot's
    ``simplify_parens``, innermost first), so ``("n" + 1) * 2`` keeps its grouping. The values
    of an ``IN (...)`` list are sorted: Django writes some from a Python set (``KT()``'s
    ``IN ('false','null','true')``), in another order in every process.
    """
    g = _sqlglot()
    tree = node.copy()
    for member in tree.find_all(g.exp.In):
        values = member.args.get("expressions")
        if values:
            member.set("expressions", sorted(values, key=lambda v: v.sql(dialect="sqlite")))
    while isinstance(tree, g.exp.Paren):
        tree = tree.this
    for paren in reversed(list(tree.find_all(g.exp.Paren))):
        try:
            simpler = g.simplify_parens(paren, "sqlite")
        except TypeError:  # sqlglot before the dialect argument
            simpler = g.simplify_parens(paren)
        if simpler is not paren:
            paren.replace(simpler)
    while isinstance(tree, g.exp.Paren):
        tree = tree.this
    return normalized_sql(tree)


def _is_deferred(options) -> bool:
    words = " ".join(str(o).upper() for o in (options or []))
    return "DEFERRABLE" in words and "NOT DEFERRABLE" not in words and "INITIALLY DEFERRED" in words


_DEFERRED_RE = re.compile(r"(?<!NOT )DEFERRABLE\s+INITIALLY\s+DEFERRED", re.IGNORECASE)


def table_facts(sql: str) -> DdlFacts:
    """Facts about one ``CREATE TABLE`` statement that PRAGMA cannot give."""
    return _remembered("table", sql, _read_table_facts)


def _read_table_facts(sql: str) -> DdlFacts:
    """A plain text without sqlglot (its import and parse are most of a cold run's extra cost)."""
    from driftaudit.schema.plain_ddl import plain_table_facts

    plain = plain_table_facts(sql)
    return DdlFacts(True, *plain) if plain is not None else _parse_table_facts(sql)


def _remembered(kind: str, sql: str, parse):
    """``parse(sql)``, from the facts kept between runs when this text was seen before."""
    known = _FACTS["known"]
    key = (kind, sql)
    if key not in known:
        known[key] = parse(sql)
        _FACTS["new"] = True
    _FACTS["used"].add(key)
    return known[key]


def _parse_table_facts(sql: str) -> DdlFacts:
    g = _sqlglot()
    exp = g.exp
    try:
        tree = g.parse_one(sql, read="sqlite")
    except g.SqlglotError:
        return _fallback_facts(sql)
    schema = tree.this if isinstance(tree, exp.Create) else None
    if not isinstance(schema, exp.Schema):
        return _fallback_facts(sql)
    deferrable, autoinc, checks, generated = set(), set(), [], {}
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            col = item.name.lower()
            for constraint in item.constraints:
                kind = constraint.kind
                if isinstance(kind, exp.Reference) and _is_deferred(kind.args.get("options")):
                    deferrable.add((col,))
                elif isinstance(kind, exp.AutoIncrementColumnConstraint):
                    autoinc.add(col)
                elif isinstance(kind, exp.ComputedColumnConstraint):
                    generated[col] = generated_expression(kind.this)
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
    return DdlFacts(True, frozenset(deferrable), frozenset(autoinc), tuple(sorted(checks)),
                    tuple(sorted(generated.items())))


def _fallback_facts(sql: str) -> DdlFacts:
    """For DDL sqlglot cannot read (hand-written legacy SQL): what plain text can tell."""
    deferrable = set()
    for match in re.finditer(r'"?(\w+)"?\s+[^,(]*?REFERENCES\s+"?\w+"?\s*\([^)]*\)([^,]*)', sql, re.I):
        if _DEFERRED_RE.search(match.group(2)):
            deferrable.add((match.group(1).lower(),))
    autoinc = {m.group(1).lower() for m in re.finditer(r'"?(\w+)"?\s+integer[^,]*AUTOINCREMENT', sql, re.I)}
    return DdlFacts(False, frozenset(deferrable), frozenset(autoinc), ())


def index_where(sql: str | None) -> str | None:
    """The normalized WHERE clause of a partial ``CREATE INDEX``, if any."""
    if not sql or " where " not in sql.lower():
        return None
    return _remembered("where", sql, _read_index_where)


def _read_index_where(sql: str) -> str | None:
    from driftaudit.schema.plain_ddl import plain_index_where

    return plain_index_where(sql) or _parse_index_where(sql)


def _parse_index_where(sql: str) -> str | None:
    g = _sqlglot()
    try:
        tree = g.parse_one(sql, read="sqlite")
    except g.SqlglotError:
        return sql[sql.lower().rindex(" where ") + 7 :].strip()
    where = tree.find(g.exp.Where)
    return normalized_sql(where.this) if where is not None else None


def index_terms(sql: str | None) -> tuple[str, ...]:
    """The normalized terms of a ``CREATE INDEX`` (column or expression, no ordering), in order.

    Only needed for expression terms, which PRAGMA shows as a nameless column; empty when the
    text cannot be read.
    """
    if not sql:
        return ()
    return _remembered("terms", sql, _read_index_terms)


def _read_index_terms(sql: str) -> tuple[str, ...]:
    from driftaudit.schema.plain_ddl import plain_index_terms

    plain = plain_index_terms(sql)
    return _parse_index_terms(sql) if plain is None else plain


def _parse_index_terms(sql: str) -> tuple[str, ...]:
    g = _sqlglot()
    try:
        tree = g.parse_one(sql, read="sqlite")
    except g.SqlglotError:
        return ()
    exp = g.exp
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


# -- facts kept between runs ---------------------------------------------------------------
#: ``known``: (kind, text) -> what was read from it; ``used``: the keys this run asked for;
#: ``key``: the cache key of the project being audited (None: kept in memory only).
_FACTS: dict = {"known": {}, "used": set(), "new": False, "key": None}


def load_ddl_facts(project: str) -> None:
    """Use the facts kept for ``project`` (any string naming it), from the cache folder.

    One entry per project, holding only the texts its last audit read, so loading it costs
    what the project's size does, not what every audited project ever left behind. The key
    also covers driftaudit, this module and the installed sqlglot, which the facts depend on.
    """
    from importlib.util import find_spec

    from driftaudit import __version__
    from driftaudit.sources import statecache

    try:
        spec = find_spec("sqlglot")
        stamps = [(os.stat(path).st_size, os.stat(path).st_mtime_ns) for path in (__file__, spec.origin)]
    except (OSError, ValueError, TypeError, AttributeError):
        return
    key = hashlib.sha256(repr((__version__, project, stamps, spec.origin)).encode()).hexdigest()
    if key != _FACTS["key"]:
        loaded = statecache.load(key, "ddl")
        _FACTS.update(known=loaded if isinstance(loaded, dict) else {}, used=set(), new=False, key=key)


def save_ddl_facts() -> None:
    """Keep the facts this run read (when it had to parse any); a failure only costs a parse."""
    from driftaudit.sources import statecache

    if _FACTS["new"] and _FACTS["key"] is not None:
        known = _FACTS["known"]
        statecache.store(_FACTS["key"], {k: known[k] for k in _FACTS["used"] if k in known}, "ddl")
    _FACTS["new"] = False
