"""Issue 7 x 6: the stale-table and stale-column fix policies change the proposed migration."""

import textwrap

import sqlite3

from conftest import driftaudit, manage
from propose_helpers import query, repair, row_counts

STALE = "appname_exampleone_exampletwos"


def configure(project, text):
    (project / "driftaudit.yaml").write_text(textwrap.dedent(text))


def test_backup_drop_is_the_default(sample_copy):
    project = sample_copy("seed_example")
    before, after, files, _ = repair(project)
    assert STALE not in after
    backups = [t for t in after if t.startswith("driftaudit_backup_")]
    assert len(backups) == 1 and after[backups[0]] == before[STALE] == 3


def test_drop_policy_keeps_no_backup(sample_copy):
    project = sample_copy("seed_example")
    configure(project, "fix:\n  stale_tables: drop\n")
    before, after, files, _ = repair(project)
    assert STALE not in after
    assert not [t for t in after if t.startswith("driftaudit_backup_")]
    assert "driftaudit_backup_" not in files[0].read_text()
    assert_reverse_refused(project, files[0], f"table {STALE} (3 row(s)) was dropped without a backup")


def test_keep_policy_for_one_table_leaves_it_and_its_finding(sample_copy):
    project = sample_copy("seed_example")
    configure(project, f"""
        tables:
          "{STALE}":
            fix: {{stale_tables: keep}}
    """)
    before = row_counts(project / "db.sqlite3")
    run = driftaudit("propose", "--dry-run", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    assert f'DROP TABLE "{STALE}"' not in run.stdout
    assert row_counts(project / "db.sqlite3") == before  # --dry-run writes nothing
    report = driftaudit("report", "--format", "json", cwd=project)
    assert any(f["table"] == STALE for f in report.json["findings"])


def test_stale_column_keep_policy_refuses_instead_of_dropping(sample_copy):
    """history_deleted has a stale NOT NULL column: `keep` cannot repair it, so propose refuses."""
    project = sample_copy("history_deleted")
    configure(project, "fix:\n  stale_columns: keep\n")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1, run.stdout + run.stderr
    assert "cannot keep column(s) rank" in run.stderr


def test_stale_column_drop_policy_has_no_backup(sample_copy):
    project = sample_copy("history_deleted")
    configure(project, "fix:\n  stale_columns: drop\n")
    before, after, files, _ = repair(project)
    assert "__columns" not in files[0].read_text()
    assert not [t for t in after if t.startswith("driftaudit_backup_") and "__columns" in t]
    assert query(project, 'SELECT count(*) FROM pragma_table_info(\'appname_exampletwo\') WHERE name = \'rank\'') == [(0,)]
    assert_reverse_refused(project, files[0], "column(s) rank of table appname_exampletwo were dropped without")


def _dump(db) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def assert_reverse_refused(project, repair_file, reason):
    """A repair that lost data (the user's `drop` policy) cannot be reversed: migrating back
    raises Django's IrreversibleError with the reason, and nothing is undone."""
    names = sorted(p.stem for p in repair_file.parent.glob("0*.py"))
    previous = names[names.index(repair_file.stem) - 1]
    before = _dump(project / "db.sqlite3")
    back = manage(project, "migrate", repair_file.parent.parent.name, previous, "--noinput")
    assert back.code != 0
    assert "IrreversibleError" in back.stderr and reason in " ".join(back.stderr.split()), back.stderr
    assert _dump(project / "db.sqlite3") == before
