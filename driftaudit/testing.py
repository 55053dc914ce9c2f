"""driftaudit in a test suite: :func:`assert_no_drift`, and the facts the pytest plugin keeps.

A test run is the one place where the settings stop telling the truth about the database:
pytest-django (like Django's test runner) points each alias's ``NAME`` at a test database
once the first database test starts, and ``--nomigrations`` swaps ``MIGRATION_MODULES``. So
the plugin (:mod:`driftaudit.pytest_plugin`) records, at session start, before any fixture
ran, the file every SQLite alias names, and :func:`assert_no_drift` audits that file even from
inside a test. pytest-django also blocks database access outside ``django_db`` tests; the
audit opens no Django connection to any project database (only a scratch in-memory one for
the models), so the plugin lets it through pytest-django's blocker.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from driftaudit.api import Report, audit
from driftaudit.errors import AuditError
from driftaudit.explain.finding import SEVERITY_ORDER
from driftaudit.report.brief import render_brief
from driftaudit.sources.project import Selection, database_file

FAIL_ON = ("info", "warning", "error", "never")

#: alias -> the SQLite file its settings named when the session started (the plugin fills it)
session_databases: dict[str, str] = {}
#: ``settings.MIGRATION_MODULES`` at session start (pytest-django's ``--nomigrations`` replaces it)
session_migration_modules: list = []
#: a context manager that lets the audit past pytest-django's database blocker (the plugin sets it)
unblocked = nullcontext


def assert_no_drift(project: str | Path | None = None, settings: str | None = None, database: str = "default",
                    db: str | Path | None = None, fail_on: str | None = "warning",
                    config: str | Path | None = None) -> Report:
    """Audit the project's database; ``AssertionError`` listing every finding at or above
    ``fail_on`` (``None``: the ``fail_on`` of ``driftaudit.yaml``, else warning) that the
    project has not accepted. Returns the report when nothing fails.

    The arguments are the command line's selection options. Under the pytest plugin, without
    ``db``, the alias's file as the settings named it at session start is audited, not
    pytest-django's test database. An audit that cannot run raises :class:`AuditError`.
    """
    __tracebackhide__ = True  # pytest shows the findings, not this function's source
    report, argv = audit_for_tests(project, settings, database, db, config)
    message = drift_message(report, fail_on, argv)
    if message:
        raise AssertionError(message)
    return report


def audit_for_tests(project, settings, database: str, db, config) -> tuple[Report, list[str]]:
    """The report, and the ``driftaudit report`` command that shows it in full."""
    db = db if db is not None else _session_file(database)
    with unblocked(), _session_migration_modules():
        report = audit(project, settings=settings, database=database, db=db, config=config)
    selection = Selection(None, settings, database, None if db is None else str(db),
                          None if config is None else str(config))
    return report, ["driftaudit", "report", *selection.argv()]


def drift_message(report: Report, fail_on: str | None, report_argv: list[str]) -> str | None:
    """The brief report of the findings that fail at ``fail_on``; ``None`` when none does."""
    fail_on = fail_on or report.config.fail_on or "warning"
    if fail_on not in FAIL_ON:
        raise AuditError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if fail_on == "never":
        return None
    failing = [f for f in report.findings if f.rank >= SEVERITY_ORDER[fail_on] and not f.accepted]
    return render_brief(report, failing, fail_on, report_argv) if failing else None


def remember_session_databases() -> None:
    """Record the file each SQLite alias names now (Django set up, no test database yet)."""
    from django.conf import settings

    session_migration_modules[:] = [getattr(settings, "MIGRATION_MODULES", {})]
    for alias, options in settings.DATABASES.items():
        if "sqlite3" not in str(options.get("ENGINE", "")):
            continue
        try:
            session_databases[alias] = database_file(alias, None)[1]
        except AuditError:  # in-memory: nothing to audit, and the audit will say so
            continue


def _session_file(alias: str) -> str | None:
    """The recorded file, when the settings have since moved on to another (a test database)."""
    recorded = session_databases.get(alias)
    if recorded is None:
        return None
    try:
        now = database_file(alias, None)[1]
    except AuditError:
        now = None
    return None if now == recorded else recorded


def _session_migration_modules():
    """The session's ``MIGRATION_MODULES`` back while auditing, if a fixture has replaced them
    (``--nomigrations`` makes every app look unmigrated to the migration loader)."""
    from django.conf import settings

    if not session_migration_modules or getattr(settings, "MIGRATION_MODULES", {}) is session_migration_modules[0]:
        return nullcontext()
    from django.test import override_settings

    return override_settings(MIGRATION_MODULES=session_migration_modules[0])
