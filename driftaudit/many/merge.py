"""``driftaudit merge REPORT.json...``: the JSON reports of several shards as one report.

Each input is a multi-database JSON report (``report --db 'PATTERN' --shard K/N --format
json``) or a single-database one; the result is the multi-database report one unsharded run
writes: the databases in the order of their paths and the aggregate computed again over all
of them. A file that is not a driftaudit JSON report, or a database in two inputs, is an error
(one line): a merge that silently dropped or doubled a database would misreport the fleet.
"""

from __future__ import annotations

import json
from pathlib import Path

from driftaudit.errors import AuditError
from driftaudit.explain.audit import SCHEMA_VERSION
from driftaudit.explain.many import database_json, many_json


def merge_reports(paths: list[str]) -> dict:
    entries: dict[str, tuple[dict, str]] = {}
    for path in paths:
        for entry in _entries(path):
            database = entry["database"] if "error" in entry else entry["project"]["database"]
            if database in entries:
                raise AuditError(f"{path}: database {database} is also in {entries[database][1]}; "
                                 "merge the reports of disjoint shards (--shard K/N with one N)")
            entries[database] = (entry, path)
    return many_json([entry for entry, _ in entries.values()])


def _entries(path: str) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditError(f"{path} is not a driftaudit JSON report (not JSON: {exc})") from None
    problem = _problem(data)
    if problem:
        raise AuditError(f"{path} is not a driftaudit JSON report ({problem}); "
                         "merge the output of `driftaudit report --format json`")
    if "databases" in data:
        return data["databases"]
    return [database_json(data, data["project"]["database"])]


def _problem(data) -> str | None:
    """What makes ``data`` no report this version of driftaudit wrote, if anything."""
    if not isinstance(data, dict) or (data.get("tool") or {}).get("name") != "driftaudit":
        return "no tool.name driftaudit"
    if data.get("schema_version") != SCHEMA_VERSION:
        return f"schema_version {data.get('schema_version')!r}, not {SCHEMA_VERSION!r}"
    if "databases" in data:
        entries = data["databases"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return "databases is not a list of reports"
        for entry in entries:
            problem = _entry_problem(entry)
            if problem:
                return problem
        return None
    if not isinstance(data.get("project"), dict) or not data["project"].get("database"):
        return "no project.database: a report --no-db audited no database"
    return _entry_problem(data)


def _entry_problem(entry: dict) -> str | None:
    if "error" in entry:
        return None if isinstance(entry.get("database"), str) else "an error entry without its database"
    if not isinstance(entry.get("project"), dict) or not isinstance(entry["project"].get("database"), str):
        return "a report without project.database"
    if not isinstance(entry.get("findings"), list) or not isinstance(entry.get("summary"), dict):
        return "a report without findings or summary"
    for f in entry["findings"]:
        if not isinstance(f, dict) or not all(k in f for k in ("rule", "kind", "table", "column", "severity")):
            return "a finding without rule, kind, table, column or severity"
    return None
