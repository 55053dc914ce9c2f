"""Several databases' audits for code scanning and GitHub Actions.

SARIF: one run per database (SARIF 2.1.0 allows many runs in one log), each exactly the run of
that database's own report, with ``automationDetails.id`` naming the database so that code
scanning keeps each database's results apart; a database that could not be audited is a run
whose invocation failed, with its one-line error as the notification.

GitHub workflow commands: one annotation per row of the aggregate, not one per finding of
each database - 200 copies of the same stale table are one annotation, "in 37 of 200
databases", at the code the first database's finding points at. A database that could not
be audited is one ``::error::`` line.
"""

from __future__ import annotations

import json

from driftaudit.config.rules import counted
from driftaudit.explain.many import SIGNATURE, aggregate, database_json
from driftaudit.report.github import COMMANDS, workflow_command
from driftaudit.report.words import databases_verdict as verdict
from driftaudit.report.sarif import SCHEMA_URI, render_sarif


def render_many_sarif(audits, environ=None) -> str:
    runs = []
    for audit in sorted(audits, key=lambda a: a.path):
        if audit.report is None:
            runs.append({"tool": {"driver": {"name": "driftaudit"}}, "automationDetails": {"id": f"driftaudit/{audit.path}"},
                         "invocations": [{"executionSuccessful": False, "toolExecutionNotifications": [
                             {"level": "error", "message": {"text": audit.error}}]}],
                         "results": []})
            continue
        run = json.loads(render_sarif(audit.report, environ))["runs"][0]
        runs.append({**run, "automationDetails": {"id": f"driftaudit/{audit.path}"}})
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}, indent=2, default=str) + "\n"


def render_many_github(audits, environ=None) -> str:
    from driftaudit.explain.many import many_json
    from driftaudit.report.code_paths import code_location, source_root

    audits = sorted(audits, key=lambda a: a.path)
    reports = [a for a in audits if a.report is not None]
    audited = len(reports)
    lines = [workflow_command("error", f"could not audit {a.path}: {a.error}", title="driftaudit")
             for a in audits if a.report is None]
    entries = [database_json(a.report.to_json(), a.path) for a in reports]
    for row in aggregate(entries):
        key = tuple(row[k] for k in SIGNATURE)
        audit = next(a for a in reports if a.path == row["databases"][0])
        f = next(f for f in audit.report.findings if tuple(getattr(f, k) for k in SIGNATURE) == key)
        found = code_location(audit.report, f.id, source_root(audit.report, environ))
        shown = ", ".join(row["databases"][:5]) + (f" and {row['count'] - 5} more" if row["count"] > 5 else "")
        message = "\n".join(part for part in (
            f"In {row['count']} of {counted(audited, 'database', 'databases')}: {shown}",
            f"{f.explanation} (in {audit.path})",
            f"To do: {f.fix}" if f.fix else None) if part)
        lines.append(workflow_command("notice" if f.accepted else COMMANDS[f.severity], message,
                                      file=found[0] if found else None, line=found[1] if found else None,
                                      title=f"{f.rule} {f.kind}: {f.subject} ({row['count']} of {audited} databases)"))
    lines.append(f"driftaudit: {verdict(many_json([a.to_json() for a in audits]))}")
    return "\n".join(lines) + "\n"
