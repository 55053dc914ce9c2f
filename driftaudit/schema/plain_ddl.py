"""The facts of a plain ``CREATE TABLE`` without sqlglot: the shape Django's schema editor writes.

Importing sqlglot and parsing every table is the largest cost of a cold audit that Django's own
``makemigrations --check`` does not pay (~0.2 s of 1.7 s on a Wagtail site, benchmarks/NOTES.md).
Most tables are plain: quoted column names, a type, ``NOT NULL``/``NULL``, ``PRIMARY KEY
AUTOINCREMENT``, a literal ``DEFAULT``, ``UNIQUE``, ``REFERENCES "t" ("c") DEFERRABLE INITIALLY
DEFERRED`` and the ``CHECK ("c" >= 0)`` of Django's positive integer fields. For those,
:func:`plain_table_facts` reads the same :class:`~driftaudit.schema.ddl.DdlFacts` sqlglot would
give; for anything else (another CHECK, a generated column, an expression default, a table-level
key, comments, ``WITHOUT ROWID``...) it returns None and sqlglot reads the text, as before.

It is a recogniser, not a parser: a text is accepted only when every token is one it knows in a
place it expects. tests/schema/test_plain_ddl.py checks it against sqlglot on every table of the
sample projects, the DDL goldens of each Django release and generated Django-like texts.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<string>'(?:[^']|'')*')
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<punct>>=|<=|<>|!=|[=<>(),])
""", re.VERBOSE)

#: words a column definition may hold outside its type; anything else sends the text to sqlglot
_COLUMN_WORDS = frozenset({"NOT", "NULL", "PRIMARY", "KEY", "AUTOINCREMENT", "UNIQUE", "DEFAULT",
                           "REFERENCES", "DEFERRABLE", "INITIALLY", "DEFERRED", "CHECK", "TRUE", "FALSE"})
#: words that may appear in a type name (``integer unsigned``, ``varchar(20)``, ``decimal``...)
_TYPE_WORD = re.compile(r"[A-Za-z]+\Z")


def _tokens(sql: str) -> list[tuple[str, str]] | None:
    out, pos = [], 0
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None:
            return None  # a comment, an operator, a backquote...: not plain
        pos = match.end()
        if match.lastgroup != "space":
            out.append((match.lastgroup, match.group()))
    return out


#: a definition starting with one of these is a table constraint, not a column named so
_TABLE_CONSTRAINT = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})


def _name(token: tuple[str, str]) -> str | None:
    """The lower-cased name a quoted or bare identifier stands for (SQLite folds case)."""
    kind, text = token
    if kind == "quoted":
        return text[1:-1].replace('""', '"').lower()
    if kind == "word" and text.upper() not in _TABLE_CONSTRAINT:
        return text.lower()
    return None


def _split_definitions(tokens: list) -> list[list] | None:
    """The comma-separated definitions between the outer parentheses; None unless the text is
    exactly ``CREATE TABLE <name> ( ... ) [WITHOUT ROWID]`` (the name quoted, bare or, as SQLite
    writes its FTS shadow tables, in single quotes)."""
    if tokens[-2:] == [("word", "WITHOUT"), ("word", "ROWID")]:
        tokens = tokens[:-2]
    if len(tokens) < 5 or [t[1].upper() for t in tokens[:2]] != ["CREATE", "TABLE"] \
            or tokens[2][0] not in ("quoted", "string", "word") or tokens[3] != ("punct", "(") \
            or tokens[-1] != ("punct", ")"):
        return None
    definitions, current, depth = [], [], 0
    for token in tokens[4:-1]:
        if token == ("punct", "("):
            depth += 1
        elif token == ("punct", ")"):
            depth -= 1
            if depth < 0:
                return None  # the outer parenthesis closed before the end: text after it
        if token == ("punct", ",") and depth == 0:
            definitions.append(current)
            current = []
        else:
            current.append(token)
    definitions.append(current)
    return definitions if depth == 0 and all(definitions) else None


def plain_table_facts(sql: str) -> tuple[frozenset, frozenset, tuple[str, ...]] | None:
    """``(deferrable, autoincrement, checks)`` of ``sql`` as :class:`~driftaudit.schema.ddl.DdlFacts`
    holds them, when the text is plain (see the module docstring); else None."""
    tokens = _tokens(sql)
    definitions = _split_definitions(tokens) if tokens else None
    if definitions is None:
        return None
    deferrable, autoincrement, checks = set(), set(), []
    for definition in definitions:
        column = _name(definition[0])
        if column is None:
            body = _unnamed(definition)
            check = _table_check(body) if body else ""
            if check:
                checks.append(check)
            elif not body or not _plain_table_key(body):
                return None
            continue
        facts = _column_facts(column, definition[1:])
        if facts is None:
            return None
        is_deferred, is_autoincrement, check = facts
        if is_deferred:
            deferrable.add((column,))
        if is_autoincrement:
            autoincrement.add(column)
        if check:
            checks.append(check)
    return frozenset(deferrable), frozenset(autoincrement), tuple(sorted(checks))


def _unnamed(definition: list) -> list | None:
    """A table constraint without its ``CONSTRAINT "name"``; None when that prefix is malformed."""
    if definition[0][0] == "word" and definition[0][1].upper() == "CONSTRAINT":
        if len(definition) < 3 or definition[1][0] != "quoted":
            return None
        return definition[2:]
    return definition


def _table_check(definition: list) -> str:
    """The condition of ``CHECK (<one term>)`` (a ``CheckConstraint`` of one comparison, its name
    taken off by :func:`_unnamed`), as sqlglot normalizes it; "" for anything else."""
    if len(definition) < 4 or definition[0][0] != "word" or definition[0][1].upper() != "CHECK" \
            or definition[1] != ("punct", "(") or definition[-1] != ("punct", ")"):
        return ""
    return _one_term(definition[2:-1]) or ""


def _plain_table_key(definition: list) -> bool:
    """``PRIMARY KEY ("a", ...)`` or ``UNIQUE ("a", ...)`` (named or not): no fact in it."""
    opening = next((i for i, token in enumerate(definition) if token == ("punct", "(")), None)
    if opening is None or [text.upper() for _, text in definition[:opening]] not in (["PRIMARY", "KEY"], ["UNIQUE"]):
        return False
    rest = definition[opening:]
    return len(rest) >= 3 and rest[-1] == ("punct", ")") \
        and all(_name(token) is not None or token == ("punct", ",") for token in rest[1:-1])


def _column_facts(column: str, tokens: list) -> tuple[bool, bool, str] | None:
    """(deferred key, autoincrement, normalized CHECK or "") of one column's definition."""
    i, n = 0, len(tokens)
    # the type: words, optionally followed by (number[, number])
    while i < n and tokens[i][0] == "word" and tokens[i][1].upper() not in _COLUMN_WORDS \
            and _TYPE_WORD.match(tokens[i][1]):
        i += 1
    if i < n and tokens[i] == ("punct", "("):
        close = _numbers_in_parentheses(tokens, i)
        if close is None:
            return None
        i = close + 1
    typed = i > 0
    deferred = autoincrement = False
    check = ""
    seen_references = False
    while i < n:
        kind, text = tokens[i]
        word = text.upper() if kind == "word" else None
        if not typed and word in ("CHECK", "REFERENCES", "AUTOINCREMENT"):
            return None  # sqlglot takes the first word of a typeless column for its type
        if word == "DEFAULT":
            if i + 1 >= n or tokens[i + 1][0] not in ("string", "number", "word") \
                    or (tokens[i + 1][0] == "word" and tokens[i + 1][1].upper() not in ("NULL", "TRUE", "FALSE")):
                return None  # an expression or a signed number: sqlglot reads it
            i += 2
        elif word == "AUTOINCREMENT":
            autoincrement = True
            i += 1
        elif word == "REFERENCES":
            if seen_references or check:
                return None
            seen_references = True
            # REFERENCES "table" ("column") [DEFERRABLE INITIALLY DEFERRED], and nothing after
            shape = tokens[i + 1:i + 5]
            if len(shape) != 4 or shape[0][0] != "quoted" or shape[1] != ("punct", "(") \
                    or shape[2][0] != "quoted" or shape[3] != ("punct", ")"):
                return None
            options = [t[1].upper() for t in tokens[i + 5:]]
            if options == ["DEFERRABLE", "INITIALLY", "DEFERRED"]:
                deferred = True
            elif options:
                return None
            i = n
        elif word == "CHECK":
            if check:
                return None
            check, used = _django_check(tokens[i + 1:])
            if not check:
                return None
            i += 1 + used
        elif word in ("NOT", "NULL", "PRIMARY", "KEY", "UNIQUE"):
            i += 1
        else:
            return None
    return deferred, autoincrement, check


def _django_check(tokens: list) -> tuple[str, int]:
    """(the CHECK's expression as sqlglot normalizes it, tokens used) for the checks Django
    writes on a column: one comparison, e.g. ``("c" >= 0)`` (positive integer fields), and
    ``((JSON_VALID("c") OR "c" IS NULL))`` (JSONField); ("", 0) for any other."""
    close = _closing(tokens, 0) if tokens[:1] == [("punct", "(")] else None
    term = _one_term(tokens[1:close]) if close else None
    if term:
        return term, close + 1
    texts = [text.upper() if kind == "word" else text for kind, text in tokens[:12]]
    if len(texts) == 12 and texts[:4] == ["(", "(", "JSON_VALID", "("] and texts[5:7] == [")", "OR"] \
            and texts[8:] == ["IS", "NULL", ")", ")"] and _plain_name(tokens[4]) \
            and _plain_name(tokens[4]) == _plain_name(tokens[7]):
        name = _plain_name(tokens[4])
        return f'(JSON_VALID("{name}") OR "{name}" IS NULL)', 12
    return "", 0


def _plain_name(token: tuple[str, str]) -> str | None:
    """A quoted name that needs no escaping when quoted again."""
    name = _name(token)
    return name if name and '"' not in name else None


def _numbers_in_parentheses(tokens: list, start: int) -> int | None:
    """Index of the ``)`` closing ``(number[, number])`` at ``start``; None for anything else."""
    i = start + 1
    expect_number = True
    while i < len(tokens):
        kind, text = tokens[i]
        if expect_number and kind == "number" and "." not in text:
            expect_number = False
        elif not expect_number and text == ",":
            expect_number = True
        elif not expect_number and text == ")":
            return i
        else:
            return None
        i += 1
    return None


def _index_tokens(sql: str) -> list | None:
    """The tokens of a ``CREATE [UNIQUE] INDEX`` statement; None for any other text."""
    tokens = _tokens(sql)
    if not tokens or [t[1].upper() for t in tokens[:2]] not in (["CREATE", "INDEX"], ["CREATE", "UNIQUE"]):
        return None
    return tokens


def plain_index_where(sql: str) -> str | None:
    """The normalized WHERE of a partial ``CREATE [UNIQUE] INDEX`` whose condition is one plain
    comparison (``"c" IS [NOT] NULL``, ``"c" IN ('a', 'b')``, ``"c" = 1``: what Django writes for a
    one-term ``condition=Q(...)``) in sqlglot's spelling (``NOT "c" IS NULL``); None for any other text."""
    tokens = _index_tokens(sql)
    if tokens is None:
        return None
    depth, where = 0, None
    for i, (kind, text) in enumerate(tokens):
        depth += (text == "(") - (text == ")") if kind == "punct" else 0
        if kind == "word" and text.upper() == "WHERE":
            if depth or where is not None:
                return None
            where = i
    if where is None:
        return None
    return _one_term(tokens[where + 1:])


def _one_term(condition: list) -> str | None:
    """One comparison - ``"c" IS [NOT] NULL``, ``"c" IN ('a', 'b')``, ``"c" <op> literal`` - in
    sqlglot's spelling (``NOT "c" IS NULL``, ``<>`` for ``!=``); also a boolean column alone,
    ``"c"`` or ``NOT "c"`` (Django's ``Q(c=True)`` / ``Q(c=False)``); None for anything else."""
    negated = len(condition) == 2 and condition[0][0] == "word" and condition[0][1].upper() == "NOT"
    if len(condition) == 1 or negated:
        name = _plain_name(condition[-1]) if condition[-1][0] == "quoted" else None
        return None if name is None else f'NOT "{name}"' if negated else f'"{name}"'
    name = _plain_name(condition[0]) if condition else None
    if name is None:
        return None
    words = [text.upper() for _, text in condition[1:]]
    if words == ["IS", "NULL"]:
        return f'"{name}" IS NULL'
    if words == ["IS", "NOT", "NULL"]:
        return f'NOT "{name}" IS NULL'
    operators = {"=": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "<>": "<>", "!=": "<>"}
    if len(condition) == 3 and condition[1][0] == "punct" and condition[1][1] in operators \
            and _literal(condition[2]):
        return f'"{name}" {operators[condition[1][1]]} {_literal(condition[2])}'
    if words[:2] == ["IN", "("] and words[-1] == ")" and len(condition) >= 5:
        items = condition[3:-1]
        values = [_literal(t) for t in items[0::2]]
        if all(values) and all(t == ("punct", ",") for t in items[1::2]) and len(items) % 2 == 1:
            return f'"{name}" IN ({", ".join(values)})'
    return None


def _closing(tokens: list, start: int) -> int | None:
    """Index of the ``)`` that closes the ``(`` at ``start``."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += (tokens[i] == ("punct", "(")) - (tokens[i] == ("punct", ")"))
        if depth == 0:
            return i
    return None


def _literal(token: tuple[str, str]) -> str | None:
    """A string without quotes inside, or an integer without leading zeros, as sqlglot writes it."""
    kind, text = token
    if kind == "string" and "''" not in text[1:-1]:
        return text
    if kind == "number" and re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?", text):
        return text
    return None


#: one-argument functions of a column that an expression index may use (``Upper("email")``,
#: allauth's ``account_emailaddress_upper``), whose spelling sqlglot keeps as is, upper-cased
_PLAIN_FUNCTIONS = frozenset({"UPPER", "LOWER", "ABS", "LENGTH", "TRIM"})


def plain_index_terms(sql: str) -> tuple[str, ...] | None:
    """The terms of a ``CREATE [UNIQUE] INDEX`` whose terms are columns or one plain function of
    a column (``(UPPER("email")) DESC``) in sqlglot's spelling, without ordering; None for any
    other text (sqlglot reads it)."""
    tokens = _index_tokens(sql)
    if tokens is None:
        return None
    words = [text.upper() if kind == "word" else text for kind, text in tokens]
    try:
        start = words.index("ON") + 2
    except ValueError:
        return None
    end = _closing(tokens, start) if start < len(tokens) and tokens[start] == ("punct", "(") else None
    if end is None or (end + 1 < len(tokens) and words[end + 1] != "WHERE"):
        return None
    terms, term = [], []
    for token in tokens[start + 1:end] + [("punct", ",")]:
        if token != ("punct", ",") or _depth(term):
            term.append(token)
            continue
        read = _index_term(term)
        if read is None:
            return None
        terms.append(read)
        term = []
    return tuple(terms)


def _depth(tokens: list) -> int:
    return sum((t == ("punct", "(")) - (t == ("punct", ")")) for t in tokens)


def _index_term(term: list) -> str | None:
    if term and term[-1][0] == "word" and term[-1][1].upper() in ("ASC", "DESC"):
        term = term[:-1]
    while len(term) > 2 and term[0] == ("punct", "(") and _closing(term, 0) == len(term) - 1:
        term = term[1:-1]
    if len(term) == 1 and term[0][0] == "quoted":
        name = _plain_name(term[0])
        return None if name is None else f'"{name}"'
    if len(term) == 4 and term[0][0] == "word" and term[0][1].upper() in _PLAIN_FUNCTIONS \
            and term[1] == ("punct", "(") and term[2][0] == "quoted" and term[3] == ("punct", ")"):
        name = _plain_name(term[2])
        return None if name is None else f'{term[0][1].upper()}("{name}")'
    return None
