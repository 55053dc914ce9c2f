"""The markdown form of the report, for pull-request comments and job summaries. It tells each
root cause once (:mod:`driftaudit.explain.groups`), its findings beneath it. The HTML page is
:mod:`driftaudit.report.html`."""

from __future__ import annotations

import shlex

from driftaudit.config.rules import counted
from driftaudit.report.words import breaks, rule_help


def _blocks(group) -> str:
    return "; ".join(f"deleting {b.count} {b.model or b.table} row(s) fails" + (f" (rows of {b.via} reference them)" if b.via else "")
                     for b in group.blocks)


def _left(group, code) -> str:
    return "; ".join(f"{left.kind}: " + ", ".join(code(o) for o in left.objects) for left in group.left)


def _findings(report, group) -> list:
    by_id = {f.id: f for f in report.findings}
    return [by_id[i] for i in group.finding_ids if i in by_id]


def render_markdown(report) -> str:
    data = report.to_json()
    sev = data["summary"]["by_severity"]
    out = [
        f"## driftaudit: {counted(len(report.findings), 'finding', 'findings')} from "
        f"{counted(len(report.groups), 'cause', 'causes')}",
        "",
        f"`{data['project']['database']}` · settings `{data['project']['settings']}` · "
        f"Django {data['project']['django_version']} · SQLite {data['project']['sqlite_version']}",
        "",
        f"**{sev['error']}** error · **{sev['warning']}** warning · **{sev['info']}** info",
        "",
    ]
    if report.findings:
        out += ["| id | severity | rule | kind | object | signature | cause | group |",
                "|---|---|---|---|---|---|---|---|"]
        for f in report.findings:
            group = report.group_of(f.id)
            out.append(f"| {f.id} | {f.severity} | {f.rule} | {f.kind} | `{f.subject}` | {f.signature or ''} | "
                       f"{f.cause} | {group.id if group else ''} |")
        out.append("")
    for group in report.groups:
        out += [f"### {group.id} {group.title}", "",
                f"*{group.severity}* · cause `{group.cause}`" + (f" · migration `{group.migration}`" if group.migration else "")
                + (f" · app `{group.app}`" if group.app else "") + f" · {', '.join(group.finding_ids)}", ""]
        out += [f"- **Left:** {_left(group, lambda o: f'`{o}`')}"]
        if group.blocks:
            out += [f"- **Blocks:** {_blocks(group)}"]
        out += [f"- **To do:** {group.to_do}", ""]
        for f in _findings(report, group):
            out += [f"#### {f.id} {f.rule} {f.kind} `{f.subject}`", "", f.explanation, "", f"*Breaks:* {breaks(f)}", ""]
            if f.fix:
                out += [f"*Fix:* {f.fix}", ""]
            if f.accepted:
                out += [f"*Accepted:* {f.accepted}", ""]
            command, page = rule_help(f.rule)
            out += [f"{f.rule}: `{command}` · `{page}`", ""]
    if report.next_steps:
        out += ["### Next steps", ""]
        out += [f"1. `{shlex.join(step['argv'])}` - {step['why']}" if step["argv"] else f"1. {step['why']}"
                for step in report.next_steps]
        out.append("")
    return "\n".join(out) + "\n"
