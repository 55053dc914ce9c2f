"""Triggers, views and virtual tables no migration explains: the ``raw-object`` findings.

The history's own objects are known from the replay of its ``RunSQL``
(:mod:`driftaudit.sources.runsql`); an object the database has beyond them, or one the
history made that is gone or differs, is a finding. Shadow tables of virtual tables are never
compared on their own.
"""

from __future__ import annotations

import re

from driftaudit.config.rules import fill, rule_for
from driftaudit.explain.finding import Finding
from driftaudit.schema.catalog import Catalog, RawObject
from driftaudit.schema.diff import signature
from driftaudit.schema.read import shadow_tables
from driftaudit.sources.history import History, migration_label
from driftaudit.sources.runsql import ReplayResult


def _normalized(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.replace('"', "").replace("'", "").replace("`", "")).strip().lower()


def raw_object_findings(history_catalog: Catalog, database: Catalog, replay: ReplayResult,
                        history: History) -> list[Finding]:
    """Objects the database has that no migration explains, and ones migrations made that are gone."""
    rule = rule_for("raw-object")
    shadows = shadow_tables(database) | shadow_tables(history_catalog)
    findings = []
    names = set(history_catalog.raw_objects) | set(database.raw_objects)
    for name in sorted(names - shadows):
        h, d = history_catalog.raw_objects.get(name), database.raw_objects.get(name)
        if h is not None and d is not None and _normalized(h.sql) == _normalized(d.sql):
            continue
        obj: RawObject = d or h
        maker = replay.created_by.get(name)
        if h is None:
            state, severity, cause = "only-database", rule.severity, "manual-sql"
        elif d is None:
            state, severity, cause = "missing", "warning", "unknown"
        else:
            state, severity, cause = "differs", "warning", "manual-sql"
        sig = signature(None, h.sql if h else None, d.sql if d else None)
        text = fill(rule.template(state), object_type=obj.type, object_name=obj.name, table=obj.table,
                    migration=migration_label(maker) or "a migration")
        findings.append(Finding(
            rule=rule.id, kind="raw-object", severity=severity, signature=sig, cause=cause,
            explanation=text, fix=fill(rule.fix), table=obj.table, migration=migration_label(maker),
            app=maker[0] if maker else None,
            sources={"models": None, "history": h.sql if h else None, "database": d.sql if d else None},
        ))
    return findings
