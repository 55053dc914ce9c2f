"""Drift as Django system check messages: ``python manage.py check --database default``.

With ``"driftaudit"`` in ``INSTALLED_APPS`` the app registers one check tagged ``database``
(and ``driftaudit``). Django runs database-tagged checks only against the aliases named with
``--database`` (4.2 and 5.2 pass ``databases=None`` otherwise, 6.x leaves such checks out), so a
plain ``manage.py check`` never audits. Each alias is audited with :func:`driftaudit.api.audit`
- the database opened read-only, replayed history states from the state cache - and every
finding not accepted in ``driftaudit.yaml`` becomes one message:

* id ``driftaudit.`` + the severity's letter + the rule number: DA101 as an error is
  ``driftaudit.E101``, as a warning ``driftaudit.W101``, as info ``driftaudit.I101`` (the
  severity after the project's ``driftaudit.yaml``; silence exactly the ids you see);
* ``msg`` the headline, ``hint`` the commands to run (else the rule's fix), ``obj`` the model
  when known;
* ``driftaudit.E001``: the audit could not run (missing or corrupt file, bad configuration...),
  one message instead of a traceback; ``driftaudit.I001``: the alias is not SQLite.

Django also runs database checks on its own, where an audit does not belong: before
``migrate`` (``migrate`` applies the repair; drift must not stop it) and in ``manage.py test``
(the alias then names the test database). The check runs only for Django's ``check`` command
or a direct ``run_checks(databases=...)`` call, outside a test environment.
"""

from __future__ import annotations

import inspect
import shlex
import sys
from pathlib import Path

from django.core import checks

MESSAGE = {"error": (checks.Error, "E"), "warning": (checks.Warning, "W"), "info": (checks.Info, "I")}


def check_id(severity: str, rule: str) -> str:
    """``("error", "DA101")`` -> ``"driftaudit.E101"``."""
    return f"driftaudit.{MESSAGE[severity][1]}{rule.removeprefix('DA')}"


@checks.register(checks.Tags.database, "driftaudit")
def check_drift(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """One message per finding on each alias in ``databases``; nothing without ``--database``."""
    if not databases or not _asked_for():
        return []
    labels = None if app_configs is None else {config.label for config in app_configs}
    messages = []
    for alias in databases:
        messages += alias_messages(alias, labels)
    return messages


def alias_messages(alias: str, labels: set | None = None) -> list[checks.CheckMessage]:
    """The audit of one alias as check messages (of the apps ``labels`` only, when given)."""
    from django.apps import apps
    from django.conf import settings

    from driftaudit import api
    from driftaudit.errors import AuditError
    from driftaudit.report.brief import headline, hint
    from driftaudit.sources.project import Selection, manage_py_settings

    engine = settings.DATABASES.get(alias, {}).get("ENGINE", "")
    if "sqlite3" not in engine:
        return [checks.Info(f"driftaudit audits SQLite databases only; database '{alias}' uses {engine}.",
                            id="driftaudit.I001")]
    root = _project_root()
    running = settings.SETTINGS_MODULE
    selection = Selection(settings=None if running == manage_py_settings(root) else running, database=alias)
    report_argv = ["driftaudit", "report", *selection.argv()]
    command = shlex.join(report_argv)
    try:
        report = api.audit(root, settings=selection.settings, database=alias)
    except AuditError as exc:
        return [_cannot_audit(alias, str(exc), f"`{command}` says the same; add --traceback to see where it stopped.")]
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not dump a traceback into `check`
        first = str(exc).splitlines()[0] if str(exc) else ""
        return [_cannot_audit(alias, f"internal error: {type(exc).__name__}: {first}",
                              f"Run `{command} --traceback` and report it.")]
    messages = []
    for finding in report.findings:
        if finding.accepted or (labels is not None and finding.app not in labels):
            continue
        level, _letter = MESSAGE[finding.severity]
        messages.append(level(headline(finding), hint=hint(finding, report.next_steps, report_argv),
                              obj=_model(apps, finding.model), id=check_id(finding.severity, finding.rule)))
    return messages


def _cannot_audit(alias: str, why: str, hint: str) -> checks.Error:
    return checks.Error(f"driftaudit cannot audit database '{alias}': {why}", hint=hint, id="driftaudit.E001")


def _project_root() -> Path:
    """The folder of the running ``manage.py`` (``driftaudit.yaml`` and git live there), else
    the current one."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    return script.resolve().parent if script is not None and script.name == "manage.py" else Path.cwd()


def _model(apps, label: str | None):
    """The model class ``app_label.Model`` names, so Django prints its label; else ``None``."""
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _asked_for() -> bool:
    """Whether the user asked for the audit, rather than Django running database checks itself.

    ``migrate`` runs every database check first (4.2: ``self.check(databases=[...])``, 5.2+:
    ``get_check_kwargs``) and stops on any error; the test runner runs them against the test
    databases. Both go through ``BaseCommand.check`` of the running command, which the stack
    shows; a test environment is marked by ``setup_test_environment``.
    """
    from django.core.management.base import BaseCommand
    from django.core.management.commands.check import Command as CheckCommand
    from django.test.utils import _TestState

    if hasattr(_TestState, "saved_data"):  # set by setup_test_environment() (Django 2.0 - 6.x)
        return False
    frame = inspect.currentframe()
    try:
        while frame is not None:
            if frame.f_code is BaseCommand.check.__code__:
                return isinstance(frame.f_locals.get("self"), CheckCommand)
            frame = frame.f_back
        return True  # run_checks(databases=[...]) called directly: asked for
    finally:
        del frame
