"""Apply a project's ``driftaudit.yaml`` to the findings of one audit.

Order matters and is documented: excluded tables/apps and unselected/ignored rules disappear;
severities are overridden (globally, then per table - the last matching table pattern wins);
accepted findings stay in the report, marked with their reason, and no longer count for the
exit status.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace

from driftaudit.config.options import Config
from driftaudit.explain.finding import Finding


def _matches(value: str | None, patterns) -> bool:
    return value is not None and any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _selected(rule: str, config: Config) -> bool:
    if config.select and not any(rule.startswith(prefix) for prefix in config.select):
        return False
    return not any(rule.startswith(prefix) for prefix in config.ignore)


def _severity(finding: Finding, config: Config) -> str:
    severity = config.severity.get(finding.rule, finding.severity)
    for override in config.tables:
        if _matches(finding.table, [override.pattern]) and finding.rule in override.severity:
            severity = override.severity[finding.rule]
    return severity


def _accepted(finding: Finding, config: Config) -> str | None:
    for entry in config.accept:
        if entry.rule != finding.rule:
            continue
        if entry.table is not None and (finding.table or "").lower() != entry.table.lower():
            continue
        if entry.column is not None and (finding.column or "").lower() != entry.column.lower():
            continue
        return entry.reason
    return None


def apply_config(findings: list[Finding], config: Config) -> list[Finding]:
    kept = []
    for finding in findings:
        if _matches(finding.table, config.exclude_tables) or _matches(finding.app, config.exclude_apps):
            continue
        if not _selected(finding.rule, config):
            continue
        kept.append(replace(finding, severity=_severity(finding, config), accepted=_accepted(finding, config)))
    return kept
