"""``propose --sql`` (the SQL the repair runs, like sqlmigrate) and ``propose --format json``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import driftaudit, manage
from propose_helpers import row_counts


def _schema(db) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {name: sql for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")}
    finally:
        conn.close()


def test_sql_is_what_the_migration_runs(sample_copy, tmp_path):
    """Run the printed SQL on one copy, the written migration on the project: same tables, rows.
    (data_library: rebuilds, orphans and duplicates quarantined - no faked migration replayed,
    whose SQL Django renders at migrate time and `--sql` names instead.)"""
    project = sample_copy("data_library")
    files = sorted((project / "library" / "migrations").glob("*.py"))
    run = driftaudit("propose", "--sql", cwd=project)
    assert run.code == 0, run.stderr
    assert "then the operations of" not in run.stdout
    assert sorted((project / "library" / "migrations").glob("*.py")) == files  # nothing written
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(project / "db.sqlite3", copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.executescript("PRAGMA foreign_keys = OFF; BEGIN;\n" + run.stdout + "\nCOMMIT;")
    conn.close()
    assert driftaudit("propose", cwd=project).code == 0
    assert manage(project, "migrate", "--noinput").code == 0
    migrated = project / "db.sqlite3"
    assert _schema(copy) == _schema(migrated)
    counts = row_counts(copy)
    assert {t: n for t, n in counts.items() if t != "django_migrations"} == \
        {t: n for t, n in row_counts(migrated).items() if t != "django_migrations"}


def test_json_lists_files_operations_and_moved_rows(sample_copy):
    project = sample_copy("data_rejected")
    dry = driftaudit("propose", "--format", "json", "--dry-run", cwd=project)
    assert dry.code == 0, dry.stderr
    data = dry.json
    assert data["schema_version"] == "2" and data["written"] == [] and data["problems"] == []
    (only,) = data["files"]
    assert only["name"] == "0003_driftaudit_rebuild" and only["role"] == "repair"
    fixes = {(f["kind"], f["count"], f["moved_to"]) for f in only["row_fixes"]}
    assert fixes == {("nulls-quarantine", 2, "driftaudit_quarantine_shop_product"),
                     ("checks-quarantine", 2, "driftaudit_quarantine_shop_product_2")}
    assert all(op["sql"] for op in only["operations"])
    assert data["expected_rows"]["shop_product"] == 2
    assert not list(project.glob("shop/migrations/*driftaudit*"))
    written = driftaudit("propose", "--format", "json", cwd=project)
    assert written.code == 0 and [p.endswith("0003_driftaudit_rebuild.py") for p in written.json["written"]] == [True]


def test_json_under_a_refusing_policy_lists_the_problems(sample_copy):
    project = sample_copy("data_rejected")
    run = driftaudit("propose", "--format", "json", "--on-nulls=fail", cwd=project)
    assert run.code == 1
    (problem,) = run.json["problems"]
    assert problem["table"] == "shop_product" and problem["kind"] == "policy" and "fix.nulls is `fail`" in problem["text"]
    assert run.json["written"] == [] and not list(project.glob("shop/migrations/*driftaudit*"))


def _env_with_path(path: str) -> dict:
    from conftest import clean_env

    return {**clean_env(), "PATH": path}


def test_written_files_go_through_black_like_makemigrations(sample_copy):
    """makemigrations runs black on what it writes when black is on PATH (Django's
    run_formatters); propose does the same, and the formatted repair still migrates clean.
    Without black the file keeps the writer's own layout (Django's quotes)."""
    bin_dir = str(Path(sys.executable).parent)
    black = shutil.which("black", path=bin_dir)
    assert black, "black is a test dependency (pyproject's test extra)"
    plain_path = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                 if d and not shutil.which("black", path=d))

    without = sample_copy("data_library", "without_black")
    run = driftaudit("propose", cwd=without, env=_env_with_path(plain_path))
    assert run.code == 0, run.stderr
    (plain,) = (without / "library" / "migrations").glob("*_driftaudit_*.py")
    assert "('library', " in plain.read_text()

    project = sample_copy("data_library")
    run = driftaudit("propose", cwd=project, env=_env_with_path(bin_dir + os.pathsep + plain_path))
    assert run.code == 0, run.stderr
    (written,) = (project / "library" / "migrations").glob("*_driftaudit_*.py")
    assert written.read_text() != plain.read_text()
    check = subprocess.run([black, "--check", "--fast", str(written)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert manage(project, "migrate", "--noinput").code == 0
    after = driftaudit("report", "--format", "json", cwd=project)
    assert after.code == 0 and not [f for f in after.json["findings"] if f["severity"] in ("warning", "error")]
