"""``driftaudit verify``: prove the proposal on a copy before the user runs it.

The database is copied with SQLite's backup API (from the read-only connection) and the
project folder is copied beside it, with the proposed migration files added; a settings module
in the copy points Django at the copied database. Then, each in a fresh process, exactly what
the user will run: ``migrate``, ``makemigrations --check``, and ``driftaudit report``. The real
database and the real project are only read. Exit 0 only if the copy migrates, the re-audit
has no warning or error, no model change is pending, and every table holds the rows the fix
policy says it should.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from .plandata import say
from .sql import quote_identifier as q

SKIP = ("__pycache__", ".git", ".hg", "node_modules", ".venv", "venv", ".tox", "media", "*.pyc")


def row_counts(conn: sqlite3.Connection) -> dict:
    names = [n for (n,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
    return {n: conn.execute(f"SELECT count(*) FROM {q(n)}").fetchone()[0] for n in names}


def _run(args: list[str], cwd: Path, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(cwd)}
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


def run_verify(args, django_ready: bool) -> int:
    from .audit import Selection
    from .dbfile import open_readonly
    from .propose import make_proposal, print_problems

    selection = Selection(args.project, args.settings, args.database, args.db, args.config)
    proposal = make_proposal(selection, django_ready)
    plan = proposal.plan
    if plan.problems:
        print_problems(plan, sys.stdout)
        return 1
    from django.conf import settings

    source = open_readonly(proposal.database_path)
    with tempfile.TemporaryDirectory(prefix="driftaudit-verify-") as tmp:
        work = Path(tmp)
        project = work / "project"
        _copy_project(proposal.root, project, Path(proposal.database_path).resolve())
        copy_db = work / "db.sqlite3"
        target = sqlite3.connect(copy_db)
        try:
            before = row_counts(source)
            source.backup(target)
        finally:
            target.close()
            source.close()
        for path, text in proposal.files.items():
            copy = project / Path(path).relative_to(proposal.root)
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(text, encoding="utf-8")
        (project / "driftaudit_verify_settings.py").write_text(
            f"from {settings.SETTINGS_MODULE} import *  # noqa: F401,F403\n"
            f"DATABASES = {{**DATABASES}}\n"
            f"DATABASES[{args.database!r}] = {{**DATABASES[{args.database!r}], 'NAME': {str(copy_db)!r}}}\n",
            encoding="utf-8")
        return _check(args, plan, proposal, project, copy_db, before)


def _check(args, plan, proposal, project: Path, copy_db: Path, before: dict) -> int:
    settings_args = ["--settings", "driftaudit_verify_settings"]
    ok = True
    for path in proposal.files:
        print(f"proposed: {Path(path).relative_to(proposal.root)}")
    migrate = _run(["-m", "django", "migrate", "--noinput", "--database", args.database, *settings_args], project)
    if migrate.returncode != 0:
        lines = (migrate.stderr or migrate.stdout).strip().splitlines()
        print(say("message", "verify_failed"))
        print("  " + say("message", "verify_migrate", error=lines[-1] if lines else "?"))
        return 1
    check = _run(["-m", "django", "makemigrations", "--check", "--dry-run", *settings_args], project)
    if check.returncode != 0:
        ok = False
        print("  " + say("message", "verify_makemigrations", output=" ".join(check.stdout.split())[:300]))
    report_args = ["-m", "driftaudit", "report", "--format", "json", "--project", str(project),
                   "--database", args.database, *settings_args]
    if args.config:
        report_args += ["--config", str(Path(args.config).resolve())]
    report = _run(report_args, project)
    remaining = []
    try:
        findings = json.loads(report.stdout)["findings"]
        remaining = [f for f in findings if f["severity"] in ("warning", "error") and not f.get("accepted")]
    except (ValueError, KeyError):
        ok = False
        print("  re-audit failed: " + (report.stderr.strip().splitlines() or ["?"])[-1])
    if remaining:
        ok = False
        print(say("message", "verify_findings", count=len(remaining)))
        for f in remaining:
            where = ".".join(x for x in (f["table"], f["column"]) if x) or f["migration"] or ""
            print(f"  {f['severity']:<7} {f['rule']} {f['kind']} {where}")
    conn = sqlite3.connect(f"file:{copy_db}?mode=ro", uri=True)
    try:
        after = row_counts(conn)
    finally:
        conn.close()
    print(f"\n{'table':<48} {'before':>8} {'after':>8}  note")
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table), after.get(table)
        expected = plan.expected_rows[table] if table in plan.expected_rows else b
        note = plan.row_changes.get(table, "")
        if table == "django_migrations" or (b is None and table.startswith("driftaudit_backup_")
                                             and table not in plan.expected_rows):
            expected = a
        if a != expected:
            ok = False
            note = f"EXPECTED {expected} " + note
        print(f"{table:<48} {'-' if b is None else b:>8} {'-' if a is None else a:>8}  {note}".rstrip())
    print()
    print(say("message", "verify_ok") if ok else say("message", "verify_failed"))
    return 0 if ok else 1
