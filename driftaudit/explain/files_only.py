"""The audit that needs no database: what the migration files and the models say on their own.

``driftaudit report --no-db`` (and the pre-commit hook ``driftaudit-migrations``) runs only the
checks a commit can break without touching a database: model changes no migration file has
yet (DA305, what ``makemigrations --check`` finds), migration files that cannot be imported
(DA307) and dependencies on migrations that do not exist (DA304). The history is loaded
against an empty in-memory SQLite database, so nothing counts as applied and no record can be a
ghost: whatever concerns ``django_migrations`` or the tables needs the real database
(``driftaudit report``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from driftaudit.config.rules import fill, rule_for
from driftaudit.explain.audit import Report
from driftaudit.explain.configure import apply_config
from driftaudit.explain.finding import Finding
from driftaudit.explain.pending import pending_model_changes
from driftaudit.sources.history import History, load_history, migration_label
from driftaudit.sources.project import Project

def explain_files(project: Project, apps) -> Report:
    """The findings the migration files and models give without a database, configured and numbered."""
    import django

    empty = sqlite3.connect(":memory:")  # no django_migrations: the files alone make the history
    try:
        history = load_history(empty)
    finally:
        empty.close()
    pending = [replace(f, fix=rule_for(f.kind).template("fix_without_database"))
               for f in pending_model_changes(history, apps)]
    findings = [*_broken_files(history), *_missing_dependencies(history), *pending]
    findings.sort(key=lambda f: (-f.rank, f.kind, f.migration or ""))
    findings = apply_config(findings, project.config)
    findings = [replace(f, id=f"F{i}") for i, f in enumerate(findings, 1)]
    return Report(project.settings_module, "--no-db", None, sqlite3.sqlite_version, django.get_version(),
                  findings, {"applied": [], "ghost": [], "unapplied": []}, project.config)


def _finding(kind: str, **values) -> Finding:
    rule = rule_for(kind)
    return Finding(rule=rule.id, kind=kind, severity=rule.severity, signature=None, cause="unknown",
                   explanation=fill(rule.template("default"), **values), fix=fill(rule.fix, **values))


def _broken_files(history: History) -> list[Finding]:
    return [replace(_finding("broken-migration", path=broken.path, error=broken.error),
                    app=broken.app, migration=f"{broken.app}.{broken.name}")
            for broken in history.broken_files]


def _missing_dependencies(history: History) -> list[Finding]:
    """Without records and git only the repoint target can be named; ``driftaudit report`` says more."""
    rule, graph = rule_for("missing-dependency"), history.loader.graph
    out = []
    for missing in history.missing_dependencies:
        dep = missing.dependency
        f = _finding("missing-dependency", migration=migration_label(missing.migration),
                     dependency=migration_label(dep))
        earlier = sorted(k for k in graph.nodes if k[0] == dep[0] and k[1] < dep[1])
        if earlier:
            note = fill(rule.template("repoint"), replacement=migration_label(earlier[-1]))
            f = replace(f, explanation=f"{f.explanation} {note}")
        out.append(replace(f, app=missing.migration[0], migration=migration_label(missing.migration),
                           cause="deleted-migration"))
    return out
