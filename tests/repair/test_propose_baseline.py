"""Issue 6: databases without history (class 18), immediate keys from Django 1.11 (class 8),
pending migrations while the models are ahead of the files too, and index-only differences.

Each: propose -> manage.py migrate (plain) -> report clean -> makemigrations --check clean ->
the sample's failing operation works -> row counts preserved.
"""

import sqlite3

from conftest import driftaudit, manage
from propose_helpers import query, repair, row_counts, same_rows, shell



def test_no_history_gets_a_baseline_and_plain_migrate_works(sample_copy):
    project = sample_copy("drift_no_history")
    before, after, files, migrated = repair(project)
    package = project / "warehouse" / "migrations"
    assert sorted(p.name for p in files) == ["0001_initial.py", "__init__.py"]
    assert all(p.parent == package for p in files)
    text = (package / "0001_initial.py").read_text()
    assert "initial = True" in text and "name='Crate'" in text and 'CREATE TABLE "new__warehouse_crate"' in text
    assert "Applying warehouse.0001_initial... OK" in migrated
    assert query(project, 'SELECT "app", "name" FROM "django_migrations"') == [("warehouse", "0001_initial")]
    same_rows(before, after, {"django_migrations": 1})
    out = shell(project, """
        from django.db import IntegrityError, transaction
        from warehouse.models import Crate
        crate = Crate.objects.get()
        crate.barcode = "C-1"
        crate.save()
        try:
            with transaction.atomic():
                Crate.objects.create(depot=crate.depot, weight=1, barcode="C-1")
        except IntegrityError as exc:
            print("second C-1:", exc)
        print([(c.weight, c.barcode) for c in Crate.objects.all()])
    """)
    assert "[(12.5, 'C-1')]" in out and "second C-1: UNIQUE constraint failed" in out


def test_verify_makes_the_baseline_package_in_the_copy(sample_copy):
    project = sample_copy("drift_no_history")
    run = driftaudit("verify", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    assert "proposed: warehouse/migrations/0001_initial.py" in run.stdout and "applies cleanly" in run.stdout
    assert not (project / "warehouse" / "migrations").exists()


def test_tables_without_records_ask_for_stamp_then_repair(sample_copy):
    """No django_migrations: propose stops with `driftaudit stamp --apply`, which records the
    migrations whose work the tables show - history_faked's 0002 (its column is missing) stays
    unrecorded, so `migrate` then runs it for real: no repair migration is needed at all."""
    project = sample_copy("history_faked")
    conn = sqlite3.connect(project / "db.sqlite3")
    conn.execute('DROP TABLE "django_migrations"')  # a database made by hand / restored without it
    conn.commit()
    conn.close()
    run = driftaudit("propose", cwd=project)
    assert run.code == 1 and "`driftaudit stamp --apply`" in " ".join(run.stderr.split())
    assert not list(project.glob("appname/migrations/*driftaudit*"))
    before = row_counts(project / "db.sqlite3")
    stamped = driftaudit("stamp", "--apply", cwd=project)
    assert stamped.code == 0 and "appname.0001_initial" in stamped.stdout
    assert "appname.0002" not in stamped.stdout.splitlines()[0]
    assert manage(project, "migrate", "--noinput").code == 0
    assert driftaudit("report", cwd=project).code == 0
    assert manage(project, "makemigrations", "--check", "--dry-run").code == 0
    after = row_counts(project / "db.sqlite3")
    assert all(after[t] == n for t, n in before.items() if not t.startswith(("django_", "auth_permission")))
    assert "rank 0" in shell(project, """
        from appname.models import ExampleTwo
        print("rank", ExampleTwo.objects.create(name="b").rank)
    """)


def test_immediate_keys_rebuilt_deferrable_and_the_fixture_loads(sample_copy):
    project = sample_copy("legacy_immediate_fk")
    failed = manage(project, "loaddata", "story/new_books.json")
    assert failed.code != 0 and "FOREIGN KEY constraint failed" in failed.stderr
    before, after, _files, _ = repair(project)
    same_rows(before, after, {})
    [(ddl,)] = query(project, "SELECT sql FROM sqlite_master WHERE name = 'library_book'")
    assert "DEFERRABLE INITIALLY DEFERRED" in ddl
    loaded = manage(project, "loaddata", "story/new_books.json")
    assert loaded.code == 0, loaded.stderr
    assert row_counts(project / "db.sqlite3")["library_book"] == before["library_book"] + 1


MODELS_AHEAD = """
    note = models.CharField(max_length=20, default="")


class ExampleThree(models.Model):
    one = models.ForeignKey(ExampleOne, on_delete=models.CASCADE)
"""


def test_pending_migration_and_models_ahead_at_once(sample_copy):
    project = sample_copy("history_unapplied")  # 0002_exampletwo_rank is pending
    models = project / "appname" / "models.py"
    text = models.read_text().replace(
        "class ExampleOne(models.Model):\n    name = models.CharField(max_length=100)\n",
        "class ExampleOne(models.Model):\n    name = models.CharField(max_length=100)\n"
        "    city = models.CharField(max_length=50, blank=True)\n")
    models.write_text(text + MODELS_AHEAD)  # and the models move on, makemigrations not run
    conn = sqlite3.connect(project / "db.sqlite3")
    conn.execute("""INSERT INTO "appname_exampleone" ("name") VALUES ('kept')""")
    conn.commit()
    conn.close()
    before, after, files, migrated = repair(project)
    assert [p.name for p in files] == ["0003_driftaudit_rebuild.py", "0004_driftaudit_models.py"]
    order = [line.split()[1] for line in migrated.splitlines() if line.strip().startswith("Applying")]
    assert order == ["appname.0003_driftaudit_rebuild...", "appname.0002_exampletwo_rank...",
                     "appname.0004_driftaudit_models..."]
    later = files[1].read_text()
    # exampletwo is changed by the pending 0002: its new field runs for real after it; the
    # repair already made exampleone.city and ExampleThree, so those are state only
    assert "migrations.AddField(\n            model_name='exampletwo'" in later
    assert later.count("SeparateDatabaseAndState(") == 2
    same_rows(before, after, {"appname_examplethree": 0})
    out = shell(project, """
        from appname.models import ExampleOne, ExampleThree, ExampleTwo
        one = ExampleOne.objects.get(name="kept")
        two = ExampleTwo.objects.create(name="b", example_one=one, note="n")
        ExampleThree.objects.create(one=one)
        print(repr(one.city), two.rank, ExampleThree.objects.count())
    """)
    assert "'' 0 1" in out


def test_index_only_drift_is_repaired_without_a_rebuild(sample_copy):
    project = sample_copy("clean_history")
    conn = sqlite3.connect(project / "db.sqlite3")
    conn.execute('DROP INDEX "journal_post_slug_cd13f93b"')  # by hand, in a DB browser
    conn.execute('CREATE INDEX "hand_post_score" ON "journal_post" ("score")')
    conn.commit()
    conn.close()
    before, after, files, _ = repair(project)
    text = files[0].read_text()
    assert "new__" not in text
    assert "'DROP INDEX \"hand_post_score\"'" in text
    assert "'CREATE INDEX \"journal_post_slug_cd13f93b\" ON \"journal_post\" (\"slug\")'" in text
    same_rows(before, after, {})
    assert query(project, "SELECT name FROM sqlite_master WHERE tbl_name = 'journal_post' AND name LIKE 'hand%'") == []
