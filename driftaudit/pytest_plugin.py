"""The pytest plugin (entry point ``pytest11``: ``driftaudit``): ``pytest --driftaudit``.

``--driftaudit`` audits the project's database once per session and puts the verdict first in
the run as one test item, ``driftaudit[ALIAS]``, which fails with the list of findings (or the
reason the audit could not run). The audit happens at session start: pytest-django has set
Django up by then but not yet created the test databases, so the settings still name the real
file (see :mod:`driftaudit.testing`, whose :func:`~driftaudit.testing.assert_no_drift` works
inside tests for the same reason). Without ``--driftaudit`` the plugin audits nothing; it only
remembers the real database files for ``assert_no_drift``, when Django is set up.

Importing this module is cheap (pytest imports every installed plugin): Django and the audit
are imported only when a session uses them.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext

import pytest

FAIL_ON = ("info", "warning", "error", "never")
_OUTCOME = pytest.StashKey[tuple]()  # (message or None, could-not-audit error or None)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("driftaudit", "schema drift audit (driftaudit)")
    group.addoption("--driftaudit", action="store_true",
                    help="audit the project's database for drift once, before the tests; the "
                         "driftaudit[ALIAS] item fails on findings at or above --driftaudit-fail-on")
    group.addoption("--driftaudit-project", metavar="DIR",
                    help="the Django project folder (with manage.py); default: the current folder")
    group.addoption("--driftaudit-database", metavar="ALIAS", default="default",
                    help="the database alias to audit (default: default)")
    group.addoption("--driftaudit-fail-on", choices=FAIL_ON, default=None,
                    help="lowest severity that fails (default: driftaudit.yaml's fail_on, else warning)")


def pytest_unconfigure(config: pytest.Config) -> None:
    testing = sys.modules.get("driftaudit.testing")
    if testing is not None:
        testing.unblocked = nullcontext
        testing.session_databases.clear()
        testing.session_migration_modules.clear()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Before any fixture: remember the real files, and audit now if asked to."""
    config = session.config
    django_apps = sys.modules.get("django.apps")
    django_ready = django_apps is not None and django_apps.apps.ready
    if not django_ready and not config.getoption("driftaudit"):
        return  # not a Django session: import nothing
    from driftaudit import testing

    testing.unblocked = _unblocker(config)
    if django_ready:
        testing.remember_session_databases()
    if config.getoption("driftaudit"):
        config.stash[_OUTCOME] = _audit(config)


def _audit(config: pytest.Config) -> tuple:
    from driftaudit import testing
    from driftaudit.errors import AuditError

    option = config.getoption
    try:
        report, argv = testing.audit_for_tests(option("driftaudit_project"), None, option("driftaudit_database"),
                                               None, None)
        return testing.drift_message(report, option("driftaudit_fail_on"), argv), None
    except AuditError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug of ours: one line, as on the command line
        first = str(exc).splitlines()[0] if str(exc) else ""
        return None, (f"internal error: {type(exc).__name__}: {first} (run `driftaudit report --traceback` "
                      "and report it)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """The audit's item goes first, after every reordering and ``-k`` selection: asked for by name."""
    if _OUTCOME in config.stash:
        name = f"driftaudit[{config.getoption('driftaudit_database')}]"
        items.insert(0, DriftauditItem.from_parent(session, name=name, nodeid=name))


class DriftauditItem(pytest.Item):
    """The session's audit as a test: fails with the findings, or with why it could not run."""

    def runtest(self) -> None:
        message, error = self.config.stash[_OUTCOME]
        if error:
            pytest.fail(f"driftaudit could not audit the database: {error}", pytrace=False)
        if message:
            pytest.fail(message, pytrace=False)

    def reportinfo(self):
        return self.path, None, self.name


def _unblocker(config: pytest.Config):
    """pytest-django's ``django_db_blocker.unblock``, when pytest-django runs; else a no-op."""
    if "pytest_django.plugin" not in sys.modules:
        return nullcontext
    try:
        from pytest_django.plugin import blocking_manager_key  # pytest-django >= 4.8
    except ImportError:
        from pytest_django.plugin import _blocking_manager  # older releases: a module global

        return _blocking_manager.unblock
    blocker = config.stash.get(blocking_manager_key, None)
    return blocker.unblock if blocker is not None else nullcontext
