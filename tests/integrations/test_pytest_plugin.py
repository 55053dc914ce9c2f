"""The pytest plugin (driftaudit/pytest_plugin.py) and ``driftaudit.testing.assert_no_drift``,
in real pytest runs beside pytest-django on built sample projects.

pytest-django points the settings at an in-memory test database when the first database test
starts (and ``--nomigrations`` disables every migration module): the audit must still read the
real ``db.sqlite3`` and the real migration files, from any test, database test or not. The
plugin is loaded the way an installed driftaudit loads it: through the ``pytest11`` entry point
that ``pyproject.toml`` declares (written into a dist-info folder on ``PYTHONPATH``, since the
editable install's metadata may predate it).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, Run, clean_env
from integration_helpers import database_files

TESTS = '''
import pytest
from django.contrib.auth.models import User

from driftaudit.testing import assert_no_drift


@pytest.mark.django_db
def test_users_live_in_the_test_database():
    User.objects.create(username="ann")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_no_drift_in_a_database_test():
    assert_no_drift()


def test_no_drift_in_a_plain_test():
    assert_no_drift()


def test_nothing_fails_on_never():
    assert_no_drift(fail_on="never")
'''
OUTCOME = re.compile(r"^(\S+) (PASSED|FAILED|ERROR)\b", re.M)


@pytest.fixture(scope="session")
def entry_point_path(tmp_path_factory) -> Path:
    """A folder holding a dist-info with pyproject.toml's ``pytest11`` entry points, as pip
    writes it on install; on ``PYTHONPATH``, pytest's plugin autoload finds it."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["pytest11"]
    folder = tmp_path_factory.mktemp("entry-point")
    dist = folder / "driftaudit_entry_point_probe-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: driftaudit-entry-point-probe\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\n" + "".join(f"{k} = {v}\n" for k, v in declared.items()))
    return folder


def django_project_with_tests(project: Path) -> Path:
    (settings,) = project.glob("*/settings.py")
    (project / "pytest.ini").write_text(textwrap.dedent(f"""\
        [pytest]
        DJANGO_SETTINGS_MODULE = {settings.parent.name}.settings
        python_files = test_*.py
        """))
    (project / "test_app.py").write_text(TESTS)
    return project


def pytest_run(project: Path, entry_point_path: Path, *args: str) -> Run:
    env = clean_env()
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(entry_point_path), env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", *args],
                            cwd=project, capture_output=True, text=True, env=env, timeout=600)
    return Run(result.returncode, result.stdout, result.stderr)


def outcomes(run: Run) -> dict[str, str]:
    return dict(OUTCOME.findall(run.stdout))


def test_drifted_project_fails_the_session_and_every_assert_no_drift(sample_copy, entry_point_path):
    project = django_project_with_tests(sample_copy("seed_example"))
    before = database_files(project)
    run = pytest_run(project, entry_point_path, "--driftaudit")
    assert run.code == 1, run.stdout + run.stderr
    assert outcomes(run) == {
        "driftaudit[default]": "FAILED",
        "test_app.py::test_users_live_in_the_test_database": "PASSED",
        "test_app.py::test_no_drift_in_a_database_test": "FAILED",
        "test_app.py::test_no_drift_in_a_plain_test": "FAILED",
        "test_app.py::test_nothing_fails_on_never": "PASSED",
    }
    assert list(outcomes(run))[0] == "driftaudit[default]"  # the audit's verdict comes first
    # the real file, not pytest-django's in-memory test database; three times: item, two tests
    # (counted above pytest's short summary, which repeats whole messages when it runs on CI)
    body = run.stdout.split("short test summary info")[0]
    assert body.count(f"driftaudit: 2 findings at or above warning in {project / 'db.sqlite3'}:") == 3
    assert ("F1 ERROR   DA101  Table exists only in the database: appname_exampleone_exampletwos "
            "(cause: rewritten-migration)") in run.stdout
    assert "next, from the project folder: `driftaudit propose`, then `driftaudit verify`, then " \
           "`python manage.py migrate`" in run.stdout
    assert database_files(project) == before


def test_without_the_option_nothing_is_audited(sample_copy, entry_point_path):
    project = sample_copy("seed_example")
    (project / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = seedproject.settings\n")
    (project / "test_plain.py").write_text("def test_one():\n    assert True\n")
    run = pytest_run(project, entry_point_path)
    assert run.code == 0, run.stdout
    assert outcomes(run) == {"test_plain.py::test_one": "PASSED"}


@pytest.mark.parametrize("extra", [(), ("--nomigrations",)], ids=["migrations", "nomigrations"])
def test_clean_project_passes(built_samples, tmp_path, entry_point_path, extra):
    """``--nomigrations`` disables every migration module for the test database; the audit
    still reads the real ones (without them, every table would look unexplained)."""
    import shutil

    project = django_project_with_tests(Path(shutil.copytree(built_samples("clean_contrib"), tmp_path / "p")))
    run = pytest_run(project, entry_point_path, "--driftaudit", *extra)
    assert run.code == 0, run.stdout + run.stderr
    assert set(outcomes(run).values()) == {"PASSED"} and "driftaudit[default]" in outcomes(run)


def test_an_audit_that_cannot_run_fails_its_item_in_one_line(sample_copy, entry_point_path):
    project = django_project_with_tests(sample_copy("seed_example"))
    (project / "db.sqlite3").unlink()
    run = pytest_run(project, entry_point_path, "--driftaudit", "-k", "users")
    assert run.code == 1
    assert outcomes(run) == {"driftaudit[default]": "FAILED",
                             "test_app.py::test_users_live_in_the_test_database": "PASSED"}
    assert f"driftaudit could not audit the database: database file not found: {project / 'db.sqlite3'}" \
           in run.stdout
    assert "Traceback" not in run.stdout
