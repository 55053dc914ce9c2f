"""``driftaudit verify``: prove the proposal on a copy before the user runs it.

The database is copied with SQLite's backup API (from the read-only connection) and the
project folder is copied beside it, with the proposed migration files added; a settings module
in the copy points Django at the copied database. Then, each in a fresh process, exactly what
the user will run: ``migrate``, ``makemigrations --check``, and ``driftaudit report``. The real
database and the real project are only read. Exit 0 only if the copy migrates, the re-audit
has no warning or error, no model change is pending, and every table holds the rows the fix
policy says it should.

:func:`verify_proposal` returns a :class:`Verification`; the report layer tells it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from driftaudit.repair.propose import Proposal
from driftaudit.repair.row_plan import BY_MIGRATIONS
from driftaudit.sources.database import open_readonly
from driftaudit.sources.project import Project
from driftaudit.sql import quote_identifier as q

#: tables Django's own post_migrate handlers add rows to (content types and permissions of new
#: models): a repair that creates a model grows them, and that is not the repair's doing
GROWN_BY_MIGRATE = ("django_content_type", "auth_permission")
SKIP = ("__pycache__", ".git", ".hg", "node_modules", ".venv", "venv", ".tox", "media", "*.pyc")


def row_counts(conn: sqlite3.Connection) -> dict:
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return {n: conn.execute(f"SELECT count(*) FROM {q(n)}").fetchone()[0] for n in names}


def _run(args: list[str], cwd: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    # the copy first (its settings and apps), then this very driftaudit: the re-audit must be
    # the same code as the audit, not whatever the interpreter would import on its own
    here = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": os.pathsep.join([str(cwd), here])}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _copy_project(root: Path, target: Path, database: Path) -> None:
    def ignore(folder, names):
        skipped = set(shutil.ignore_patterns(*SKIP)(folder, names))
        for name in names:  # the database (and its journals) is copied with the backup API
            if (Path(folder) / name).resolve().name.startswith(database.name) and \
                    Path(folder).resolve() == database.parent:
                skipped.add(name)
        return skipped

    shutil.copytree(root, target, ignore=ignore, symlinks=True)


@dataclass(frozen=True)
class RowCheck:
    """One table's rows before the repair, after it on the copy, and what the plan expects."""

    table: str
    before: int | None
    after: int | None
    expected: int | None
    note: str

    @property
    def ok(self) -> bool:
        return self.after == self.expected


@dataclass(frozen=True)
class Verification:
    """What happened when the proposal ran on a copy: each check's failure, if any."""

    proposal: Proposal
    #: the last line ``migrate`` printed when it failed (then nothing else was checked)
    migrate_error: str | None = None
    #: what ``makemigrations --check`` printed when models are still ahead of the files
    makemigrations: str | None = None
    #: why the re-audit gave no report
    reaudit_error: str | None = None
    #: the re-audit's warning and error findings (contract JSON), accepted ones aside
    remaining: tuple = ()
    rows: tuple[RowCheck, ...] = ()

    @property
    def ok(self) -> bool:
        return (self.migrate_error is None and self.makemigrations is None and self.reaudit_error is None
                and not self.remaining and all(r.ok for r in self.rows))


def verify_proposal(proposal: Proposal, project: Project) -> Verification:
    """Apply ``proposal`` to a copy of the project and its database, then check the copy."""
    source = open_readonly(proposal.database_path)
    with tempfile.TemporaryDirectory(prefix="driftaudit-verify-") as tmp:
        work = Path(tmp)
        copy = work / "project"
        _copy_project(proposal.root, copy, Path(proposal.database_path).resolve())
        copy_db = work / "db.sqlite3"
        target = sqlite3.connect(copy_db)
        try:
            before = row_counts(source)
            source.backup(target)
        finally:
            target.close()
            source.close()
        for path, text in proposal.files.items():
            file = copy / Path(path).relative_to(proposal.root)
            file.parent.mkdir(exist_ok=True)
            file.write_text(text, encoding="utf-8")
        alias = project.database_alias
        (copy / "driftaudit_verify_settings.py").write_text(
            f"from {project.settings_module} import *  # noqa: F401,F403\n"
            f"DATABASES = {{**DATABASES}}\n"
            f"DATABASES[{alias!r}] = {{**DATABASES[{alias!r}], 'NAME': {str(copy_db)!r}}}\n",
            encoding="utf-8")
        return _check(proposal, project, copy, copy_db, before)


def _check(proposal: Proposal, project: Project, copy: Path, copy_db: Path, before: dict) -> Verification:
    settings_args = ["--settings", "driftaudit_verify_settings"]
    alias = project.database_alias
    migrate = _run(["-m", "django", "migrate", "--noinput", "--database", alias, *settings_args], copy)
    if migrate.returncode != 0:
        lines = (migrate.stderr or migrate.stdout).strip().splitlines()
        return Verification(proposal, migrate_error=lines[-1] if lines else "?")
    check = _run(["-m", "django", "makemigrations", "--check", "--dry-run", *settings_args], copy)
    makemigrations = " ".join(check.stdout.split())[:300] if check.returncode != 0 else None
    report_args = ["-m", "driftaudit", "report", "--format", "json", "--project", str(copy),
                   "--database", alias, *settings_args]
    if project.config.path:
        report_args += ["--config", str(Path(project.config.path).resolve())]
    report = _run(report_args, copy)
    remaining, reaudit_error = [], None
    try:
        findings = json.loads(report.stdout)["findings"]
        remaining = [f for f in findings if f["severity"] in ("warning", "error") and not f.get("accepted")]
    except (ValueError, KeyError):
        reaudit_error = (report.stderr.strip().splitlines() or ["?"])[-1]
    conn = sqlite3.connect(f"file:{copy_db}?mode=ro", uri=True)
    try:
        after = row_counts(conn)
    finally:
        conn.close()
    plan = proposal.plan
    rows = []
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table), after.get(table)
        expected = plan.expected_rows[table] if table in plan.expected_rows else b
        # a table that did not exist and that the plan does not count (made by a replayed or
        # pending migration, whose own operations fill it) has no rows to lose
        if table == "django_migrations" or not proposal.counted or \
                (b is None and table not in plan.expected_rows):
            expected = a
        elif expected == BY_MIGRATIONS:
            expected = a  # the user's own pending migrations change it (a RemoveModel drops it)
        elif table in GROWN_BY_MIGRATE and a is not None and b is not None and a >= b:
            expected = a  # migrate's post_migrate handlers add the new models' rows
        rows.append(RowCheck(table, b, a, expected, plan.row_changes.get(table, "")))
    return Verification(proposal, None, makemigrations, reaudit_error, tuple(remaining), tuple(rows))
