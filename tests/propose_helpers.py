"""What every repair test does for real: propose, migrate, re-audit, makemigrations --check.

Shared by the ``test_propose_*`` modules; every step is the real command the user runs.
"""

from __future__ import annotations

import py_compile
import sqlite3
import textwrap
from pathlib import Path

from conftest import driftaudit, manage


def query(project: Path, sql: str) -> list:
    """Rows of ``sql`` run read-only on the project's database."""
    conn = sqlite3.connect(f"file:{project / 'db.sqlite3'}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def row_counts(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def propose(project: Path, *args: str) -> list[Path]:
    """``driftaudit propose``; returns the written files, each checked with py_compile."""
    run = driftaudit("propose", *args, cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    files = [Path(line.split(" ", 1)[1]) for line in run.stdout.splitlines() if line.startswith("wrote ")]
    assert files, run.stdout
    for path in files:
        assert path.is_file()
        py_compile.compile(str(path), cfile=str(path.parent / "__compiled_check.pyc"), doraise=True)
        (path.parent / "__compiled_check.pyc").unlink()
    return files


def repair(project: Path, *args: str) -> tuple[dict, dict, list[Path], str]:
    """propose -> migrate -> report clean -> makemigrations --check clean; row counts before/after."""
    db = project / "db.sqlite3"
    before = row_counts(db)
    files = propose(project, *args)
    migrated = manage(project, "migrate", "--noinput")
    assert migrated.code == 0, migrated.stdout + migrated.stderr
    report = driftaudit("report", "--format", "json", cwd=project)
    remaining = [(f["kind"], f["table"], f["column"]) for f in report.json["findings"]
                 if f["severity"] in ("warning", "error") and not f["accepted"]]
    assert remaining == [], remaining
    assert report.code == 0
    check = manage(project, "makemigrations", "--check", "--dry-run")
    assert check.code == 0, check.stdout + check.stderr
    return before, row_counts(db), files, migrated.stdout


def shell(project: Path, code: str) -> str:
    """Run the user's operation in ``manage.py shell``; it must succeed."""
    run = manage(project, "shell", "-c", textwrap.dedent(code))
    assert run.code == 0, run.stdout + run.stderr
    return run.stdout


def same_rows(before: dict, after: dict, changed: dict) -> None:
    """Every table keeps its rows except ``changed`` ({table: rows after, None = gone})."""
    for table, rows in before.items():
        if table == "django_migrations":
            continue
        expected = changed.get(table, rows)
        assert after.get(table) == expected, (table, rows, after.get(table), expected)
    for table, rows in changed.items():
        assert after.get(table) == rows, (table, after.get(table), rows)
