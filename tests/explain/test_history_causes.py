"""Issue 4: every history cause, reproduced by a sample built with real commands.

Each sample tells one story (see its build.py); the audit must name the cause, the migration
and the evidence, from the four states: models, leaf files, applied records, database.
"""

import pytest

from conftest import driftaudit


def report(project):
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    return run.json


def only(findings, kind):
    found = [f for f in findings if f["kind"] == kind]
    assert len(found) == 1, [(f["kind"], f["table"], f["column"]) for f in findings]
    return found[0]


def words(finding):
    return " ".join(finding["explanation"].split())


@pytest.mark.parametrize("sample, kind, cause, migration, evidence", [
    ("history_faked", "missing-column", "faked-migration", "appname.0002_exampletwo_rank",
     "does not show it: it was most likely applied with --fake"),
    ("history_pending", "missing-column", "pending-model-change", None,
     "`makemigrations` has not been run"),
])
def test_missing_column_gets_the_cause_the_story_gave_it(built_samples, sample, kind, cause, migration, evidence):
    findings = report(built_samples(sample))["findings"]
    finding = only(findings, kind)
    assert (finding["table"], finding["column"]) == ("appname_exampletwo", "rank")
    assert finding["cause"] == cause
    assert finding["migration"] == migration
    assert evidence in words(finding)
    assert "confidence:" in words(finding)


def test_faked_is_not_unapplied_or_pending(built_samples):
    report_ = report(built_samples("history_faked"))
    assert report_["history"]["unapplied"] == []
    assert [f["kind"] for f in report_["findings"]] == ["missing-column"]


def test_unapplied_migration_finding_names_what_it_makes(built_samples):
    report_ = report(built_samples("history_unapplied"))
    finding = only(report_["findings"], "unapplied-migration")
    assert finding["migration"] == "appname.0002_exampletwo_rank"
    assert finding["cause"] == "unapplied-migration"
    assert "missing-column appname_exampletwo.rank" in words(finding)
    assert report_["history"]["unapplied"] == ["appname.0002_exampletwo_rank"]
    # reported once, as Django's runserver warning does: the column it adds is not a second finding
    assert [f["kind"] for f in report_["findings"]] == ["unapplied-migration"]


def test_pending_model_change_says_what_makemigrations_would_write(built_samples):
    report_ = report(built_samples("history_pending"))
    finding = only(report_["findings"], "pending-model-change")
    assert finding["migration"] == "appname.0002_exampletwo_rank"
    assert "Add field rank to exampletwo" in words(finding)
    assert report_["history"]["unapplied"] == [] and report_["history"]["ghost"] == []


def test_deleted_migration_without_git_is_read_from_its_name(sample_copy):
    project = sample_copy("history_deleted")
    import shutil
    shutil.rmtree(project / ".git", ignore_errors=True)
    findings = report(project)["findings"]
    stale = only(findings, "stale-column")
    assert (stale["table"], stale["column"], stale["severity"]) == ("appname_exampletwo", "rank", "error")
    assert stale["signature"] == "M=H≠D"
    assert stale["cause"] == "deleted-migration"
    assert stale["migration"] == "appname.0002_exampletwo_rank"
    text = words(stale)
    assert "INTEGER NOT NULL, no default" in text
    assert "made by appname.0002_exampletwo_rank, recorded as applied on" in text
    assert "adds field rank to exampletwo" in text and "read from the migration's name" in text
    assert "git" not in text
    ghost = only(findings, "ghost-migration")
    assert ghost["migration"] == "appname.0002_exampletwo_rank" and ghost["cause"] == "deleted-migration"
    assert "It explains: stale-column appname_exampletwo.rank" in words(ghost)


def test_missing_dependency_still_gives_the_full_report(built_samples):
    project = built_samples("history_missing_dep")
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr  # not 2: the audit builds the graph tolerantly
    findings = run.json["findings"]
    missing = only(findings, "missing-dependency")
    assert missing["migration"] == "shelf.0001_initial" and missing["cause"] == "deleted-migration"
    text = words(missing)
    assert "depends on library.0002_book_isbn, which does not exist" in text
    assert "library.0002_book_isbn is still recorded as applied" in text
    assert "repoint the dependency to library.0001_initial" in text
    # and the rest of the report is there: the column the deleted file added, and its ghost
    stale = only(findings, "stale-column")
    assert (stale["table"], stale["column"], stale["cause"], stale["migration"]) == (
        "library_book", "isbn", "deleted-migration", "library.0002_book_isbn")
    assert only(findings, "ghost-migration")["migration"] == "library.0002_book_isbn"
    assert driftaudit("report", cwd=project).code == 1  # the text report too


def test_record_deleted_by_hand_is_inconsistent_history(built_samples):
    report_ = report(built_samples("history_inconsistent"))
    findings = report_["findings"]
    inconsistent = only(findings, "inconsistent-history")
    assert inconsistent["migration"] == "appname.0003_alter_exampletwo_rank"
    assert inconsistent["cause"] == "manual-sql"
    assert "dependency appname.0002_exampletwo_rank is not recorded" in words(inconsistent)
    assert "appname_exampletwo.rank" in words(inconsistent)
    unapplied = only(findings, "unapplied-migration")
    assert unapplied["migration"] == "appname.0002_exampletwo_rank" and unapplied["cause"] == "manual-sql"
    assert "duplicate column name" in words(unapplied)
    # the schema itself is what the models say: no schema finding invented
    assert {f["kind"] for f in findings} == {"inconsistent-history", "unapplied-migration"}


def test_squash_with_replaced_files_deleted_mid_way(built_samples):
    report_ = report(built_samples("history_squash"))
    findings = report_["findings"]
    squash = "appname.0001_squashed_0003_alter_exampletwo_rank"
    gap = only(findings, "inconsistent-history")
    assert gap["migration"] == squash and gap["cause"] == "deleted-migration"
    text = words(gap)
    assert "applied appname.0001_initial, appname.0002_exampletwo_rank but not appname.0003_alter_exampletwo_rank" in text
    # the replaced records are not ghosts: the squash still accounts for them
    assert report_["history"]["ghost"] == []
    index = only(findings, "index-missing")
    assert index["cause"] == "unapplied-migration" and index["migration"] == squash


def test_a_named_ghost_is_not_blamed_for_what_its_name_does_not_say(sample_copy):
    """Seed 9481: a column added by hand to another table was blamed on the deleted
    0002_exampletwo_rank ("most likely made this change"), though its name says it added rank."""
    import shutil
    import sqlite3

    project = sample_copy("history_deleted")
    shutil.rmtree(project / ".git", ignore_errors=True)
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.execute('ALTER TABLE "appname_exampleone" ADD COLUMN "added_by_hand" varchar(20) NULL')
    db.close()
    findings = report(project)["findings"]
    hand = [f for f in findings if f["kind"] == "stale-column" and f["column"] == "added_by_hand"]
    assert len(hand) == 1 and hand[0]["cause"] == "manual-sql", hand
    ghost = only(findings, "ghost-migration")
    assert "added_by_hand" not in words(ghost)
    assert only([f for f in findings if f["column"] == "rank"], "stale-column")["cause"] == "deleted-migration"


def test_a_nullable_column_a_ghost_is_named_after_is_still_its(sample_copy, tmp_path):
    """The other side of seed 9481: had the gone 0002_exampletwo_rank added a column ALTER TABLE
    can add (nullable), the column is still that migration's, not typed by hand."""
    import shutil
    import sqlite3

    project = sample_copy("history_deleted")
    shutil.rmtree(project / ".git", ignore_errors=True)
    with sqlite3.connect(project / "db.sqlite3") as db:  # rank, re-made as ALTER TABLE would add it
        db.execute('ALTER TABLE "appname_exampletwo" DROP COLUMN "rank"')
        db.execute('ALTER TABLE "appname_exampletwo" ADD COLUMN "rank" integer NULL')
    db.close()
    stale = only(report(project)["findings"], "stale-column")
    assert (stale["column"], stale["cause"], stale["migration"]) == ("rank", "deleted-migration",
                                                                     "appname.0002_exampletwo_rank")
