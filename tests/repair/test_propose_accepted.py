"""Drift accepted in driftaudit.yaml is never undone by ``propose`` (issue 14, point 4): an index
made by hand in production survives the rebuild of its table; drift a rebuild cannot keep stops
the proposal with what to do; an accepted stale table is left alone."""

from __future__ import annotations

import sqlite3

from conftest import driftaudit
from propose_helpers import query, repair

HAND_INDEX = 'CREATE INDEX "exampletwo_name_by_hand" ON "appname_exampletwo" ("name")'


def _write(project, sql: str, config: str) -> None:
    db = sqlite3.connect(project / "db.sqlite3")
    db.executescript(sql)
    db.close()
    (project / "driftaudit.yaml").write_text(config)


def test_an_accepted_index_survives_the_rebuild_of_its_table(sample_copy):
    project = sample_copy("history_faked")  # appname_exampletwo lacks a faked column: rebuilt
    _write(project, HAND_INDEX + ";", "accept:\n  - rule: DA119\n    table: appname_exampletwo\n"
                                      "    reason: added in production for the nightly export\n")
    before, after, files, _ = repair(project)
    assert 'CREATE INDEX "exampletwo_name_by_hand"' in files[0].read_text()
    assert query(project, "SELECT sql FROM sqlite_master WHERE name = 'exampletwo_name_by_hand'") == [(HAND_INDEX,)]
    report = driftaudit("report", "--format", "json", cwd=project).json
    assert [(f["kind"], f["accepted"]) for f in report["findings"]] == [
        ("index-extra", "added in production for the nightly export")]


def test_the_index_is_dropped_when_not_accepted(sample_copy):
    """The same database without the accept entry: the repair brings the table to the models."""
    project = sample_copy("history_faked")
    _write(project, HAND_INDEX + ";", "")
    repair(project)
    assert query(project, "SELECT count(*) FROM sqlite_master WHERE name = 'exampletwo_name_by_hand'") == [(0,)]


def test_accepted_drift_a_rebuild_would_undo_stops_the_proposal(sample_copy):
    project = sample_copy("history_faked")
    _write(project, 'ALTER TABLE "appname_exampletwo" ADD COLUMN "legacy_code" varchar(10) NULL;',
           "accept:\n  - rule: DA104\n    table: appname_exampletwo\n    column: legacy_code\n"
           "    reason: read by the old reporting job\n")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1
    text = " ".join(run.stderr.split())
    assert "appname_exampletwo: the repair must rebuild it (missing-column rank)" in text
    assert "would undo drift accepted in driftaudit.yaml (stale-column legacy_code)" in text
    assert not list(project.glob("appname/migrations/*driftaudit*"))


def test_an_accepted_stale_table_is_left_alone(sample_copy):
    project = sample_copy("seed_example")  # a stale join table (DA101) and nothing else to repair
    (project / "driftaudit.yaml").write_text("accept:\n  - rule: DA101\n    table: appname_exampleone_exampletwos\n"
                                             "    reason: kept until the export is done\n")
    run = driftaudit("propose", "--dry-run", cwd=project)
    assert run.code == 0, run.stderr
    assert "appname_exampleone_exampletwos" not in run.stdout.split('"""', 2)[-1]  # no SQL names it
