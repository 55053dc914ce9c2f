"""One audit explained: the three-way diff, causes, data impact and history, as a report.

``explain(AuditInput) -> Report`` runs the explanation layer in order: schema findings from the
diff (with their causes), row impact, raw SQL objects, history facts, pending model changes;
then the project's configuration (select, ignore, severities, accepted drift) and the ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

from driftaudit import __version__
from driftaudit.config.options import Config
from driftaudit.explain.configure import apply_config
from driftaudit.explain.data_impact import DataImpact
from driftaudit.explain.explainer import Explainer
from driftaudit.explain.finding import Finding
from driftaudit.explain.groups import Group, group_findings
from driftaudit.explain.history_facts import fmt_time, parse_applied
from driftaudit.explain.pending import pending_model_changes
from driftaudit.explain.raw_objects import raw_object_findings
from driftaudit.explain.rows import Progress
from driftaudit.schema.diff import schema_diff
from driftaudit.schema.read import AuditInput
from driftaudit.sources.history import History, migration_label

if TYPE_CHECKING:
    from driftaudit.sources.code import CodeLocation


#: the version of the JSON report's shape (``schema_version``; its JSON Schema ships in
#: ``driftaudit/report/schemas/``); "2" added ``schema_version``, ``groups`` and ``next_steps``
SCHEMA_VERSION = "2"


@dataclass
class Report:
    """One audit's result: the findings (the contract's FINDINGs) and what was audited."""

    settings: str
    database: str
    database_path: str
    sqlite_version: str
    django_version: str
    findings: list[Finding] = field(default_factory=list)
    history: dict = field(default_factory=dict)
    config: Config = field(default_factory=Config)
    #: what to run next, in order (``[{"argv": [...], "why": ...}]``; the API fills it)
    next_steps: list = field(default_factory=list)
    #: the findings told once per root cause (:mod:`driftaudit.explain.groups`)
    groups: list[Group] = field(default_factory=list)
    #: finds where each finding points in the project's code (:attr:`locations`)
    locator: Callable[[list[Finding]], dict] | None = field(default=None, repr=False, compare=False)
    #: the project folder (the one with manage.py)
    root: str = ""
    _located: dict | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def locations(self) -> dict[str, tuple[CodeLocation, ...]]:
        """Finding id -> where in the project's code it points, best first. Found when first
        asked: SARIF, GitHub and HTML ask, text and JSON never do (reading the model modules'
        source costs a cold run more than the rest of the explanation)."""
        if self._located is None:
            self._located = self.locator(self.findings) if self.locator else {}
        return self._located

    def __getstate__(self) -> dict:
        """A worker's report crosses to the parent with its locations found, the locator left
        behind (it holds the worker's app registry)."""
        return {**self.__dict__, "_located": self.locations, "locator": None}

    def group_of(self, finding_id: str) -> Group | None:
        return next((g for g in self.groups if finding_id in g.finding_ids), None)

    def to_json(self) -> dict:
        by_sev = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            by_sev[f.severity] += 1
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "driftaudit", "version": __version__},
            "project": {"settings": self.settings, "database": self.database_path,
                        "sqlite_version": self.sqlite_version, "django_version": self.django_version},
            "summary": {"findings": len(self.findings), "by_severity": by_sev,
                        "accepted": sum(1 for f in self.findings if f.accepted), "groups": len(self.groups)},
            "findings": [f.to_json() for f in self.findings],
            "groups": [g.to_json() for g in self.groups],
            "history": self.history,
            "next_steps": self.next_steps,
        }


def explain(audit: AuditInput, data: bool = True, progress: bool | Progress = False) -> Report:
    """The audit's findings, explained, configured and numbered: the report.

    ``data=False`` (``--no-data``, or ``data.enabled: false``) reads no rows at all;
    ``progress`` reports long row scans on stderr (``True``: a line a second; or a
    :class:`Progress` of the caller's, such as the terminal's progress bar).
    """
    import django

    project, sources = audit.project, audit.sources
    config = project.config
    data = data and config.data_enabled
    differences = schema_diff(sources)
    explainer = Explainer(audit, data=data)
    findings = [explainer.schema_finding(diff) for diff in differences]
    if data:  # rows: blocked deletes on the schema findings, then orphans, duplicates, DO_NOTHING
        impact = DataImpact(explainer, audit.apps,
                            progress if isinstance(progress, Progress) else Progress(progress))
        findings = impact.attach(findings) + _with_their_cause(impact.findings(differences), findings)
    findings += raw_object_findings(sources.h_cat, sources.d_cat, sources.replayed, sources.history)
    history_findings = explainer.history_findings()
    findings = _fold_into_unapplied(findings, history_findings) + history_findings
    findings += pending_model_changes(sources.history, audit.apps)
    findings.sort(key=lambda f: (-f.rank, f.kind, f.table or "", f.column or "", f.migration or ""))
    findings = apply_config(findings, config)
    findings = [replace(f, id=f"F{i}") for i, f in enumerate(findings, 1)]
    return Report(project.settings_module, project.database_label, project.database_path,
                  sqlite3.sqlite_version, django.get_version(), findings,
                  _history_summary(sources.history, explainer.evidence.use_tz), config, groups=group_findings(findings),
                  locator=partial(_locate, audit.apps, sources.history, project.settings_module),
                  root=str(project.root))


def _locate(apps, history: History, settings_module: str, findings: list[Finding]) -> dict:
    """:attr:`Report.locations`: the model modules' source is read (and its module imported)
    only for the formats that point into code."""
    from driftaudit.explain.locations import Locator

    return Locator(apps, history, settings_module).locate(findings)


#: rows a constraint the models add would reject -> the schema difference that adds it
_ROWS_OF = {"null-rows": "column-null", "check-violation-rows": "check-missing", "duplicate-rows": "unique-missing"}


def _with_their_cause(data: list[Finding], schema: list[Finding]) -> list[Finding]:
    """Rows the database accepts and a missing constraint would reject are there because the
    constraint is missing: they take its cause and migration (a faked AlterField, a pending
    model change), instead of "unknown"."""
    causes = {(f.kind, (f.table or "").lower(), (f.column or "").lower()): f for f in schema}
    out = []
    for f in data:
        source = causes.get((_ROWS_OF.get(f.kind, ""), (f.table or "").lower(), (f.column or "").lower()))
        if f.cause == "unknown" and source is not None and source.cause != "unknown":
            f = replace(f, cause=source.cause, migration=f.migration or source.migration)
        out.append(f)
    return out


def _fold_into_unapplied(schema: list[Finding], history: list[Finding]) -> list[Finding]:
    """Schema differences that an unapplied migration will make are that migration's finding.

    Like Django's runserver warning, an upgrade not yet migrated is reported once per
    migration, whose finding lists what it makes ("It makes: missing-table x"), not again as
    errors about the tables it will create. Each folded difference stays in the migration
    finding's ``sources["makes"]``: kind, table, column and the fact as each source has it.
    """
    unapplied = {f.migration for f in history if f.kind == "unapplied-migration" and f.cause == "unapplied-migration"}
    folded: dict[str, list] = {}
    kept = []
    for f in schema:
        if f.cause == "unapplied-migration" and f.migration in unapplied:
            folded.setdefault(f.migration, []).append(
                {"kind": f.kind, "table": f.table, "column": f.column, **(f.sources or {})})
        else:
            kept.append(f)
    for i, f in enumerate(history):
        if f.kind == "unapplied-migration" and f.migration in folded:
            sources = f.sources or {"models": None, "history": None, "database": None}  # every FINDING has the three
            history[i] = replace(f, sources={**sources, "makes": folded[f.migration]})
    return kept


def _history_summary(history: History, use_tz: bool) -> dict:
    """The history's migrations by state, and when each record says it was applied (in UTC)."""
    times = {key: parse_applied(text) for key, text in history.records.items()}
    return {
        "applied": [migration_label(k) for k in history.applied_plan],
        "ghost": [migration_label(k) for k in history.ghosts],
        "unapplied": [migration_label(k) for k in history.unapplied] if history.has_records_table else [],
        "recorded_at": {migration_label(k): fmt_time(t, use_tz) for k, t in times.items() if t is not None},
    }
