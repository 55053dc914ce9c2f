"""The sqlglot-free reader of plain DDL (schema/plain_ddl.py) gives sqlglot's answers, or none.

Held to sqlglot on the DDL every supported Django release writes (the goldens of
tests/schema/golden/, one folder per release) and on texts drawn by hypothesis from the pieces
Django and hand-written SQL use, in random case and spacing. A text the reader declines goes to
sqlglot, so only an accepted text with a different answer is a failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftaudit.schema.ddl import DdlFacts, _parse_index_terms, _parse_index_where, _parse_table_facts
from driftaudit.schema.plain_ddl import plain_index_terms, plain_index_where
from driftaudit.schema.plain_ddl import plain_table_facts as plain_tuple


def plain_table_facts(sql: str) -> DdlFacts | None:
    """The reader's answer the way ``ddl.table_facts`` wraps it."""
    plain = plain_tuple(sql)
    return DdlFacts(True, *plain) if plain is not None else None


GOLDEN = Path(__file__).parent / "golden"


def golden_statements(kind: str) -> list[str]:
    return sorted({item["sql"] for path in GOLDEN.glob("*/*.json")
                   for item in json.loads(path.read_text())["ddl"] if item["type"] == kind and item["sql"]})


def test_the_goldens_of_every_release_read_the_same_as_with_sqlglot():
    tables = golden_statements("table")
    accepted = [sql for sql in tables if plain_table_facts(sql) is not None]
    assert {sql: plain_table_facts(sql) for sql in accepted} == {sql: _parse_table_facts(sql) for sql in accepted}
    # most of what Django writes is plain: a reader that declines everything would pass the above
    assert len(accepted) >= 0.7 * len(tables), [sql for sql in tables if sql not in accepted]
    wheres = [sql for sql in golden_statements("index") if " WHERE " in sql]
    assert wheres, "the goldens have partial indexes"
    assert {sql: plain_index_where(sql) for sql in wheres if plain_index_where(sql)} \
        == {sql: _parse_index_where(sql) for sql in wheres if plain_index_where(sql)}
    indexes = golden_statements("index")
    read = {sql: plain_index_terms(sql) for sql in indexes if plain_index_terms(sql) is not None}
    assert read == {sql: _parse_index_terms(sql) for sql in read}
    assert len(read) >= 0.9 * len(indexes), [sql for sql in indexes if sql not in read]


@pytest.mark.parametrize("sql, expected", [
    ('CREATE TABLE "a_b" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "N" integer unsigned NOT NULL '
     'CHECK ("N" >= 0), "fk_id" bigint NULL REFERENCES "a_c" ("id") DEFERRABLE INITIALLY DEFERRED)',
     (frozenset({("fk_id",)}), frozenset({"id"}), ('"n" >= 0',))),
    ('CREATE TABLE "j" ("Data" text NOT NULL CHECK ((JSON_VALID("Data") OR "Data" IS NULL)))',
     (frozenset(), frozenset(), ('(JSON_VALID("data") OR "data" IS NULL)',))),
    ("CREATE TABLE 'x_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID",
     (frozenset(), frozenset(), ())),
    # CheckConstraint(condition=Q(...)) of one comparison, as Django writes it
    ('CREATE TABLE "p" ("score" integer NULL, CONSTRAINT "at_most_100" CHECK ("score" <= 100), '
     'CONSTRAINT "kind_ok" CHECK ("kind" IN (\'a\', \'b\')), CHECK ("score" != -1.5))',
     (frozenset(), frozenset(), ('"kind" IN (\'a\', \'b\')', '"score" <= 100', '"score" <> -1.5'))),
])
def test_django_shapes_are_read_without_sqlglot(sql, expected):
    facts = plain_table_facts(sql)
    assert facts is not None
    assert (facts.deferrable, facts.autoincrement, facts.checks) == expected
    assert facts == _parse_table_facts(sql)


@pytest.mark.parametrize("sql", [
    'CREATE TABLE "t" ("a" integer NOT NULL CHECK ("a" > 0 AND "a" < 5))',  # more than one term
    'CREATE TABLE "t" ("a" integer, "b" integer, CONSTRAINT "c" CHECK ("a" >= "b"))',  # two columns
    'CREATE TABLE "t" ("a" integer GENERATED ALWAYS AS ("b" * 2) STORED, "b" integer)',
    'CREATE TABLE "t" ("a" integer DEFAULT (lower(\'x\')))',
    'CREATE TABLE "t" ("a" integer REFERENCES "u" ("id") ON DELETE CASCADE)',
    'CREATE TABLE "t" ("a" integer, FOREIGN KEY ("a") REFERENCES "u" ("id") DEFERRABLE INITIALLY DEFERRED)',
    'CREATE TABLE "t" ("a" integer) -- comment',
    'CREATE TABLE "t" ("a" integer) STRICT',
])
def test_anything_else_is_left_to_sqlglot(sql):
    assert plain_table_facts(sql) is None


# -- drawn texts ---------------------------------------------------------------------------
def spelled(word: str):
    """A keyword in random case."""
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper)))


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_ ]{0,8}", fullmatch=True).map(lambda n: '"' + n + '"')
types = st.sampled_from(["integer", "bigint", "varchar(20)", "decimal(10, 2)", "integer unsigned",
                         "smallint unsigned", "text", "bool", "datetime", "real", "blob", ""])
space = st.sampled_from([" ", "  ", "\n", "\t "])


@st.composite
def column(draw):
    name = draw(names)
    parts = [name, draw(types)]
    for clause in draw(st.lists(st.sampled_from(["null", "not null", "pk", "unique", "default", "check",
                                                 "json", "other check", "references"]), max_size=4)):
        if clause == "null":
            parts.append(draw(spelled("NULL")))
        elif clause == "not null":
            parts.append(draw(spelled("NOT")) + " " + draw(spelled("NULL")))
        elif clause == "pk":
            parts.append(" ".join([draw(spelled("PRIMARY")), draw(spelled("KEY"))]
                                  + ([draw(spelled("AUTOINCREMENT"))] if draw(st.booleans()) else [])))
        elif clause == "unique":
            parts.append(draw(spelled("UNIQUE")))
        elif clause == "default":
            parts.append(draw(spelled("DEFAULT")) + " " + draw(st.sampled_from(["0", "12", "'x'", "NULL", "-1", "1.5"])))
        elif clause == "check":
            parts.append(f"{draw(spelled('CHECK'))} ({draw(st.sampled_from([name, name.lower()]))} >= "
                         f"{draw(st.sampled_from(['0', '1', '10', '00']))})")
        elif clause == "json":
            parts.append(f"{draw(spelled('CHECK'))} (({draw(spelled('JSON_VALID'))}({name}) "
                         f"{draw(spelled('OR'))} {name} {draw(spelled('IS'))} {draw(spelled('NULL'))}))")
        elif clause == "other check":
            parts.append(f"CHECK ({name} {draw(st.sampled_from(['>', '<=', '=']))} 0)")
        else:
            options = draw(st.sampled_from(["", "DEFERRABLE INITIALLY DEFERRED", "deferrable initially deferred",
                                            "NOT DEFERRABLE INITIALLY DEFERRED", "INITIALLY DEFERRED",
                                            "DEFERRABLE", "ON DELETE CASCADE"]))
            parts.append(f'REFERENCES "other" ("id") {options}'.rstrip())
    return draw(space).join(p for p in parts if p)


literals = st.sampled_from(["0", "100", "-1", "-0", "1.5", "-2.25", "00", "1.", "'x'", "'it''s'", "NULL", "TRUE"])


@st.composite
def condition(draw):
    """One comparison Django writes for a one-term Q, or something close to it that is not."""
    column = draw(names)
    return draw(st.sampled_from([
        f"{column} IS NULL", f"{column} is not null", f"{column} IS NOT NULL",
        f"{column} IN ({draw(literals)}, {draw(literals)})", f"{column} in ({draw(literals)})",
        f"{column} {draw(st.sampled_from(['=', '<', '>', '<=', '>=', '!=', '<>']))} {draw(literals)}",
        f"({column} = {draw(literals)})", f"{column} = 1 AND {column} = 2", f"{column} >= {draw(names)}",
        f"NOT ({column} = 1)", f"{column}", f"NOT {column}", f"not {column}", f"NOT NOT {column}",
        f"NOT {column} IS NULL", f"{column.strip(chr(34))}", f"NOT {column.strip(chr(34))}",
    ]))


@st.composite
def create_table(draw):
    columns = draw(st.lists(column(), min_size=1, max_size=5))
    keys = draw(st.lists(st.one_of(
        st.sampled_from(['UNIQUE ("a", "b")', 'CONSTRAINT "k" UNIQUE ("a")', 'PRIMARY KEY ("a", "b")']),
        condition().map(lambda c: f'CONSTRAINT "c" CHECK ({c})'), condition().map(lambda c: f"check ({c})")),
        max_size=3))
    table = draw(st.sampled_from(['"app_model"', "'shadow'", "plain"]))
    tail = draw(st.sampled_from(["", " WITHOUT ROWID"]))
    return f"CREATE TABLE {table} ({', '.join(columns + keys)}){tail}"


@settings(max_examples=400, deadline=None)
@given(create_table())
def test_a_drawn_table_reads_the_same_as_with_sqlglot_or_is_left_to_it(sql):
    facts = plain_table_facts(sql)
    if facts is not None:
        assert facts == _parse_table_facts(sql)


@st.composite
def partial_index(draw):
    column = draw(names)
    unique = draw(st.sampled_from(["", "UNIQUE "]))
    return f'CREATE {unique}INDEX "ix" ON "t" ({column}, "b") WHERE {draw(condition())}'


@settings(max_examples=200, deadline=None)
@given(partial_index())
def test_a_drawn_partial_index_reads_the_same_as_with_sqlglot_or_is_left_to_it(sql):
    where = plain_index_where(sql)
    if where is not None:
        assert where == _parse_index_where(sql)


def test_a_boolean_condition_is_plain():
    """Django writes ``Q(verified=True)`` as ``WHERE "verified"`` (allauth's unique_verified_email):
    no reason to import sqlglot for it."""
    for sql in ('CREATE UNIQUE INDEX "u" ON "t" ("email") WHERE "verified"',
                'CREATE INDEX "i" ON "t" ("email") WHERE NOT "verified"'):
        assert plain_index_where(sql) is not None
        assert plain_index_where(sql) == _parse_index_where(sql)


@st.composite
def index_term(draw):
    """A term Django writes for ``Index(fields=...)`` / ``Index(Upper("f"), ...)``, or a near miss."""
    column = draw(names)
    function = draw(st.sampled_from(["UPPER", "lower", "Abs", "LENGTH", "trim", "SUBSTR", "COALESCE"]))
    term = draw(st.sampled_from([
        column, f"({column})", f"(({column}))", f"{function}({column})", f"({function}({column}))",
        f"({column} + {column})", f"{column} COLLATE NOCASE", f"{function}({column}, 1)",
        f"{column.strip(chr(34))}",
    ]))
    return term + draw(st.sampled_from(["", " DESC", " ASC", " desc"]))


@st.composite
def expression_index(draw):
    terms = draw(st.lists(index_term(), min_size=1, max_size=3))
    unique = draw(st.sampled_from(["", "UNIQUE "]))
    where = draw(st.sampled_from(["", ' WHERE "a" IS NULL', ' WHERE "b"']))
    return f'CREATE {unique}INDEX "ix" ON "t" ({", ".join(terms)}){where}'


@settings(max_examples=300, deadline=None)
@given(expression_index())
def test_drawn_index_terms_read_the_same_as_with_sqlglot_or_are_left_to_it(sql):
    terms = plain_index_terms(sql)
    if terms is not None:
        assert terms == _parse_index_terms(sql)


def test_an_upper_index_is_plain():
    """allauth's account_emailaddress_upper: no reason to import sqlglot for it."""
    sql = 'CREATE INDEX "account_emailaddress_upper" ON "account_emailaddress" ((UPPER("email")))'
    assert plain_index_terms(sql) == _parse_index_terms(sql) == ('UPPER("email")',)
