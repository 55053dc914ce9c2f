"""Issue 5: `driftaudit explain-delete APP_LABEL.Model PK`, checked against reality.

Each verdict is compared with what really happens when a private copy of the sample runs
`Model.objects.get(pk=PK).delete()` through manage.py shell: the simulation must agree.
"""

import hashlib

import pytest

from conftest import driftaudit, manage

DELETE = """
from django.apps import apps
from django.db import IntegrityError
model = apps.get_model("{label}")
try:
    model.objects.get(pk={pk}).delete()
    print("RESULT ok")
except IntegrityError as exc:
    print("RESULT IntegrityError", exc)
"""


def really_delete(project, label, pk):
    run = manage(project, "shell", "-c", DELETE.format(label=label, pk=pk))
    assert "RESULT" in run.stdout, run.stderr
    return run.stdout.split("RESULT", 1)[1].strip()


def explain(project, label, pk):
    run = driftaudit("explain-delete", label, str(pk), "--format", "json", cwd=project)
    assert run.code in (0, 1), run.stderr
    return run


CASES = [
    # (sample, model, pk, succeeds, blockers as (table, column, pks, count, checked, reason))
    ("seed_example", "appname.ExampleOne", 3, True, []),
    ("seed_example", "appname.ExampleOne", 1, False, [
        ("appname_exampleone_exampletwos", ["exampletwo_id"], [1, 2, 3], 3, "at commit", "stale_join_table"),
        ("appname_exampleone_exampletwos", ["exampleone_id"], [1, 2], 2, "at commit", "stale_join_table")]),
    ("data_library", "library.Shelf", 1, False, [
        ("library_shelf", ["featured_id"], [1], 1, "immediately", "immediate_order")]),
    ("data_library", "library.Shelf", 2, True, []),
    ("data_library", "library.Book", 2, False, [
        ("library_loan", ["book_id"], [1], 1, "at commit", "do_nothing")]),
    ("data_library", "library.Author", 2, False, [
        ("library_book", ["editor_id"], [3], 1, "at commit", "fk_extra")]),
    ("data_library", "library.Author", 3, True, []),
]


@pytest.mark.parametrize("sample,label,pk,succeeds,blockers", CASES,
                         ids=[f"{c[1]}-{c[2]}" for c in CASES])
def test_verdict_matches_a_real_delete(sample_copy, sample, label, pk, succeeds, blockers):
    project = sample_copy(sample)
    db = project / "db.sqlite3"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    run = explain(project, label, pk)
    verdict = run.json
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # the simulation wrote nothing
    assert run.code == (0 if succeeds else 1)
    assert verdict["would_succeed"] is succeeds
    got = [(b["table"], b["columns"], b["pks"], b["count"], b["checked"], b["reason"]) for b in verdict["blockers"]]
    assert got == blockers
    reality = really_delete(project, label, pk)
    assert reality == "ok" if succeeds else reality.startswith("IntegrityError FOREIGN KEY constraint failed")


def test_immediate_cycle_fails_at_the_first_statement(built_samples):
    run = driftaudit("explain-delete", "library.Shelf", "1", cwd=built_samples("data_library"))
    assert run.code == 1
    text = " ".join(run.stdout.split())
    assert "1. DELETE FROM library_section: 1 row of library.Section (1)" in text
    assert "library_shelf row 1 (1 in all) references library_section 1 through featured_id" in text
    assert "checked immediately, at statement 1" in text
    assert "not deferrable" in text


def test_stale_join_table_is_named_as_such(built_samples):
    run = driftaudit("explain-delete", "appname.ExampleOne", "1", cwd=built_samples("seed_example"))
    assert run.code == 1
    text = " ".join(run.stdout.split())
    assert "appname_exampleone_exampletwos rows 1 and 2 (2 in all) reference appname_exampleone 1" in text
    assert "stale join table of the removed field appname.ExampleOne.exampletwos" in text


@pytest.mark.parametrize("args,message", [
    (("appname.Nope", "1"), "unknown model 'appname.Nope'"),
    (("appname.ExampleOne", "99"), "no appname.ExampleOne with pk 99"),
    (("appname.ExampleOne", "abc"), "'abc' is not a valid primary key"),
])
def test_bad_input_exits_2_with_one_line(built_samples, args, message):
    run = driftaudit("explain-delete", *args, cwd=built_samples("seed_example"))
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1 and message in run.stderr
