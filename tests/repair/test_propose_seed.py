"""Issue 6, the seed case end to end: propose -> migrate -> clean -> the old rows delete."""

from conftest import driftaudit, manage
from propose_helpers import repair, row_counts, same_rows, shell

BACKUP = "driftaudit_backup_appname_exampleone_exampletwos"


def test_seed_repaired_and_old_rows_delete(sample_copy):
    project = sample_copy("seed_example")
    before, after, files, _ = repair(project)
    assert [p.name for p in files] == ["0002_driftaudit_rebuild.py"]
    assert files[0].parent == project / "appname" / "migrations"
    # the join table's 3 rows moved into the FK-free backup; nothing else changed
    same_rows(before, after, {"appname_exampleone_exampletwos": None, BACKUP: 3})
    out = shell(project, """
        from appname.models import ExampleOne
        print(ExampleOne.objects.filter(pk__in=[1, 2]).delete())
    """)
    assert "'appname.ExampleOne': 2" in out


def test_seed_migration_reads_like_a_reviewed_one(sample_copy):
    project = sample_copy("seed_example")
    run = driftaudit("propose", "--dry-run", cwd=project)
    assert run.code == 0, run.stderr
    assert not (project / "appname" / "migrations" / "0002_driftaudit_rebuild.py").exists()
    text = run.stdout
    for phrase in ("SeparateDatabaseAndState", "('appname', '0001_initial')", "DA101 stale-table",
                   f'CREATE TABLE "{BACKUP}" AS SELECT * FROM "appname_exampleone_exampletwos"',
                   'DROP TABLE "appname_exampleone_exampletwos"', "reverse_sql", "3 row(s)"):
        assert phrase in text, phrase
    named = driftaudit("propose", "--dry-run", "--name", "fix_join_table", cwd=project)
    assert "0002_fix_join_table.py" in named.stdout


def test_seed_repair_is_reversible_from_the_backup(sample_copy):
    project = sample_copy("seed_example")
    original = driftaudit("report", "--format", "json", cwd=project).json
    before, _after, _files, _ = repair(project)
    back = manage(project, "migrate", "appname", "0001_initial")
    assert back.code == 0, back.stderr
    assert row_counts(project / "db.sqlite3") == {**before, "django_migrations": before["django_migrations"]}
    again = driftaudit("report", "--format", "json", cwd=project).json
    # the drift is back exactly as it was; the repair file is now merely unapplied
    assert [(f["kind"], f["table"]) for f in again["findings"] if f["kind"] != "unapplied-migration"] == \
           [(f["kind"], f["table"]) for f in original["findings"]]
    assert again["history"]["unapplied"] == ["appname.0002_driftaudit_rebuild"]


def test_propose_leaves_the_database_untouched_and_refuses_to_overwrite(sample_copy):
    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    data = db.read_bytes()
    assert driftaudit("propose", cwd=project).code == 0
    assert db.read_bytes() == data
    again = driftaudit("propose", cwd=project)
    assert again.code == 2 and "unapplied driftaudit repair" in again.stderr and "Traceback" not in again.stderr
    assert again.stderr.count("\n") == 1


def test_nothing_to_propose_on_a_clean_project(built_samples):
    project = built_samples("clean_runsql")
    run = driftaudit("propose", cwd=project)
    assert run.code == 0, run.stderr
    assert "nothing to repair" in run.stdout
    assert not list((project / "blog" / "migrations").glob("*driftaudit*"))


def test_propose_through_manage_py(sample_copy):
    project = sample_copy("seed_example")
    run = manage(project, "driftaudit", "propose", "--dry-run")
    assert run.code == 0, run.stderr
    assert "DROP TABLE" in run.stdout
