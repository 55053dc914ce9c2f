"""driftaudit's public API: audit a project, propose its repair, verify the proposal.

Used by the command line, ``manage.py driftaudit``, and anything else that wants the
findings as objects (a system check, a test)::

    import driftaudit

    report = driftaudit.audit(project="path/to/project")       # -> Report
    for finding in report.findings:                           # -> Finding (the contract's FINDING)
        print(finding.rule, finding.kind, finding.table, finding.cause)

    proposal = driftaudit.propose(project="path/to/project")  # -> Proposal (nothing written yet)
    if not proposal.plan.problems:
        proposal.write()

Every function takes the contract's selection options as keywords (``project``, ``settings``,
``database``, ``db``, ``config``). When Django is already set up in this process (under
``manage.py``, pytest-django, a system check) its settings are used as they are. The audited
database is only ever opened read-only. An :class:`~driftaudit.errors.AuditError` says, in one
line, why an audit could not run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from importlib import import_module
from typing import TYPE_CHECKING

from driftaudit.errors import AuditError
from driftaudit.explain.audit import Report, explain
from driftaudit.explain.rows import Progress
from driftaudit.schema.read import AuditInput, SharedSources, read_input
from driftaudit.sources.database import database_error, open_readonly
from driftaudit.sources.project import Project, Selection, open_project

if TYPE_CHECKING:
    from driftaudit.explain.delete import Verdict
    from driftaudit.repair.adopt import Adoption
    from driftaudit.repair.propose import Proposal
    from driftaudit.repair.record import Recording
    from driftaudit.repair.restore import Restoration
    from driftaudit.repair.stamp import Stamping
    from driftaudit.repair.verify import Verification

#: the result types of the repair commands, imported when first asked for: ``report`` (the
#: command a CI job or a system check runs most) never loads the repair package (~30 modules)
_LAZY = {"Adoption": "driftaudit.repair.adopt", "Proposal": "driftaudit.repair.propose",
         "Recording": "driftaudit.repair.record", "Restoration": "driftaudit.repair.restore",
         "Stamping": "driftaudit.repair.stamp", "Verification": "driftaudit.repair.verify",
         "Verdict": "driftaudit.explain.delete"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Adoption", "AuditError", "Proposal", "Recording", "Report", "Restoration", "Selection", "Stamping",
           "Verdict", "Verification", "adopt", "audit", "audit_files", "explain_delete", "open_audit", "propose",
           "record", "restore", "stamp", "verify"]


def audit(project: str | Path | None = None, *, settings: str | None = None, database: str = "default",
          db: str | Path | None = None, config: str | Path | None = None, data: bool = True,
          progress: bool | Progress = False) -> Report:
    """Audit models, history and database; the explained findings as a :class:`Report`.

    ``data=False`` skips the row checks (orphans, duplicates, blocked deletes); ``progress``
    reports long row scans on stderr: ``True`` a line a second, or a
    :class:`~driftaudit.explain.rows.Progress` (``driftaudit.report.progress.BarProgress``
    draws a progress bar).
    """
    from driftaudit.repair.next_steps import next_steps

    selection = _selection(project, settings, database, db, config)
    with open_audit(selection) as inputs:
        report = explain(inputs, data=data, progress=progress)
        report.next_steps = next_steps(inputs, report.findings, selection.argv())
        return report


def audit_files(project: str | Path | None = None, *, settings: str | None = None,
                config: str | Path | None = None) -> Report:
    """Only the checks that need no database (``report --no-db``): model changes without a
    migration, unimportable migration files, missing dependencies. Works on any project, SQLite
    or not, and before any database exists (a pre-commit hook, a fresh checkout)."""
    from django.apps import apps

    from driftaudit.explain.files_only import explain_files
    from driftaudit.repair.next_steps import next_steps_without_database

    selection = _selection(project, settings, "default", None, config)
    report = explain_files(open_project(selection, with_database=False), apps)
    report.next_steps = next_steps_without_database(report.findings, selection.argv())
    return report


def propose(project: str | Path | None = None, *, settings: str | None = None, database: str = "default",
            db: str | Path | None = None, config: str | Path | None = None, app: str | None = None,
            name: str | None = None, fix: Mapping[str, str] | None = None) -> Proposal:
    """The repair migrations the audit calls for, as a :class:`Proposal` (call ``.write()``).

    ``app`` puts every step into that app's migration; ``name`` names the migration files;
    ``fix`` chooses fix policies for this run over the config's (``{"orphans": "delete"}``).
    """
    return _propose(_selection(project, settings, database, db, config, fix), app, name)[0]


def verify(project: str | Path | None = None, *, settings: str | None = None, database: str = "default",
           db: str | Path | None = None, config: str | Path | None = None,
           fix: Mapping[str, str] | None = None) -> Verification:
    """Apply the proposal to a copy of the project and database, re-audit, count rows.

    When the proposal has problems nothing is run: the :class:`Verification` has no checks and
    ``verification.proposal.plan.problems`` says why.
    """
    from driftaudit.repair.propose import pending_proposal
    from driftaudit.repair.verify import Verification, verify_proposal

    selection = _selection(project, settings, database, db, config, fix)
    with open_audit(selection) as inputs:
        # after `propose`: the files it wrote are what `migrate` will run, so those are tried
        proposal = pending_proposal(inputs)
    if proposal is not None:
        return verify_proposal(proposal, inputs.project)
    proposal, project_ = _propose(selection)
    if proposal.plan.problems:
        return Verification(proposal)
    return verify_proposal(proposal, project_)


def record(migrations: list[str], project: str | Path | None = None, *, settings: str | None = None,
           database: str = "default", db: str | Path | None = None, config: str | Path | None = None,
           apply: bool = False) -> Recording:
    """Record ``migrations`` (``app.name``) as applied without running them - only with
    ``apply``, after a backup copy of the database; else say what would be recorded."""
    from driftaudit.repair.record import record as write_records
    from driftaudit.repair.record import resolve, unmade
    from driftaudit.sources.history import load_history

    project_ = open_project(_selection(project, settings, database, db, config))
    from driftaudit.schema.introspect import read_catalog

    with _readonly(project_) as conn:
        history = load_history(conn)
        keys = resolve(history, migrations)
        missing = unmade(history, read_catalog(conn), keys)
    return replace(write_records(project_, keys, apply), missing=missing)


def stamp(project: str | Path | None = None, *, settings: str | None = None, database: str = "default",
          db: str | Path | None = None, config: str | Path | None = None, apply: bool = False) -> Stamping:
    """Record the migrations whose work the database already has (per migration, from its tables
    and columns) - only with ``apply``, after a backup copy; else say which it would record."""
    from driftaudit.repair.stamp import stamp as stamp_records
    from driftaudit.schema.introspect import read_catalog
    from driftaudit.sources.history import load_history

    project_ = open_project(_selection(project, settings, database, db, config))
    with _readonly(project_) as conn:
        history = load_history(conn)
        catalog = read_catalog(conn)
    return stamp_records(project_, history, catalog, apply)


def restore(migration: str, project: str | Path | None = None, *, settings: str | None = None,
            database: str = "default", db: str | Path | None = None, config: str | Path | None = None,
            write: bool = True) -> Restoration:
    """Write back the deleted file of ``migration`` (``app.name``) that others depend on: git's
    last text of it, else (recorded as applied) the operations the models and its neighbours
    say it had, else a stand-in without operations (``write=False``: only say which)."""
    from driftaudit.repair.restore import restore as bring_back
    from driftaudit.schema.introspect import read_catalog
    from driftaudit.sources.history import load_history

    project_ = open_project(_selection(project, settings, database, db, config))
    with _readonly(project_) as conn:
        history = load_history(conn)
        catalog = read_catalog(conn)
    return bring_back(history, migration, write, catalog)


def adopt(targets: Sequence[str] = (), project: str | Path | None = None, *, all_of: Sequence[str] = (),
          reason: str | None = None, settings: str | None = None, database: str = "default",
          db: str | Path | None = None, config: str | Path | None = None) -> Adoption:
    """Keep the database's way for the findings ``targets`` name (``F3``, ``TABLE``,
    ``TABLE.COLUMN``) and those of the kinds ``all_of``: the model change for ``models.py`` and a
    state-only migration, as an :class:`Adoption` (``.ok``, ``.refusals``, ``.diff()``,
    ``.write()``); nothing is written here. ``reason`` goes into the migration's docstring."""
    import shlex

    from driftaudit.repair.adopt import Adoption, make_adoption, select
    from driftaudit.repair.adopt_file import say

    selection = _selection(project, settings, database, db, config)
    with open_audit(selection) as inputs:
        report = explain(inputs)
        chosen = select(report.findings, list(targets), list(all_of))
        if not chosen:
            return Adoption(root=inputs.project.root)
        command = shlex.join(["driftaudit", "adopt", *targets, *(f"--all-of={kind}" for kind in all_of)])
        return make_adoption(inputs, chosen, reason or say("default_reason", command=command))


def explain_delete(model: str, pk: str, project: str | Path | None = None, *, settings: str | None = None,
                   database: str = "default", db: str | Path | None = None,
                   config: str | Path | None = None) -> Verdict:
    """Would ``Model.objects.get(pk=pk).delete()`` succeed on this database, and if not, why?"""
    from driftaudit.explain.delete import explain_delete as simulate

    project_ = open_project(_selection(project, settings, database, db, config))
    from django.apps import apps

    with _readonly(project_) as conn:
        return simulate(conn, project_.database_path, apps, model, pk)


@contextmanager
def open_audit(selection: Selection) -> Iterator[AuditInput]:
    """The project opened and its three sources read, the database open read-only meanwhile."""
    with open_database(open_project(selection)) as inputs:
        yield inputs


@contextmanager
def open_database(project: Project, shared: SharedSources | None = None) -> Iterator[AuditInput]:
    """The three sources of ``project``'s database, open read-only meanwhile; ``shared``: what
    several databases of the project share, rendered once (:class:`SharedSources`)."""
    with _readonly(project) as conn:
        yield read_input(project, conn, shared)


def _propose(selection: Selection, app: str | None = None, name: str | None = None) -> tuple[Proposal, Project]:
    from driftaudit.repair.propose import make_proposal

    with open_audit(selection) as inputs:
        report = explain(inputs)
        return make_proposal(inputs, report.findings, app, name), inputs.project


@contextmanager
def _readonly(project: Project) -> Iterator[sqlite3.Connection]:
    """The audited database, read-only; SQLite's errors become one clear line."""
    path = project.database_path
    conn = open_readonly(path)
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) from None
    finally:
        conn.close()


def _selection(project, settings, database, db, config, fix: Mapping[str, str] | None = None) -> Selection:
    from driftaudit.config.options import FIX_POLICIES

    for key, policy in (fix or {}).items():
        if policy not in FIX_POLICIES.get(key, ()):
            raise AuditError(f"fix policy {key}={policy!r} is not one of "
                             f"{', '.join(FIX_POLICIES.get(key, ())) or '(no such policy)'}")
    return Selection(None if project is None else str(project), settings, database,
                     None if db is None else str(db), None if config is None else str(config),
                     tuple(sorted((fix or {}).items())))
