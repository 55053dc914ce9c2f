"""The diff on real SQLite catalogs: what normalization must ignore and what it must keep.

Each case creates real tables in two in-memory databases (the models' and the database's
side; the history is taken equal to the models') and reads them with the one reader.
"""

import sqlite3

from driftaudit.schema.diff import ThreeWayDiff
from driftaudit.schema.introspect import read_catalog


def catalog(*statements):
    conn = sqlite3.connect(":memory:")
    for sql in statements:
        conn.execute(sql)
    return read_catalog(conn)


def diff(models_sql, database_sql):
    m = catalog(*models_sql)
    return {(d.kind, d.table, d.column) for d in ThreeWayDiff(m, m, catalog(*database_sql)).run()}


def test_names_order_quoting_and_case_do_not_matter():
    models = ['CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "a" varchar(10) NOT NULL, "b" integer NULL)',
              'CREATE INDEX "t_a_1" ON "t" ("a")']
    database = ['CREATE TABLE t (b INTEGER, ID integer not null primary key, A VARCHAR( 10 ) not null)',
                'CREATE INDEX other_name ON t (A)']
    assert diff(models, database) == set()


def test_index_ordering_and_expressions_are_part_of_the_definition():
    table = 'CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "a" text NOT NULL, "b" integer NOT NULL)'
    models = [table, 'CREATE INDEX "i1" ON "t" ("a", "b" DESC)', 'CREATE INDEX "i2" ON "t" (lower("a"))']
    database = [table, 'CREATE INDEX "j1" ON "t" ("a", "b")', 'CREATE INDEX "j2" ON "t" (upper("a"))']
    kinds = sorted(k for k, _, _ in diff(models, database))
    assert kinds == ["index-extra", "index-extra", "index-missing", "index-missing"]
    assert diff(models, [table, 'CREATE INDEX "x" ON "t" (LOWER(a))', 'CREATE INDEX "y" ON "t" (a, b DESC)']) == set()


def test_one_same_shaped_pair_is_a_rename():
    models = ['CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "new" varchar(5) NOT NULL, "c" integer NULL CHECK ("c" > 0))']
    database = ['CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "old" varchar(5) NOT NULL)']
    # the check on the missing column c travels with it: no check-missing
    assert diff(models, database) == {("renamed-column", "t", "new"), ("missing-column", "t", "c")}


def test_ambiguous_shapes_are_not_paired():
    models = ['CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "x" text NULL, "y" text NULL)']
    database = ['CREATE TABLE "t" ("id" integer NOT NULL PRIMARY KEY, "p" text NULL, "q" text NULL)']
    assert {k for k, _, _ in diff(models, database)} == {"missing-column", "stale-column"}


def test_renamed_table_takes_the_keys_that_point_at_it():
    models = ['CREATE TABLE "new_t" ("id" integer NOT NULL PRIMARY KEY, "a" text NOT NULL)',
              'CREATE TABLE "child" ("id" integer NOT NULL PRIMARY KEY, '
              '"t_id" integer NOT NULL REFERENCES "new_t" ("id") DEFERRABLE INITIALLY DEFERRED)']
    database = ['CREATE TABLE "old_t" ("id" integer NOT NULL PRIMARY KEY, "a" text NOT NULL)',
                'CREATE TABLE "child" ("id" integer NOT NULL PRIMARY KEY, '
                '"t_id" integer NOT NULL REFERENCES "old_t" ("id") DEFERRABLE INITIALLY DEFERRED)']
    assert diff(models, database) == {("renamed-table", "new_t", None)}
