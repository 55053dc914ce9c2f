"""Audit, or plan the repair of, many databases of one project: the project is set up and
its models and history rendered once, then each database is read and explained in a worker
(:mod:`driftaudit.many.workers`), opened read-only exactly as one audit opens it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from driftaudit.errors import AuditError
from driftaudit.explain.many import DatabaseAudit
from driftaudit.many.workers import STATE, run_each
from driftaudit.schema.read import AuditInput, SharedSources
from driftaudit.sources.project import Selection, open_project


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def audit_many(selection: Selection, paths: list[str], jobs: int, data: bool = True,
               on_start: Callable[[], None] | None = None) -> Iterator[DatabaseAudit]:
    """Each database's :class:`DatabaseAudit`, as it finishes (order: whichever is first)."""
    _prepare(selection, paths, {"data": data})
    yield from run_each(_audit_one, paths, jobs, lambda path, why: DatabaseAudit(path, error=why),
                        (_setup, (selection, {"data": data})), on_start)


@dataclass(frozen=True)
class DatabasePlan:
    """What ``propose`` would do for one database: the repair's signature (its SQL, state
    operations and place in the graph; not the row counts its comments tell), the files, the
    problems that stop it - or why the database could not be read."""

    path: str
    signature: tuple = ()
    files: tuple = ()  # ((path, text), ...), rendered without this database's row counts
    summary: tuple = ()  # ((file, [what each step does]), ...)
    problems: str = ""
    pending: tuple = ()
    #: ``propose --sql`` of this database's plan
    sql: str = ""
    error: str | None = None


def propose_many(selection: Selection, paths: list[str], jobs: int, app: str | None, name: str | None,
                 on_start: Callable[[], None] | None = None) -> Iterator[DatabasePlan]:
    options = {"app": app, "name": name}
    _prepare(selection, paths, options)
    yield from run_each(_plan_one, paths, jobs, lambda path, why: DatabasePlan(path, error=why),
                        (_setup, (selection, options)), on_start)


# -- the parent ----------------------------------------------------------------------------
def _prepare(selection: Selection, paths: list[str], options: dict) -> None:
    """Set the project up and render what every database shares, before any worker starts:
    the models, and the history of each set of migration records two or more databases have
    (one read of ``django_migrations`` per database; a database that cannot be read here is
    left to its worker, which says why)."""
    from driftaudit.explain.pending import pending_model_changes
    from driftaudit.sources.database import open_readonly
    from driftaudit.sources.history import read_records, records_key

    _setup(selection, options)
    shared = STATE["shared"]
    shared.models()
    seen: dict[tuple, int] = {}
    for path in paths:
        try:
            conn = open_readonly(path)
            try:
                records = read_records(conn)
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 - its own audit reports it
            continue
        key = records_key(*records)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            try:
                history, _, _ = shared.history(*records)
                pending_model_changes(history, shared.apps)
            except Exception:  # noqa: BLE001 - a history that cannot render: each database's audit says so
                continue


def _setup(selection: Selection, options: dict) -> None:
    """Set the project up and fill :data:`STATE`: in the parent, and again in each worker
    started with ``spawn`` (a forked one inherits it)."""
    from django.apps import apps

    project = open_project(replace(selection, db=None), with_database=False)
    STATE.update(selection=selection, project=project, shared=SharedSources(apps), **options)


# -- the workers ---------------------------------------------------------------------------
def _audit_one(path: str) -> DatabaseAudit:
    from driftaudit.explain.audit import explain
    from driftaudit.repair.next_steps import next_steps

    try:
        with _open(path) as inputs:
            report = explain(inputs, data=STATE["data"])
            report.next_steps = next_steps(inputs, report.findings, replace(STATE["selection"], db=path).argv())
        return DatabaseAudit(path, report)
    except AuditError as exc:
        return DatabaseAudit(path, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one database's bug must not hide the others
        return DatabaseAudit(path, error=_internal(exc))


def _plan_one(path: str) -> DatabasePlan:
    from django.db.migrations.writer import OperationWriter

    from driftaudit.explain.audit import explain
    from driftaudit.repair.propose import make_proposal
    from driftaudit.repair.rebuild_sql import repair_sql
    from driftaudit.repair.writer import render_migration
    from driftaudit.report.proposal_formats import render_sql
    from driftaudit.report.repair_text import render_problems

    try:
        with _open(path) as inputs:
            proposal = make_proposal(inputs, explain(inputs).findings, STATE["app"], STATE["name"])
        plan = proposal.plan
        problems = render_problems(plan) if plan.problems else ""
        signature = (problems, tuple(
            (str(r.path), r.role, tuple(map(tuple, r.dependencies)), tuple(map(tuple, r.run_before)),
             tuple((op.sql, op.reverse) for op in repair_sql(r)),
             tuple(tuple(replay.migrations) for replay in r.replays),
             tuple(OperationWriter(op, indentation=0).serialize()[0] for op in r.state_operations))
            for r in plan.repairs))
        repairs = {r.path: r for r in plan.repairs}
        # the files record no row counts: each database has its own (verify checks each)
        files = tuple((str(p), render_migration(repairs[p]) if p in repairs else text)
                      for p, text in proposal.files.items())
        summary = tuple((str(r.path), tuple(op.summary or op.comment for op in repair_sql(r))) for r in plan.repairs)
        sql = render_sql(proposal) if proposal.files else ""
        return DatabasePlan(path, signature, files, summary, problems, proposal.pending, sql)
    except AuditError as exc:
        return DatabasePlan(path, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one database's bug must not hide the others
        return DatabasePlan(path, error=_internal(exc))


@contextmanager
def _open(path: str) -> Iterator[AuditInput]:
    """The audit input of one database: the prepared project pointed at it, read-only."""
    from driftaudit.api import open_database

    project = replace(STATE["project"], database_label="--db", database_path=path)
    with open_database(project, STATE["shared"]) as inputs:
        yield inputs


def _internal(exc: Exception) -> str:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"internal error: {type(exc).__name__}: {first} (audit it alone with --traceback and report it)"
