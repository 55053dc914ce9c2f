"""The hooks of ``.pre-commit-hooks.yaml``, run by ``pre-commit try-repo`` in sample projects
made git repositories, and ``driftaudit report --no-db`` behind the first of them.

try-repo clones the hooks repository at a commit (and, for a checkout with uncommitted
changes, stages them into that checkout's own index), so the tests commit this checkout's
``.pre-commit-hooks.yaml`` into a scratch repository and try that: the hooks are
``language: system``, nothing else of the repository is used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Run, clean_env, driftaudit, manage
from integration_helpers import database_files

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def committed(folder: Path) -> Path:
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "state")
    return folder


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hooks")
    shutil.copy(REPO / ".pre-commit-hooks.yaml", folder)
    return committed(folder)


def try_repo(project: Path, hooks_repo: Path, hook: str) -> Run:
    env = {**clean_env(), **GIT_ENV, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home")}
    # language: system: the hook runs the `driftaudit` of the environment pre-commit runs in
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook, "--all-files"],
                            cwd=project, capture_output=True, text=True, env=env, timeout=600)
    return Run(result.returncode, result.stdout, result.stderr)


def test_migrations_hook_fails_on_model_changes_without_a_database(sample_copy, hooks_repo):
    """history_pending's models have a field no migration file adds. The hook reads no
    database (there is none here); after makemigrations it passes."""
    project = sample_copy("history_pending")
    (project / "db.sqlite3").unlink()
    committed(project)
    run = try_repo(project, hooks_repo, "driftaudit-migrations")
    assert run.code == 1, run.stdout + run.stderr
    assert "driftaudit migrations (no database)" in run.stdout and "Failed" in run.stdout
    assert "F1 WARNING" in run.stdout and "(pending-model-change, cause: pending-model-change" in run.stdout
    assert "DA305 · driftaudit rules DA305" in run.stdout
    assert "$ python manage.py makemigrations" in run.stdout
    assert not (project / "db.sqlite3").exists()

    assert manage(project, "makemigrations").code == 0
    git(project, "add", "-A")
    run = try_repo(project, hooks_repo, "driftaudit-migrations")
    assert run.code == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout


def test_migrations_hook_fails_on_a_broken_migration_file(sample_copy, hooks_repo):
    project = sample_copy("clean_history")
    migrations = project / "journal" / "migrations"
    assert migrations.is_dir()
    (migrations / "0099_broken.py").write_text("from django.db import migrations\n\nclass Migration(migrations.Migration:\n")
    committed(project)
    run = try_repo(project, hooks_repo, "driftaudit-migrations")
    assert run.code == 1
    assert "journal.0099_broken" in run.stdout and "(broken-migration, cause:" in run.stdout
    assert "DA307 · driftaudit rules DA307" in run.stdout


def test_report_hook_audits_the_database(built_samples, sample_copy, hooks_repo, tmp_path):
    drifted = committed(sample_copy("seed_example"))
    before = database_files(drifted)
    run = try_repo(drifted, hooks_repo, "driftaudit-report")
    assert run.code == 1
    said = " ".join(run.stdout.split())  # (pre-commit's terminal width folds the lines)
    assert "appname_exampleone_exampletwos" in said and "(stale-table, cause: rewritten-migration" in said
    assert database_files(drifted) == before

    clean = committed(Path(shutil.copytree(built_samples("clean_contrib"), tmp_path / "clean")))
    run = try_repo(clean, hooks_repo, "driftaudit-report")
    assert run.code == 0, run.stdout + run.stderr
    assert "driftaudit report (models, migrations and database)" in run.stdout and "Passed" in run.stdout


def test_no_db_reports_only_what_needs_no_database(built_samples):
    """seed_example's drift is all in the database: --no-db finds nothing there, as JSON too."""
    project = built_samples("seed_example")
    run = driftaudit("report", "--no-db", "--format", "json", cwd=project)
    assert run.code == 0, run.stderr
    assert run.json["project"]["database"] is None and run.json["findings"] == []
    assert driftaudit("report", "--no-db", "--db", "x.sqlite3", cwd=project).stderr == \
        "driftaudit: error: --no-db reads no database; leave out --db FILE\n"


def test_no_db_names_a_missing_dependency_makemigrations_dies_on(built_samples):
    project = built_samples("history_missing_dep")
    run = driftaudit("report", "--no-db", "--format", "json", cwd=project)
    assert run.code == 1
    (finding,) = run.json["findings"]
    assert (finding["rule"], finding["migration"]) == ("DA304", "shelf.0001_initial")
    assert "repoint the dependency to library.0001_initial" in finding["explanation"]
    assert [step["argv"] for step in run.json["next_steps"]] == [None, ["driftaudit", "report"]]
