"""Several databases' audits as one report: each database's report, and the aggregate.

The multi-database JSON report (``report`` with a ``--db`` glob or several ``--db``) is::

    {"schema_version": "2", "tool": {...}, "summary": {...},
     "databases": [REPORT, ..., {"database": FILE, "error": "one line"}, ...],
     "aggregate": [{"rule", "kind", "table", "column", "migration", "databases": [...], "count"}, ...]}

Each REPORT is the single-database report, its findings carrying ``database`` (the file). The
aggregate counts each finding signature - rule, kind, table, column - once per database that
has it: "DA101 stale-table appname_x: 37 of 200 databases" (and the migration, for findings
about one). Everything here works on the JSON
dicts, so ``driftaudit merge`` rebuilds exactly what one unsharded run writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftaudit import __version__
from driftaudit.explain.audit import SCHEMA_VERSION, Report
from driftaudit.explain.finding import SEVERITY_ORDER

#: what makes two databases' findings the same finding: the migration too, so that two different
#: unapplied (or ghost) migrations, which name no table, stay two rows
SIGNATURE = ("rule", "kind", "table", "column", "migration")


@dataclass(frozen=True)
class DatabaseAudit:
    """One database's result: its report, or the one line that says why it could not be audited."""

    path: str
    report: Report | None = None
    error: str | None = None

    def to_json(self) -> dict:
        if self.report is None:
            return {"database": self.path, "error": self.error}
        return database_json(self.report.to_json(), self.path)

    def exit_code(self, fail_on: str | None) -> int:
        """2 when it could not be audited; else 1 when a finding is at or above ``fail_on``
        (default: the project's ``fail_on``, else warning)."""
        if self.report is None:
            return 2
        threshold = fail_on or self.report.config.fail_on or "warning"
        if threshold == "never":
            return 0
        return int(any(f.rank >= SEVERITY_ORDER[threshold] and not f.accepted for f in self.report.findings))


def database_json(report: dict, path: str) -> dict:
    """A single-database report whose findings say which database they are in."""
    return {**report, "findings": [{**f, "database": path} for f in report["findings"]]}


def many_json(entries: list[dict]) -> dict:
    """The multi-database report of these per-database entries (reports or errors), in the
    order of their paths, whatever order they finished or were merged in."""
    entries = sorted(entries, key=lambda e: e["database"] if "error" in e else e["project"]["database"])
    reports = [e for e in entries if "error" not in e]
    by_severity = {"error": 0, "warning": 0, "info": 0}
    for report in reports:
        for severity, count in report["summary"]["by_severity"].items():
            by_severity[severity] += count
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "driftaudit", "version": __version__},
        "summary": {"databases": len(entries), "failed": len(entries) - len(reports),
                    "with_findings": sum(1 for r in reports if r["findings"]),
                    "findings": sum(by_severity.values()), "by_severity": by_severity},
        "databases": entries,
        "aggregate": aggregate(reports),
    }


def aggregate(reports: list[dict]) -> list[dict]:
    """Each finding signature once, with the databases that have it: most databases first."""
    found: dict[tuple, set] = {}
    for report in reports:
        for f in report["findings"]:
            found.setdefault(tuple(f[k] for k in SIGNATURE), set()).add(f["database"])
    rows = [{**dict(zip(SIGNATURE, key)), "databases": sorted(dbs), "count": len(dbs)} for key, dbs in found.items()]
    return sorted(rows, key=lambda r: (-r["count"], *(r[k] or "" for k in SIGNATURE)))


def many_exit_code(data: dict, fail_on: str = "warning") -> int:
    """The exit code of a multi-database JSON report (``merge``): the worst database's."""
    if data["summary"]["failed"]:
        return 2
    if fail_on == "never":
        return 0
    return int(any(SEVERITY_ORDER[f["severity"]] >= SEVERITY_ORDER[fail_on] and not f["accepted"]
                   for entry in data["databases"] for f in entry["findings"]))
