"""SARIF 2.1.0 (``--format sarif``): the report for code scanning (GitHub, GitLab, IDE viewers).

One result per finding: ``ruleId`` is the rule id (``DA101``), rule metadata comes from the rule
catalog (``rules/builtin.yaml``), the level from the severity. The physical location is the
code the finding is about (the model field's line in ``models.py``, the model's class, the
migration file; :mod:`.code_paths`), relative to ``%SRCROOT%``; the database object is the
logical location. ``partialFingerprints`` hash the rule, kind, table and column (the migration
when there is no table), never ids or line numbers, so a finding keeps its identity across runs
and edits. Accepted findings carry a suppression with the reason from ``driftaudit.yaml``.
"""

from __future__ import annotations

import hashlib
import json

from driftaudit import __version__
from driftaudit.config.rules import load_catalog
from driftaudit.explain.finding import MIGRATION_KINDS

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "driftaudit/v1"
CATEGORIES = {"1": "schema", "2": "data", "3": "history"}


def render_sarif(report, environ=None) -> str:
    from driftaudit.report.code_paths import source_root

    root = source_root(report, environ)
    rules = sorted(load_catalog().values(), key=lambda r: r.id)
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "driftaudit", "version": __version__, "semanticVersion": __version__,
                            "rules": [_rule(rule) for rule in rules]}},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/",
                                             "description": {"text": "the repository root (GITHUB_WORKSPACE) "
                                                                     "or the Django project folder"}}},
        "invocations": [{"executionSuccessful": True}],
        "results": [_result(report, f, index, root) for f in report.findings],
        "properties": {"database": report.database_path, "settings": report.settings,
                       "groups": [g.to_json() for g in report.groups], "next_steps": report.next_steps},
    }
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2, default=str) + "\n"


def fingerprint(f) -> str:
    """Stable across runs: what the finding is about, not where it is printed or numbered."""
    parts = [f.rule, f.kind, (f.table or "").lower(), (f.column or "").lower()]
    if not f.table:
        parts.append(f.migration or f.app or "")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _rule(rule) -> dict:
    help_text = f"What it breaks: {rule.breaks}\n\nThe fix: {rule.fix}\n\nMore: `driftaudit rules {rule.id}`"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.kind.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "help": {"text": help_text, "markdown": help_text.replace("What it breaks:", "**What it breaks:**")
                 .replace("The fix:", "**The fix:**")},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"kind": rule.kind, "tags": ["driftaudit", CATEGORIES.get(rule.id[2:3], "other")]},
    }


def _result(report, f, index: dict, root) -> dict:
    from driftaudit.report.code_paths import code_location

    group = report.group_of(f.id)
    location: dict = {"logicalLocations": [_logical(f)]}
    found = code_location(report, f.id, root)
    if found:
        location["physicalLocation"] = {"artifactLocation": {"uri": found[0], "uriBaseId": "%SRCROOT%"},
                                        "region": {"startLine": found[1]}}
    message = f.explanation + (f"\n\nTo do: {f.fix}" if f.fix else "")
    result = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(f)},
        "properties": {"id": f.id, "kind": f.kind, "cause": f.cause, "signature": f.signature,
                       "group": group.id if group else None, "app": f.app, "model": f.model,
                       "table": f.table, "column": f.column, "migration": f.migration, "count": f.count},
    }
    if f.accepted:
        result["suppressions"] = [{"kind": "external", "justification": f.accepted}]
    return result


def _logical(f) -> dict:
    if f.kind in MIGRATION_KINDS and f.migration:
        return {"name": f.migration, "fullyQualifiedName": f.migration, "kind": "migration"}
    if f.table and f.column:
        return {"name": f.column, "fullyQualifiedName": f"{f.table}.{f.column}", "kind": "column"}
    if f.table:
        return {"name": f.table, "fullyQualifiedName": f.table, "kind": "table"}
    name = f.migration or f.app or f.kind
    return {"name": name, "fullyQualifiedName": name, "kind": "migration" if f.migration else "module"}
