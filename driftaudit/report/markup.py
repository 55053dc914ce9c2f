"""Markdown and HTML forms of the report, for pull-request comments, job summaries and CI
artifacts. Both tell each root cause once (:mod:`driftaudit.explain.groups`), its findings
beneath it."""

from __future__ import annotations

import html
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


def render_html(report) -> str:
    data = report.to_json()
    esc = html.escape
    sections = []
    for group in report.groups:
        rows = "".join(
            f"<tr class='{esc(f.severity)}'><td>{esc(f.id)}</td><td>{esc(f.severity)}</td><td>{esc(f.rule)}</td>"
            f"<td>{esc(f.kind)}</td><td><code>{esc(f.subject)}</code></td><td>{esc(f.signature or '')}</td>"
            f"<td>{esc(f.cause)}</td><td>{esc(f.explanation)}<br><strong>Breaks:</strong> {esc(breaks(f))}"
            f"<br><em>{esc(f.fix or '')}</em></td></tr>"
            for f in _findings(report, group)
        )
        blocks = f"<dt>blocks</dt><dd>{esc(_blocks(group))}</dd>" if group.blocks else ""
        sections.append(
            f"<section class='group {esc(group.severity)}' id='{esc(group.id)}'>"
            f"<h2>{esc(group.id)} {esc(group.title)}</h2><dl><dt>cause</dt><dd>{esc(group.cause)}</dd>"
            f"<dt>left</dt><dd>{_left(group, lambda o: f'<code>{esc(o)}</code>')}</dd>{blocks}"
            f"<dt>to do</dt><dd>{esc(group.to_do)}</dd></dl>"
            "<table><tr><th>id</th><th>severity</th><th>rule</th><th>kind</th><th>object</th>"
            f"<th>signature</th><th>cause</th><th>explanation</th></tr>{rows}</table></section>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>driftaudit report</title>"
        "<style>body{font-family:sans-serif}td{vertical-align:top;padding:4px}dt{font-weight:bold}"
        ".error td:nth-child(2){color:#b00}.warning td:nth-child(2){color:#a60}</style></head><body>"
        f"<h1>driftaudit: {esc(counted(len(report.findings), 'finding', 'findings'))} from "
        f"{esc(counted(len(report.groups), 'cause', 'causes'))}</h1>"
        f"<p><code>{esc(data['project']['database'])}</code> · Django {esc(data['project']['django_version'])}"
        f" · SQLite {esc(data['project']['sqlite_version'])}</p>"
        f"{''.join(sections)}</body></html>\n"
    )
