"""The readable text report: for each finding, what is wrong, why, what it breaks, what to do."""

from __future__ import annotations

import shlex
import textwrap

from driftaudit.config.rules import rule_for

WIDTH = 100


def _wrap(label: str, text: str) -> list[str]:
    prefix = f"    {label:<8}"
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=" " * len(prefix)) or [prefix]


def render_text(report) -> str:
    data = report.to_json()
    lines = [
        f"driftaudit {data['tool']['version']} - {data['project']['database'] or 'no database (--no-db)'}",
        f"settings {data['project']['settings']} · Django {data['project']['django_version']} · "
        f"SQLite {data['project']['sqlite_version']}",
        "",
    ]
    if not report.findings:
        lines.append("No drift: models, migration history and database agree.")
    for f in _in_group_order(report):
        group = report.group_of(f.id)
        if group and len(group.finding_ids) > 1 and group.finding_ids[0] == f.id:
            lines += _group_lines(group)
        where = f.table or f.migration or f.app or ""
        if f.column:
            where += f".{f.column}"
        title = rule_for(f.kind).title
        accepted = "  (accepted)" if f.accepted else ""
        lines.append(f"{f.id} {f.severity.upper():<7} {f.rule} {f.kind}  {where}{accepted}")
        lines.append(f"    {title}" + (f"   [{f.signature}, cause: {f.cause}]" if f.signature else f"   [cause: {f.cause}]"))
        lines += _wrap("what", f.explanation)
        breaks = _breaks(f)
        if breaks:
            lines += _wrap("breaks", breaks)
        if f.fix:
            lines += _wrap("to do", f.fix)
        if f.accepted:
            lines += _wrap("accepted", f.accepted)
        lines.append("")
    summary = data["summary"]["by_severity"]
    accepted = sum(1 for f in report.findings if f.accepted)
    lines.append(
        f"{data['summary']['findings']} finding(s): {summary['error']} error, "
        f"{summary['warning']} warning, {summary['info']} info"
        + (f" ({accepted} accepted in {report.config.path})" if accepted else "")
    )
    if report.next_steps:
        lines += ["", "next:"]
        for step in report.next_steps:
            lines += [f"  $ {shlex.join(step['argv'])}"] if step["argv"] else _wrap("by hand", step["why"])
    return "\n".join(lines) + "\n"


def _in_group_order(report) -> list:
    """Findings told once per root cause: each group's findings together, groups in report order."""
    by_id = {f.id: f for f in report.findings}
    ordered = [by_id[i] for g in report.groups for i in g.finding_ids if i in by_id]
    return ordered + [f for f in report.findings if f not in ordered]


def _group_lines(group) -> list[str]:
    """A cause with several findings, once: what it left, what it blocks, the one thing to do."""
    lines = [f"{group.id} {group.severity.upper():<7} {group.title}  [cause: {group.cause}; "
             f"{len(group.finding_ids)} findings: {', '.join(group.finding_ids)}]"]
    lines += _wrap("left", "; ".join(f"{left.kind}: {', '.join(left.objects)}" for left in group.left))
    if group.blocks:
        lines += _wrap("breaks", "; ".join(f"deleting {b.count} {b.model or b.table} row(s) fails"
                                           + (f" (rows of {b.via} reference them)" if b.via else "")
                                           for b in group.blocks))
    lines += _wrap("to do", group.to_do)
    return lines + [""]


def _breaks(f) -> str:
    impact = f.impact or {}
    blocked = impact.get("blocked_deletes") or []
    if blocked:
        parts = []
        for b in blocked:
            who = b["model"] or b["table"]
            parts.append(f"deleting {who} {b['column']} {', '.join(map(str, b['pks']))}"
                         + (f" (+{b['count'] - len(b['pks'])} more)" if b["count"] > len(b["pks"]) else "")
                         + f" fails {b['checked']} (FOREIGN KEY constraint failed)")
        return "; ".join(parts) + "."
    return rule_for(f.kind).breaks
