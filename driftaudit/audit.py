"""One audit, end to end: inspect the three sources, diff, explain, and collect the report.

inspect (models, history, database) -> one catalog type -> three-way diff -> findings.
The audited database is touched only through the read-only connection of :mod:`dbfile`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .configapply import apply_config
from .data import Progress
from .data_findings import DataImpact
from .dbfile import database_error, open_readonly
from .ddl import load_ddl_facts, save_ddl_facts
from .diff import ThreeWayDiff
from .evidence import migration_label
from .explain import Explainer, model_index
from .findings import Finding
from .history import History, load_history
from .historycatalog import LazyIndex, history_apps, history_catalog
from .introspect import read_catalog
from .project import database_file, discover, setup_django
from .rawobjects import raw_object_findings, shadow_tables, virtual_tables
from .render import render_models
from .rules import fill, rule_for


@dataclass(frozen=True)
class Selection:
    """Which project and database to audit (the contract's selection options)."""

    project: str | None = None
    settings: str | None = None
    database: str = "default"
    db: str | None = None
    config: str | None = None


@dataclass
class Report:
    settings: str
    database: str
    database_path: str
    sqlite_version: str
    django_version: str
    findings: list[Finding] = field(default_factory=list)
    history: dict = field(default_factory=dict)
    config: Config = field(default_factory=Config)

    def to_json(self) -> dict:
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            by_sev[f.severity] += 1
        return {
            "tool": {"name": "driftaudit", "version": __version__},
            "project": {"settings": self.settings, "database": self.database_path,
                        "sqlite_version": self.sqlite_version, "django_version": self.django_version},
            "summary": {"findings": len(self.findings), "by_severity": by_sev,
                        "accepted": sum(1 for f in self.findings if f.accepted)},
            "findings": [f.to_json() for f in self.findings],
            "history": self.history,
        }


def prepare(selection: Selection, django_ready: bool = False) -> Config:
    """Find the project, read its configuration and set Django up (manage.py did that part)."""
    if django_ready:
        return load_config(selection.config, Path(selection.project or os.getcwd()))
    project = discover(selection.project, selection.settings)
    config = load_config(selection.config, project.root)  # before Django: bad YAML fails fast
    setup_django(project)
    return config


def run_report(selection: Selection, django_ready: bool = False, data: bool = True,
               progress: bool = False) -> Report:
    """``data=False`` (``--no-data``) skips the row checks; ``progress`` reports long scans on stderr."""
    config = prepare(selection, django_ready)
    import django
    from django.apps import apps
    from django.conf import settings

    label, path = database_file(selection.database, selection.db)
    conn = open_readonly(path)
    try:
        report = _audit(conn, apps, settings, config, data and config.data_enabled, progress)
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) from None
    finally:
        conn.close()
    report.settings = settings.SETTINGS_MODULE or ""
    report.database = label
    report.database_path = path
    report.django_version = django.get_version()
    return report


#: Tables ``driftaudit propose`` fills with the rows a repair removed (its backups): kept on
#: purpose for the user, never drift.
BACKUP_PREFIX = "driftaudit_backup_"


@dataclass(frozen=True)
class Sources:
    """The three sources read once: history, the catalogs of M, H (applied) and D."""

    history: History
    replayed: object
    m_cat: object
    h_cat: object
    d_cat: object
    not_model_tables: frozenset

    @property
    def history_apps(self):
        """The applied state as Django's ``StateApps``, rendered on first use only (``propose``)."""
        return history_apps(self.history)


def read_sources(conn: sqlite3.Connection, apps) -> Sources:
    """Models, history and database read into catalogs (shared by the audit and ``propose``)."""
    from django.conf import settings

    history = load_history(conn)
    module = sys.modules.get(settings.SETTINGS_MODULE or "")
    load_ddl_facts(f"{settings.SETTINGS_MODULE} {getattr(module, '__file__', '')}")
    models = render_models(apps)
    m_cat = read_catalog(models.connection)
    h_cat, replayed = history_catalog(history)
    d_cat = read_catalog(conn)
    save_ddl_facts()
    backups = frozenset(name for name in d_cat.tables if name.startswith(BACKUP_PREFIX))
    not_model_tables = (models.unmanaged_tables | replayed.raw_tables | shadow_tables(d_cat) | backups
                        | virtual_tables(h_cat) | virtual_tables(d_cat))
    return Sources(history, replayed, m_cat, h_cat, d_cat, not_model_tables)


def _audit(conn: sqlite3.Connection, apps, settings, config: Config, data: bool = True,
           progress: bool = False) -> Report:
    sources = read_sources(conn, apps)
    history, replayed = sources.history, sources.replayed
    m_cat, h_cat, d_cat = sources.m_cat, sources.h_cat, sources.d_cat
    differences = ThreeWayDiff(m_cat, h_cat, d_cat, ignore_tables=sources.not_model_tables).run()

    installed = {config.label for config in apps.get_app_configs()}
    explainer = Explainer(
        conn, m_cat, h_cat, d_cat, history, model_index(apps),
        LazyIndex(lambda: model_index(sources.history_apps)),
        installed, bool(getattr(settings, "USE_TZ", False)), sample=config.sample_size, data=data,
    )
    findings = [explainer.schema_finding(diff) for diff in differences]
    if data:  # rows: blocked deletes on the schema findings, then orphans, duplicates, DO_NOTHING
        impact = DataImpact(explainer, apps, Progress(progress))
        findings = impact.attach(findings) + impact.findings(differences)
    findings += raw_object_findings(h_cat, d_cat, replayed, history)
    findings += explainer.history_findings()
    findings += pending_model_changes(history, apps)
    findings.sort(key=lambda f: (-f.rank, f.kind, f.table or "", f.column or "", f.migration or ""))
    findings = apply_config(findings, config)
    findings = [replace(f, id=f"F{i}") for i, f in enumerate(findings, 1)]
    return Report("", "", "", sqlite3.sqlite_version, "", findings, _history_summary(history), config)


def pending_model_changes(history: History, apps) -> list[Finding]:
    """What ``makemigrations`` would write now: the autodetector on leaf files vs models.

    When the leaf state equals the models' (Django's own ``ProjectState`` equality, which
    compares every field's ``deconstruct()``, the options, bases and managers) the autodetector
    has nothing to find and is not run.
    """
    from django.db.migrations.autodetector import MigrationAutodetector
    # The base questioner answers every question with "no default" and never logs or exits;
    # NonInteractiveMigrationQuestioner calls sys.exit(3) on a new NOT NULL field.
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    if history.leaf_state is None:
        return []
    models_state = ProjectState.from_apps(apps)
    if models_state.models == history.leaf_state.models:
        return []
    try:
        changes = MigrationAutodetector(
            history.leaf_state, models_state,
            MigrationQuestioner(specified_apps=None, dry_run=True),
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
