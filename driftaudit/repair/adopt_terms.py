"""What the database has, written as the Django code that declares it.

``driftaudit adopt`` keeps a hand-made index, a widened column or a changed NULL/DEFAULT: the
model must then say the same thing in Django's words. This module writes those words as
source text - ``models.Index(fields=["title"], name="books_title_idx")``, a partial index's
``condition=models.Q(status="open")``, a keyword value - in the models file's quote style.
The text is the single truth: :func:`evaluate` turns it into the object the migration
serializes, so the file and the migration cannot disagree.

Only what maps one to one is written; anything else (an index on an expression, a WHERE that
is not a comparison of columns with literals, a DEFAULT that is not a literal) raises
:class:`CannotAdopt` with the reason, for the user to write by hand.
"""

from __future__ import annotations

import re

from driftaudit.schema.catalog import Index
from driftaudit.schema.diff import normalize_default
from driftaudit.sources.model_source import string_literal

#: Django's system checks for ``Meta.indexes`` names (models.E033, models.E034)
INDEX_NAME_MAX = 30
_TERM_RE = re.compile(r'^"((?:[^"]|"")+)"( DESC)?$')
_COMPARISONS = {"EQ": "", "GT": "__gt", "GTE": "__gte", "LT": "__lt", "LTE": "__lte"}
_FLIPPED = {"GT": "LT", "GTE": "LTE", "LT": "GT", "LTE": "GTE", "EQ": "EQ", "NEQ": "NEQ"}


class CannotAdopt(Exception):
    """One finding cannot be adopted; the message says why, in one line."""


def field_for_column(model, column: str):
    """The concrete field of ``model`` stored in ``column`` (case-insensitive), or None."""
    lowered = column.lower()
    for field in model._meta.concrete_fields:
        if (field.column or "").lower() == lowered:
            return field
    return None


def literal(value, quote: str) -> str:
    """A Python literal for a keyword value: strings in the file's quote style."""
    if isinstance(value, str):
        return string_literal(value, quote)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, quote) for v in value) + "]"
    return repr(value)


def index_source(model, index: Index, alias: str, quote: str) -> str:
    """``models.Index(...)`` / ``models.UniqueConstraint(...)`` for a database index."""
    names = []
    for term in index.terms or tuple(f'"{c}"' for c in index.columns):
        match = _TERM_RE.match(term)
        if not match:
            raise CannotAdopt(f"index {index.name} is on an expression or a collation ({term}): write it "
                              f"in Meta by hand")
        field = field_for_column(model, match.group(1).replace('""', '"'))
        if field is None:
            raise CannotAdopt(f"index {index.name} covers column {match.group(1)}, which model "
                              f"{model._meta.label} has no field for")
        if match.group(2) and index.unique:
            raise CannotAdopt(f"unique index {index.name} orders {field.name} DESC, which "
                              "UniqueConstraint(fields=...) cannot say")
        names.append(("-" if match.group(2) else "") + field.name)
    parts = [f"fields={literal(names, quote)}"]
    if index.origin == "c":
        name = index.name
    else:  # an inline UNIQUE: SQLite names it sqlite_autoindex_..., Django needs a name of its own
        name = f"{model._meta.db_table}_{'_'.join(n.lstrip('-') for n in names)}_uniq"
    if not index.unique and (len(name) > INDEX_NAME_MAX or name[0] == "_" or name[0].isdigit()):
        raise CannotAdopt(f"Django refuses the index name {name} in Meta.indexes (at most {INDEX_NAME_MAX} "
                          "characters, not starting with _ or a digit: models.E033/E034); rename the index in "
                          "the database first (DROP INDEX, CREATE INDEX)")
    parts.append(f"name={string_literal(name, quote)}")
    if index.where:
        parts.append(f"condition={condition_source(model, index, alias, quote)}")
    return f"{alias}.{'UniqueConstraint' if index.unique else 'Index'}({', '.join(parts)})"


def condition_source(model, index: Index, alias: str, quote: str) -> str:
    """A partial index's WHERE as ``models.Q(...)`` (comparisons of columns with literals,
    IS [NOT] NULL, IN, AND, OR, NOT), in the order the SQL has them."""
    import sqlglot
    from sqlglot import exp

    try:
        where = sqlglot.parse_one(index.sql or "", read="sqlite").find(exp.Where)
    except sqlglot.errors.SqlglotError:
        where = None
    if where is None:
        raise CannotAdopt(f"the WHERE clause of index {index.name} cannot be read")
    return _ConditionWriter(model, index, alias, quote).write(where.this)


class _ConditionWriter:
    def __init__(self, model, index: Index, alias: str, quote: str):
        self.model, self.index, self.alias, self.quote = model, index, alias, quote

    def refuse(self, node) -> CannotAdopt:
        return CannotAdopt(f"the WHERE of index {self.index.name} ({node.sql(dialect='sqlite')}) is not a "
                           "comparison of columns with literals: write its condition=Q(...) by hand")

    def q(self, lookup: str, value) -> str:
        return f"{self.alias}.Q({lookup}={literal(value, self.quote)})"

    def write(self, node) -> str:
        from sqlglot import exp

        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, (exp.And, exp.Or)):
            joiner = " & " if isinstance(node, exp.And) else " | "
            return joiner.join(self._grouped(side, type(node)) for side in (node.left, node.right))
        if isinstance(node, exp.Not):
            inner = node.this
            while isinstance(inner, exp.Paren):
                inner = inner.this
            if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
                return self.q(f"{self.field(inner.this, node)}__isnull", False)
            if isinstance(inner, exp.Column):
                return self.q(self.field(inner, node), False)
            return f"~{self._grouped(inner, exp.Not)}"
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            return self.q(f"{self.field(node.this, node)}__isnull", True)
        if isinstance(node, exp.Column):
            return self.q(self.field(node, node), True)
        if isinstance(node, exp.In) and isinstance(node.this, exp.Column):
            values = [self.value(v, node) for v in node.expressions]
            return self.q(f"{self.field(node.this, node)}__in", values)
        kind = type(node).__name__
        if kind in _FLIPPED and isinstance(node.this, exp.Column) or \
                kind in _FLIPPED and isinstance(node.expression, exp.Column):
            column, other = (node.this, node.expression) if isinstance(node.this, exp.Column) \
                else (node.expression, node.this)
            kind = kind if column is node.this else _FLIPPED[kind]
            value = self.value(other, node)
            if kind == "NEQ":
                return f"~{self.q(self.field(column, node), value)}"
            return self.q(self.field(column, node) + _COMPARISONS[kind], value)
        raise self.refuse(node)

    def _grouped(self, node, parent) -> str:
        from sqlglot import exp

        while isinstance(node, exp.Paren):
            node = node.this
        text = self.write(node)
        needs = isinstance(node, (exp.And, exp.Or)) and not isinstance(node, parent)
        return f"({text})" if needs or (parent is exp.Not and " " in text) else text

    def field(self, column, node) -> str:
        from sqlglot import exp

        if not isinstance(column, exp.Column) or column.table:
            raise self.refuse(node)
        field = field_for_column(self.model, column.name)
        if field is None:
            raise self.refuse(node)
        return field.name

    def value(self, node, parent):
        from sqlglot import exp

        negative = isinstance(node, exp.Neg)
        if negative:
            node = node.this
        if isinstance(node, exp.Boolean) and not negative:
            return bool(node.this)
        if isinstance(node, exp.Literal):
            if node.is_string and not negative:
                return node.this
            if not node.is_string:
                number = float(node.this) if re.search(r"[.eE]", node.this) else int(node.this)
                return -number if negative else number
        raise self.refuse(parent)


def default_value(field, default: str | None):
    """The Python value of a column's SQL DEFAULT literal, for ``db_default=``."""
    text = normalize_default(default)
    if text is None:
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        value = text[1:-1].replace("''", "'")
    elif re.fullmatch(r"[-+]?\d+", text):
        value = int(text)
    elif re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+", text):
        value = float(text)
    elif text.upper() in ("TRUE", "FALSE"):
        value = text.upper() == "TRUE"
    else:
        raise CannotAdopt(f"DEFAULT {text} is not a literal: set db_default=... on "
                          f"{field.model._meta.label}.{field.name} by hand")
    if field.get_internal_type() == "BooleanField" and value in (0, 1):
        return bool(value)
    return value


def evaluate(source: str, alias: str):
    """The object a source text written by this module makes (only ``models.*`` calls and
    literals: the text is ours, not the project's)."""
    from django.db import models

    return eval(compile(source, "<driftaudit adopt>", "eval"), {"__builtins__": {}, alias: models})  # noqa: S307
