"""``driftaudit stamp``: records exactly the migrations whose work the database has (sample
``history_no_records``: django_migrations lost in a dump, notes.0003 never deployed)."""

from __future__ import annotations

import hashlib
import sqlite3

from conftest import driftaudit, manage
from propose_helpers import query

RECORDED = ["contenttypes.0001_initial", "auth.0001_initial", "admin.0001_initial",
            "admin.0002_logentry_remove_auto_add", "admin.0003_logentry_add_action_flag_choices",
            "contenttypes.0002_remove_content_type_name", "auth.0002_alter_permission_name_max_length"]


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_report_sends_a_database_without_records_to_stamp(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("history_no_records")).json
    assert report["next_steps"][0]["argv"] == ["driftaudit", "stamp", "--apply"]


def test_stamp_lists_what_the_tables_show_and_writes_only_with_apply(sample_copy):
    project = sample_copy("history_no_records")
    db = project / "db.sqlite3"
    before = _digest(db)
    run = driftaudit("stamp", cwd=project)
    assert run.code == 0, run.stderr
    listed = run.stdout.splitlines()[0].removeprefix("would record as applied (not run): ").split(", ")
    assert listed[:len(RECORDED)] == RECORDED
    assert "notes.0001_initial" in listed and "notes.0002_note_pinned" in listed
    assert "auth.0012_alter_user_first_name_max_length" in listed  # AlterFields the schema shows
    assert not any(name.startswith("notes.0003") for name in listed)  # its Tag table is not there
    assert "driftaudit stamp --apply" in run.stdout
    assert _digest(db) == before and sorted(p.name for p in project.glob("db.sqlite3*")) == ["db.sqlite3"]

    applied = driftaudit("stamp", "--apply", cwd=project)
    assert applied.code == 0, applied.stderr
    assert len(list(project.glob("db.sqlite3.driftaudit-backup-*"))) == 1
    names = {f"{a}.{n}" for a, n in query(project, 'SELECT "app", "name" FROM "django_migrations"')}
    assert names == set(listed)
    report = driftaudit("report", "--format", "json", cwd=project).json
    assert [(f["kind"], f["migration"]) for f in report["findings"]] == [("unapplied-migration",
                                                                           "notes.0003_tag_note_tags")]
    assert manage(project, "migrate", "--noinput").code == 0
    assert driftaudit("report", cwd=project).code == 0
    assert query(project, 'SELECT count(*) FROM "notes_note"') == [(2,)]


def test_stamp_refuses_a_history_the_database_does_not_match(sample_copy):
    """0003's table is there (made by hand) but 0002's column is not: recording 0001-0003 would
    hide the missing column; nothing is written and the migration is named."""
    project = sample_copy("history_no_records")
    db = sqlite3.connect(project / "db.sqlite3")
    db.executescript('ALTER TABLE "notes_note" DROP COLUMN "pinned"; '
                     'CREATE TABLE "notes_tag" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
                     '"name" varchar(50) NOT NULL UNIQUE);')
    db.close()
    before = _digest(project / "db.sqlite3")
    run = driftaudit("stamp", "--apply", cwd=project)
    assert run.code == 1
    assert "not recorded: app 'notes': notes.0002_note_pinned comes before notes.0003_tag_note_tags" in run.stdout
    assert "column notes_note.pinned" in run.stdout and "nothing was written" in run.stdout
    assert _digest(project / "db.sqlite3") == before and not list(project.glob("db.sqlite3.driftaudit-backup-*"))
