"""Issue 5: data impact in the report - orphans, duplicates and blocked deletes, in rows.

The data_library sample makes every case with real commands (see its build.py): orphans let
in through the sqlite3 shell with foreign keys off, a DO_NOTHING key, a key the models dropped
(migration faked), immediate keys in a Shelf <-> Section cycle, and duplicates behind a faked
unique=True.
"""

import sqlite3

import pytest

from conftest import driftaudit


@pytest.fixture(scope="module")
def library_report(built_samples):
    run = driftaudit("report", "--format", "json", cwd=built_samples("data_library"))
    assert run.code == 1, run.stderr
    return run.json


def one(report, kind, table, column):
    found = [f for f in report["findings"] if (f["kind"], f["table"], f["column"]) == (kind, table, column)]
    assert len(found) == 1, [(f["kind"], f["table"], f["column"]) for f in report["findings"]]
    return found[0]


def test_orphans_per_key_with_exact_rows(library_report):
    orphans = [f for f in library_report["findings"] if f["kind"] == "orphan-rows"]
    assert sorted((f["table"], f["column"]) for f in orphans) == [
        ("library_book", "author_id"), ("library_book", "editor_id")]
    author = one(library_report, "orphan-rows", "library_book", "author_id")
    assert author["count"] == 2 and author["rule"] == "DA201" and author["severity"] == "error"
    assert author["cause"] == "fk-checks-disabled"
    assert author["impact"]["pks"] == [4, 5]
    assert author["impact"]["missing_parents"] == {
        "table": "library_author", "column": "id", "values": [40, 41], "table_exists": True}
    editor = one(library_report, "orphan-rows", "library_book", "editor_id")
    assert (editor["count"], editor["impact"]["pks"], editor["impact"]["missing_parents"]["values"]) == (1, [5], [42])
    text = " ".join(author["explanation"].split())
    assert "rows 4 and 5 point at missing id 40 and 41" in text
    assert "every later migration of any app fails" in text


def test_duplicates_that_block_the_unique_index(library_report):
    dup = one(library_report, "duplicate-rows", "library_member", "email")
    assert (dup["rule"], dup["count"], dup["impact"]["groups"]) == ("DA202", 5, 2)
    assert dup["impact"]["duplicates"] == [
        {"values": ["a@example.org"], "count": 3, "pks": [1, 2, 4]},
        {"values": ["b@example.org"], "count": 2, "pks": [3, 5]},
    ]
    # the schema finding that demands the index is still there
    one(library_report, "unique-missing", "library_member", "email")


def test_key_the_models_dropped_blocks_author_2(library_report):
    extra = one(library_report, "fk-extra", "library_book", "editor_id")
    assert extra["severity"] == "error"
    (blocked,) = extra["impact"]["blocked_deletes"]
    assert (blocked["table"], blocked["pks"], blocked["count"], blocked["checked"]) == (
        "library_author", [2], 1, "at commit")


def test_do_nothing_key_blocks_book_2(library_report):
    finding = one(library_report, "do-nothing-fk", "library_loan", "book_id")
    assert finding["rule"] == "DA203" and finding["model"] == "library.Loan"
    (blocked,) = finding["impact"]["blocked_deletes"]
    assert (blocked["table"], blocked["model"], blocked["pks"], blocked["count"]) == (
        "library_book", "library.Book", [2], 1)


def test_immediate_key_in_a_cycle_blocks_only_where_django_deletes_the_parent_first(library_report):
    featured = one(library_report, "fk-deferrable", "library_shelf", "featured_id")
    assert featured["severity"] == "error"
    (blocked,) = featured["impact"]["blocked_deletes"]
    assert (blocked["table"], blocked["pks"], blocked["checked"]) == ("library_section", [1], "immediately")
    # Section.shelf is non-null CASCADE: Django always deletes sections first, so it blocks nothing
    shelf = one(library_report, "fk-deferrable", "library_section", "shelf_id")
    assert shelf["severity"] == "warning" and not (shelf["impact"] or {}).get("blocked_deletes")


def test_no_data_skips_every_row_check(built_samples):
    run = driftaudit("report", "--format", "json", "--no-data", cwd=built_samples("data_library"))
    assert run.code == 1, run.stderr
    kinds = {f["kind"] for f in run.json["findings"]}
    assert not kinds & {"orphan-rows", "duplicate-rows", "do-nothing-fk"}
    extra = one(run.json, "fk-extra", "library_book", "editor_id")
    assert extra["impact"] is None and extra["severity"] == "warning"


def test_seed_sample_has_no_orphans_and_blocks_exampleone_1_and_2(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("seed_example")).json
    assert not [f for f in report["findings"] if f["kind"] in ("orphan-rows", "duplicate-rows")]
    (stale,) = [f for f in report["findings"] if f["kind"] == "stale-table"]
    blocked = {b["table"]: b for b in stale["impact"]["blocked_deletes"]}
    assert (blocked["appname_exampleone"]["pks"], blocked["appname_exampleone"]["count"]) == ([1, 2], 2)


def test_orphan_made_in_a_copy_is_found_with_its_rowid(sample_copy):
    """A clean table gets one orphan by raw SQL with foreign keys off: exactly that row is reported."""
    project = sample_copy("seed_example")
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.execute("INSERT INTO appname_exampletwo (id, name, example_one_id) VALUES (77, 'x', 1234)")
    db.close()
    report = driftaudit("report", "--format", "json", cwd=project).json
    (orphan,) = [f for f in report["findings"] if f["kind"] == "orphan-rows"]
    assert (orphan["table"], orphan["column"], orphan["count"], orphan["impact"]["pks"]) == (
        "appname_exampletwo", "example_one_id", 1, [77])


def test_progress_is_reported_for_long_scans_only():
    import io

    from driftaudit.explain.rows import Progress

    conn = sqlite3.connect(":memory:")
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT count(*) FROM n"
    said = io.StringIO()
    with Progress(True, said, after=0.0).scan(conn, "counting"):
        conn.execute(slow).fetchone()
    assert said.getvalue().startswith("driftaudit: counting... ")
    quiet = io.StringIO()
    with Progress(False, quiet, after=0.0).scan(conn, "counting"):
        conn.execute(slow).fetchone()
    assert quiet.getvalue() == ""
