"""Issue 6: the history samples repaired for real - or, where no migration can run, refused with
the exact step to take first, which the test then takes.

Each repairable case: propose -> manage.py migrate -> report shows no warning/error ->
makemigrations --check is clean -> the sample's failing operation works -> row counts preserved
(or changed exactly as the policy says). The blocked cases (inconsistent history, a missing
dependency) exit 1 without writing anything, the test follows the printed instruction, and then
the same end-to-end checks hold.
"""

import shlex
import sqlite3

from conftest import driftaudit, manage
from propose_helpers import query, repair, row_counts, same_rows, shell

CREATE_TWO = """
    from appname.models import ExampleOne, ExampleTwo
    two = ExampleTwo.objects.create(name="b", example_one=ExampleOne.objects.create(name="x"))
    print("created", two.pk, "rank", getattr(ExampleTwo.objects.get(pk=two.pk), "rank", None))
"""


def _no_repair_files(project):
    return not [p for p in project.rglob("*driftaudit*.py") if "migrations" in p.parts]


def test_deleted_migration_column_backed_up_and_ghost_record_removed(sample_copy):
    project = sample_copy("history_deleted")
    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert 'DELETE FROM "django_migrations" WHERE "app" = \'appname\' AND "name" IN (\'0002_exampletwo_rank\')' in text
    same_rows(before, after, {"driftaudit_backup_appname_exampletwo__columns": 1,
                              "driftaudit_backup_django_migrations_appname": 1})
    assert "created" in shell(project, CREATE_TWO)  # NOT NULL constraint failed before


def test_faked_migration_column_added(sample_copy):
    project = sample_copy("history_faked")
    before, after, _files, _ = repair(project)
    same_rows(before, after, {})
    assert "rank 0" in shell(project, CREATE_TWO)


def test_rewritten_migrations_column_added(sample_copy):
    project = sample_copy("history_rewritten")
    before, after, _files, _ = repair(project)
    same_rows(before, after, {})
    assert "rank 0" in shell(project, CREATE_TWO)


def test_pending_model_change_made_and_recorded(sample_copy):
    project = sample_copy("history_pending")
    before, after, files, _ = repair(project)
    assert "migrations.AddField(" in files[0].read_text()
    same_rows(before, after, {})
    assert "rank 0" in shell(project, CREATE_TWO)


def test_unapplied_migration_needs_only_migrate(sample_copy):
    project = sample_copy("history_unapplied")
    run = driftaudit("propose", cwd=project)
    assert run.code == 0, run.stderr
    assert "nothing to repair" in run.stdout
    assert "1 migration(s) are not applied yet (appname.0002_exampletwo_rank)" in run.stdout
    assert _no_repair_files(project)
    assert manage(project, "migrate", "--noinput").code == 0
    assert driftaudit("report", cwd=project).code == 0
    assert manage(project, "makemigrations", "--check", "--dry-run").code == 0
    assert "rank 0" in shell(project, CREATE_TWO)


def test_squash_completed_with_an_index_and_the_missing_record(sample_copy):
    project = sample_copy("history_squash")
    before, after, files, migrated = repair(project)
    text = files[0].read_text()
    assert "('appname', '0001_squashed_0003_alter_exampletwo_rank')" in text  # depends on the squash
    assert "run_before" not in text and "new__" not in text  # no rebuild: only the index differs
    assert 'CREATE INDEX "appname_exampletwo_rank_' in text
    assert "'0003_alter_exampletwo_rank', CURRENT_TIMESTAMP" in text
    same_rows(before, after, {})
    shown = manage(project, "showmigrations", "appname").stdout
    assert "[X] 0001_squashed_0003_alter_exampletwo_rank" in shown and "[X] 0002_driftaudit_rebuild" in shown


def test_inconsistent_history_is_refused_with_the_record_command(sample_copy):
    project = sample_copy("history_inconsistent")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1
    assert "Django cannot run a migration on this history; do this first" in run.stderr
    assert "Traceback" not in run.stderr and _no_repair_files(project)
    text = " ".join(run.stderr.split())
    command = shlex.split(text[text.index("`driftaudit record") + 1:text.index("--apply`") + len("--apply")])
    assert command == ["driftaudit", "record", "appname.0002_exampletwo_rank", "--apply"]
    done = driftaudit(*command[1:], cwd=project)  # as printed; it backs the database up first
    assert done.code == 0, done.stderr
    backups = list(project.glob("db.sqlite3.driftaudit-backup-*"))
    assert len(backups) == 1 and str(backups[0]) in done.stdout
    assert row_counts(backups[0])["django_migrations"] == row_counts(project / "db.sqlite3")["django_migrations"] - 1
    again = driftaudit("propose", cwd=project)
    assert again.code == 0 and "nothing to repair" in again.stdout
    assert manage(project, "migrate", "--noinput").code == 0  # InconsistentMigrationHistory before
    assert driftaudit("report", cwd=project).code == 0
    assert manage(project, "makemigrations", "--check", "--dry-run").code == 0


def test_missing_dependency_is_refused_then_repaired_after_the_repoint(sample_copy):
    project = sample_copy("history_missing_dep")
    run = driftaudit("propose", cwd=project)
    assert run.code == 1
    text = " ".join(run.stderr.split())
    assert "shelf.0001_initial depends on library.0002_book_isbn, whose file is gone" in text
    assert "change its dependency to ('library', '0001_initial')" in text
    assert _no_repair_files(project)
    migration = project / "shelf" / "migrations" / "0001_initial.py"
    migration.write_text(migration.read_text().replace("('library', '0002_book_isbn')", "('library', '0001_initial')"))
    before, after, _files, _ = repair(project)
    same_rows(before, after, {"driftaudit_backup_library_book__columns": before["library_book"],
                              "driftaudit_backup_django_migrations_library": 1})


def test_missing_dependency_is_restored_by_the_printed_command(sample_copy):
    """No git history holds library.0002: `driftaudit restore` writes a stand-in without
    operations; the repair then backs the isbn column up (the models dropped it) as before."""
    project = sample_copy("history_missing_dep")
    text = " ".join(driftaudit("propose", cwd=project).stderr.split())
    command = shlex.split(text[text.index("`driftaudit restore") + 1:].split("`")[0])
    assert command == ["driftaudit", "restore", "library.0002_book_isbn"]
    restored = driftaudit(*command[1:], cwd=project)
    assert restored.code == 0 and "(stand-in)" in restored.stdout, restored.stdout + restored.stderr
    stand_in = (project / "library" / "migrations" / "0002_book_isbn.py").read_text()
    assert "dependencies = [('library', '0001_initial')]" in stand_in and "operations = []" in stand_in
    before, after, _files, _ = repair(project)
    same_rows(before, after, {"driftaudit_backup_library_book__columns": before["library_book"]})


def test_unrecorded_migration_whose_work_is_done_is_recorded_by_the_printed_command(sample_copy):
    """Regenerated files get new names; one of them is not recorded, yet the database has its
    column: `migrate` ran it and failed ("duplicate column name"). Now propose stops with the
    `driftaudit record ... --apply` command, and after it the project is clean."""
    project = sample_copy("history_unapplied")
    with sqlite3.connect(project / "db.sqlite3") as conn:
        conn.execute('ALTER TABLE "appname_exampletwo" ADD COLUMN "rank" integer NOT NULL DEFAULT 0')
    conn.close()
    report = driftaudit("report", "--format", "json", cwd=project).json
    steps = [step["argv"] for step in report["next_steps"]]
    assert steps[0] == ["driftaudit", "record", "appname.0002_exampletwo_rank", "--apply"]
    assert steps[1:] == [["driftaudit", "propose"], ["driftaudit", "verify"], ["python", "manage.py", "migrate"]]
    refused = driftaudit("propose", cwd=project)
    assert refused.code == 1 and "`driftaudit record appname.0002_exampletwo_rank --apply`" in \
        " ".join(refused.stderr.split())
    assert driftaudit(*steps[0][1:], cwd=project).code == 0
    again = driftaudit("report", "--format", "json", cwd=project)
    assert again.code == 0 and again.json["next_steps"] == [], again.stdout
    assert manage(project, "migrate", "--noinput").code == 0  # "duplicate column name" before
    assert "rank 0" in shell(project, CREATE_TWO)


CODE_MIGRATION = '''
from django.db import migrations, models


def fill_codes(apps, schema_editor):
    ExampleTwo = apps.get_model("appname", "ExampleTwo")
    for row in ExampleTwo.objects.all():
        row.code = f"code-{row.pk}"
        row.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("appname", "0002_exampletwo_rank")]
    operations = [
        migrations.AddField("exampletwo", "code", models.CharField(max_length=40, null=True)),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField("exampletwo", "code", models.CharField(max_length=40, unique=True)),
    ]
'''


def test_faked_data_migration_is_replayed_not_rebuilt(sample_copy):
    """A faked migration that fills a new unique column with RunPython (django-oauth-toolkit's
    0012 token_checksum): no rebuild can make those values, so the repair runs the faked
    migrations' own operations. A rebuild gave every row the same '' and failed UNIQUE."""
    project = sample_copy("history_faked")
    with sqlite3.connect(project / "db.sqlite3") as conn:  # rows made before the upgrade
        conn.executemany('INSERT INTO appname_exampletwo (name) VALUES (?)', [("a",), ("b",), ("c",)])
    conn.close()
    models = project / "appname" / "models.py"
    models.write_text(models.read_text() + "    code = models.CharField(max_length=40, unique=True)\n")
    (project / "appname" / "migrations" / "0003_exampletwo_code.py").write_text(CODE_MIGRATION)
    assert manage(project, "migrate", "--fake").code == 0

    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert "('appname', '0002_exampletwo_rank')," in text and "('appname', '0003_exampletwo_code')," in text
    assert "RunPython(replay_faked_migrations" in text
    same_rows(before, after, {})
    codes = query(project, "SELECT id, code, rank FROM appname_exampletwo ORDER BY id")
    assert [(code, rank) for _id, code, rank in codes] == [(f"code-{i}", 0) for i, *_ in codes]


def test_record_refuses_a_migration_whose_work_the_database_lacks(sample_copy):
    """Recording 0002 where the rank column is missing would hide it: refused, nothing written."""
    project = sample_copy("history_unapplied")
    db = project / "db.sqlite3"
    before = db.read_bytes()
    run = driftaudit("record", "appname.0002_exampletwo_rank", "--apply", cwd=project)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "lacks what it makes (column appname_exampletwo.rank)" in run.stderr
    assert db.read_bytes() == before and not list(project.glob("db.sqlite3.driftaudit-backup-*"))
