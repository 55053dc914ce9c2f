"""``driftaudit propose``: audit, plan the repair, write (or print) one migration per app.

The audited database is only read here (the same read-only connection as the audit); the
only files written are the new migration files, and only when the plan has no problem.
Exit codes: 0 written (or nothing to do), 1 no migration written because the repair cannot be
done safely under the fix policy, or because Django cannot run any migration on this history
until a step outside a migration is done (both listed, with what to do), 2 the audit could not
run.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

from .plandata import say


@dataclass(frozen=True)
class Proposal:
    plan: object  # plan.Plan
    files: dict  # Path -> text
    database_path: str
    root: Path
    pending: tuple = ()  # migrations not applied yet ("app.name")


def make_proposal(selection, django_ready: bool = False, app: str | None = None,
                  name: str | None = None) -> Proposal:
    """Everything ``propose`` would write, without writing it."""
    from .audit import _audit, prepare, read_sources
    from .dbfile import database_error, open_readonly
    from .planbuild import build_plan
    from .project import database_file, discover
    from .writer import render_migration

    config = prepare(selection, django_ready)
    from django.apps import apps
    from django.conf import settings

    root = Path(selection.project or ".").resolve()
    if not django_ready:
        root = discover(selection.project, selection.settings).root
    _label, path = database_file(selection.database, selection.db)
    conn = open_readonly(path)
    try:
        report = _audit(conn, apps, settings, config, data=config.data_enabled)
        sources = read_sources(conn, apps)
        _no_pending_repair(sources.history)
        plan = build_plan(conn, apps, sources, config, report.findings, root, app, name, selection.database)
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) from None
    finally:
        conn.close()
    files = {} if plan.problems else {r.path: render_migration(r) for r in plan.repairs}
    for repair in plan.repairs if not plan.problems else ():
        package = repair.path.parent / "__init__.py"
        if not package.exists():  # a baseline: the app's first migrations package
            files = {package: "", **files}
    pending = [f"{a}.{n}" for a, n in sources.history.unapplied] if sources.history.has_records_table else []
    return Proposal(plan, files, path, root, tuple(pending))


def print_problems(plan, stream) -> None:
    """The problems that stop the proposal, under the header that says whose move it is."""
    blocked = any(p.kind == "history" for p in plan.problems)
    print(say("message", "blocked" if blocked else "refused"), file=stream)
    for problem in plan.problems:
        print(f"  - {problem.text}", file=stream)


def _no_pending_repair(history) -> None:
    """A second proposal on top of an unapplied one would repair the same drift twice."""
    from .errors import AuditError

    for key in history.unapplied:
        path = history.migration_file(key)
        try:
            text = Path(path).read_text(encoding="utf-8") if path else ""
        except OSError:
            continue
        if "Repair migration written by driftaudit" in text:
            raise AuditError(say("problem", "pending_repair", path=path))


def run_propose(args, django_ready: bool) -> int:
    from .audit import Selection
    from .errors import AuditError

    selection = Selection(args.project, args.settings, args.database, args.db, args.config)
    proposal = make_proposal(selection, django_ready, args.app, args.name)
    plan = proposal.plan
    if plan.problems:
        print_problems(plan, sys.stderr)
        return 1
    if not proposal.files:
        print(say("message", "nothing"))
        if proposal.pending:
            print(say("message", "pending", count=len(proposal.pending), names=", ".join(proposal.pending)))
        return 0
    for path, text in proposal.files.items():
        if args.dry_run:
            print(say("message", "dry_run", path=path))
            print(text)
            continue
        if path.exists():
            raise AuditError(say("problem", "exists", path=path))
        try:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"cannot write {path}: {exc.strerror}") from None
        print(say("message", "wrote", path=path))
    if not args.dry_run:
        print(say("message", "next"))
    return 0
