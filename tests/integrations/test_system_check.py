"""``python manage.py check --database default`` reports drift as ``driftaudit.E1xx``/``W1xx``
system check messages (driftaudit/checks.py): real ``manage.py`` runs on built sample projects,
the database byte-identical afterwards."""

from __future__ import annotations

import re

from conftest import driftaudit, manage
from integration_helpers import add_settings, database_files, with_driftaudit_app

CHECK = ("check", "--database", "default")
MESSAGE = re.compile(r"^(\S+): \((driftaudit\.\w+)\) (.*)$", re.M)
HINT = re.compile(r"^\tHINT: (.*)$", re.M)


def messages(run) -> list[tuple]:
    return MESSAGE.findall(run.stdout + run.stderr)


def test_drift_is_reported_as_check_messages_and_the_database_is_untouched(built_samples):
    project = built_samples("seed_example")
    before = database_files(project)
    run = manage(project, *CHECK)
    assert run.code == 1, run.stderr
    assert messages(run) == [
        ("appname.ExampleOne", "driftaudit.E101",
         "Table exists only in the database: appname_exampleone_exampletwos (cause: rewritten-migration)"),
        ("?", "driftaudit.W306",
         "Migration file rewritten after it was applied: appname.0001_initial (cause: rewritten-migration)"),
    ]
    hints = HINT.findall(run.stderr)
    assert len(hints) == 2
    assert hints[0].startswith("Run from the project folder: `driftaudit propose`, then `driftaudit verify`, "
                               "then `python manage.py migrate`.")
    assert "`driftaudit rules DA101`" in hints[0] and "`driftaudit report`" in hints[0]
    assert "Traceback" not in run.stderr
    assert database_files(project) == before  # same files (no -wal, -shm, journal), same bytes
    assert driftaudit("rules", "DA101", cwd=project).code == 0  # the hint's command works as printed


def test_plain_check_does_not_audit(built_samples):
    project = built_samples("seed_example")
    run = manage(project, "check")
    assert run.code == 0
    assert "System check identified no issues (0 silenced)." in run.stdout
    assert "driftaudit." not in run.stdout + run.stderr


def test_silenced_system_checks_silence_exactly_their_ids(sample_copy):
    project = sample_copy("seed_example")
    add_settings(project, 'SILENCED_SYSTEM_CHECKS = ["driftaudit.E101"]')
    run = manage(project, *CHECK)
    assert run.code == 0  # the error is silenced; a warning does not fail `check`
    assert [m[1] for m in messages(run)] == ["driftaudit.W306"]
    assert "System check identified 1 issue (1 silenced)." in run.stderr

    add_settings(project, 'SILENCED_SYSTEM_CHECKS += ["driftaudit.W306"]')
    run = manage(project, *CHECK)
    assert run.code == 0
    assert "System check identified no issues (2 silenced)." in run.stdout


def test_clean_project_passes(built_samples):
    project = built_samples("clean_contrib")
    before = database_files(project)
    run = manage(project, *CHECK)
    assert run.code == 0, run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout
    assert database_files(project) == before


def test_added_to_installed_apps_it_reports_then_migrate_is_not_stopped(sample_copy):
    """history_unapplied has no driftaudit app: add it. Its pending migration is a warning
    (``--fail-level WARNING`` fails on it); ``migrate`` runs Django's database checks too, and
    must apply the migration instead of being stopped by the audit."""
    project = with_driftaudit_app(sample_copy("history_unapplied"))
    run = manage(project, *CHECK, "--fail-level", "WARNING")
    assert run.code == 1
    assert messages(run) == [("?", "driftaudit.W302",
                              "Migration not applied: appname.0002_exampletwo_rank (cause: unapplied-migration)")]
    assert HINT.findall(run.stderr)[0].startswith("Run from the project folder: `python manage.py migrate`.")

    migrated = manage(project, "migrate")
    assert migrated.code == 0 and "Applying appname.0002_exampletwo_rank... OK" in migrated.stdout
    assert manage(project, *CHECK, "--fail-level", "WARNING").code == 0


def test_migrate_runs_despite_drift_errors(sample_copy):
    """Django runs database-tagged checks before ``migrate``; the audit's errors must not stop
    the command that applies the repair."""
    project = sample_copy("seed_example")
    assert manage(project, *CHECK).code == 1
    run = manage(project, "migrate")
    assert run.code == 0, run.stderr
    assert "No migrations to apply." in run.stdout


def test_the_test_runner_does_not_audit_its_test_database(sample_copy):
    """``manage.py test`` runs the database checks against the test database (here in memory):
    the audit stays out of it."""
    project = sample_copy("seed_example")
    (project / "appname" / "tests.py").write_text(
        "from django.contrib.auth.models import User\n"
        "from django.test import TestCase\n\n\n"
        "class UsersTest(TestCase):\n"
        "    def test_create(self):\n"
        "        User.objects.create(username='ann')\n"
        "        self.assertEqual(User.objects.count(), 1)\n")
    run = manage(project, "test", "appname")
    assert run.code == 0, run.stderr
    assert "Ran 1 test" in run.stderr and "driftaudit." not in run.stderr


def test_an_audit_that_cannot_run_is_one_error(sample_copy):
    project = sample_copy("seed_example")
    database = project / "db.sqlite3"
    database.write_bytes(database.read_bytes()[:3000])  # a truncated file
    run = manage(project, *CHECK)
    assert run.code == 1
    found = messages(run)
    assert [m[1] for m in found] == ["driftaudit.E001"]
    assert found[0][2].startswith("driftaudit cannot audit database 'default': database file is corrupt:")
    assert "Traceback" not in run.stderr

    database.unlink()
    run = manage(project, *CHECK)
    assert [m[1] for m in messages(run)] == ["driftaudit.E001"]
    assert "database file not found" in run.stderr
    assert not database.exists()  # read-only: the check does not create it


def test_app_labels_limit_the_messages_and_other_engines_are_info(sample_copy):
    project = sample_copy("seed_example")
    run = manage(project, "check", "auth", "--database", "default")
    assert run.code == 0 and "driftaudit." not in run.stdout + run.stderr
    add_settings(project, 'DATABASES["other"] = {"ENGINE": "django.db.backends.dummy"}')
    run = manage(project, "check", "appname", "--database", "other")
    assert run.code == 0
    assert messages(run) == [("?", "driftaudit.I001", "driftaudit audits SQLite databases only; database "
                                                      "'other' uses django.db.backends.dummy.")]


def test_the_docs_give_every_rule_its_check_id():
    """docs/where-it-runs.md lists each rule with the id its default severity gives."""
    from conftest import REPO

    from driftaudit.checks import check_id
    from driftaudit.config.rules import load_catalog

    doc = (REPO / "docs" / "where-it-runs.md").read_text()
    missing = [rule.id for rule in load_catalog().values()
               if f"| {rule.id} | `{rule.kind}` | {rule.severity} | `{check_id(rule.severity, rule.id)}` |" not in doc]
    assert missing == []
