"""GitHub Actions (``--format github``): one workflow command per finding, and a job summary.

``::error file=app/models.py,line=12,title=DA105 missing-column ...::message`` makes GitHub
show the finding on that line of the pull request (``::warning``, ``::notice`` for the other
severities; accepted findings are notices). Paths are relative to ``GITHUB_WORKSPACE``, else to
the project folder (:mod:`.code_paths`). The command line uses this format by itself when
``GITHUB_ACTIONS=true`` and ``--format`` was not given, and appends the markdown report to the
file named by ``GITHUB_STEP_SUMMARY``.

Escaping follows GitHub's own toolkit (``@actions/core``'s ``command.ts``): in the message,
``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in a property, also ``:`` and ``,`` become
``%3A`` and ``%2C``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from driftaudit.config.rules import counted
from driftaudit.errors import AuditError

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties) -> str:
    """``::command key=value,...::message`` with every part escaped; None properties left out."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def render_github(report, environ=None) -> str:
    from driftaudit.report.code_paths import code_location, source_root

    root = source_root(report, environ)
    lines = []
    for f in report.findings:
        found = code_location(report, f.id, root)
        group = report.group_of(f.id)
        story = f"{group.id} {group.title}" if group and len(group.finding_ids) > 1 else None
        message = "\n".join(part for part in (
            f"Accepted: {f.accepted}" if f.accepted else None,
            f"{f.id} [{story}]" if story else f.id,
            f.explanation,
            f"To do: {f.fix}" if f.fix else None) if part)
        lines.append(workflow_command(
            "notice" if f.accepted else COMMANDS[f.severity], message,
            file=found[0] if found else None, line=found[1] if found else None,
            title=f"{f.rule} {f.kind}: {f.subject}"))
    data = report.to_json()["summary"]
    sev = data["by_severity"]
    lines.append(f"driftaudit: {counted(data['findings'], 'finding', 'findings')} from "
                 f"{counted(data['groups'], 'cause', 'causes')}: "
                 f"{sev['error']} error, {sev['warning']} warning, {sev['info']} info")
    for step in report.next_steps:
        lines.append(f"  next: $ {shlex.join(step['argv'])}" if step["argv"] else f"  next (by hand): {step['why']}")
    return "\n".join(lines) + "\n"


def append_step_summary(report, path: str) -> None:
    """Add the markdown report to the job summary (``$GITHUB_STEP_SUMMARY``)."""
    from driftaudit.report.markup import render_markdown

    try:
        with Path(path).open("a", encoding="utf-8") as summary:
            summary.write(render_markdown(report) + "\n")
    except OSError as exc:
        raise AuditError(f"cannot append the job summary to {path} (GITHUB_STEP_SUMMARY): {exc.strerror}") from None
