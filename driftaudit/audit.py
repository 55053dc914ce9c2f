"""One audit, end to end: inspect the three sources, diff, explain, and collect the report.

inspect (models, history, database) -> one catalog type -> three-way diff -> findings.
The audited database is touched only through the read-only connection of :mod:`dbfile`.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass, field, replace

from . import __version__
from .dbfile import database_error, open_readonly
from .diff import ThreeWayDiff
from .errors import AuditError
from .evidence import migration_label
from .explain import Explainer, model_index
from .findings import Finding
from .history import History, load_history
from .introspect import read_catalog
from .project import Project, database_file, discover, setup_django
from .rawobjects import raw_object_findings, replay_raw_sql, shadow_tables
from .render import render_models
from .rules import fill, rule_for


@dataclass(frozen=True)
class Selection:
    """Which project and database to audit (the contract's selection options)."""

    project: str | None = None
    settings: str | None = None
    database: str = "default"
    db: str | None = None


@dataclass
class Report:
    settings: str
    database: str
    database_path: str
    sqlite_version: str
    django_version: str
    findings: list[Finding] = field(default_factory=list)
    history: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            by_sev[f.severity] += 1
        return {
            "tool": {"name": "driftaudit", "version": __version__},
            "project": {"settings": self.settings, "database": self.database_path,
                        "sqlite_version": self.sqlite_version, "django_version": self.django_version},
            "summary": {"findings": len(self.findings), "by_severity": by_sev},
            "findings": [f.to_json() for f in self.findings],
            "history": self.history,
        }


def prepare(selection: Selection, django_ready: bool = False) -> Project | None:
    """Find the project and set Django up (skipped under ``manage.py``, where it is done)."""
    if django_ready:
        return None
    project = discover(selection.project, selection.settings)
    setup_django(project)
    return project


def run_report(selection: Selection, django_ready: bool = False) -> Report:
    prepare(selection, django_ready)
    import django
    from django.apps import apps
    from django.conf import settings

    label, path = database_file(selection.database, selection.db)
    conn = open_readonly(path)
    try:
        report = _audit(conn, apps, settings)
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) from None
    finally:
        conn.close()
    report.settings = settings.SETTINGS_MODULE or ""
    report.database = label
    report.database_path = path
    report.django_version = django.get_version()
    return report


def _audit(conn: sqlite3.Connection, apps, settings) -> Report:
    history = load_history(conn)
    models = render_models(apps)
    try:
        history_apps = history.applied_state.apps
    except Exception as exc:  # a history so broken its state cannot render
        raise AuditError(f"cannot build the migration history state: {exc}") from None
    history_rendered = render_models(history_apps)
    replayed = replay_raw_sql(history, history_rendered.connection)
    m_cat, h_cat = read_catalog(models.connection), read_catalog(history_rendered.connection)
    d_cat = read_catalog(conn)
    not_model_tables = models.unmanaged_tables | replayed.raw_tables | shadow_tables(d_cat)
    differences = ThreeWayDiff(m_cat, h_cat, d_cat, ignore_tables=not_model_tables).run()

    installed = {config.label for config in apps.get_app_configs()}
    explainer = Explainer(
        conn, m_cat, h_cat, d_cat, history, model_index(apps), model_index(history_apps),
        installed, bool(getattr(settings, "USE_TZ", False)),
    )
    findings = [explainer.schema_finding(diff) for diff in differences]
    findings += raw_object_findings(h_cat, d_cat, replayed, history)
    findings += explainer.history_findings()
    findings += pending_model_changes(history, apps)
    findings.sort(key=lambda f: (-f.rank, f.kind, f.table or "", f.column or "", f.migration or ""))
    findings = [replace(f, id=f"F{i}") for i, f in enumerate(findings, 1)]
    return Report("", "", "", sqlite3.sqlite_version, "", findings, _history_summary(history))


def pending_model_changes(history: History, apps) -> list[Finding]:
    """What ``makemigrations`` would write now: the autodetector on leaf files vs models."""
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    if history.leaf_state is None:
        return []
    try:
        changes = MigrationAutodetector(
            history.leaf_state, ProjectState.from_apps(apps),
            NonInteractiveMigrationQuestioner(specified_apps=None, dry_run=True),
        ).changes(graph=history.loader.graph)
    except Exception as exc:  # noqa: BLE001 - broken history: the other findings say why
        print(f"driftaudit: could not compute pending model changes: {exc}", file=sys.stderr)
        return []
    rule = rule_for("pending-model-change")
    out = []
    for app, migrations in sorted(changes.items()):
        operations = [op.describe() for migration in migrations for op in migration.operations]
        text = fill(rule.template("default"), app=app, operations="; ".join(operations))
        out.append(Finding(
            rule=rule.id, kind="pending-model-change", severity=rule.severity, signature="M≠H",
            cause="pending-model-change", explanation=text, fix=rule.fix, app=app,
            migration=migration_label((app, migrations[0].name)) if migrations else None,
            sources={"models": "changed", "history": "; ".join(operations), "database": None},
        ))
    return out


def _history_summary(history: History) -> dict:
    return {
        "applied": [migration_label(k) for k in history.applied_plan],
        "ghost": [migration_label(k) for k in history.ghosts],
        "unapplied": [migration_label(k) for k in history.unapplied] if history.has_records_table else [],
    }
