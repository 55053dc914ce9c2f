"""Markdown and HTML forms of the report, for pull-request comments and CI artifacts."""

from __future__ import annotations

import html

from driftaudit.config.rules import counted
from driftaudit.report.words import breaks, location, rule_help


def _rows(report):
    for f in report.findings:
        yield f, location(f)


def render_markdown(report) -> str:
    data = report.to_json()
    sev = data["summary"]["by_severity"]
    out = [
        f"## driftaudit: {counted(len(report.findings), 'finding', 'findings')}",
        "",
        f"`{data['project']['database']}` · settings `{data['project']['settings']}` · "
        f"Django {data['project']['django_version']} · SQLite {data['project']['sqlite_version']}",
        "",
        f"**{sev['error']}** error · **{sev['warning']}** warning · **{sev['info']}** info",
        "",
    ]
    if report.findings:
        out += ["| id | severity | rule | kind | object | signature | cause |", "|---|---|---|---|---|---|---|"]
        for f, where in _rows(report):
            out.append(f"| {f.id} | {f.severity} | {f.rule} | {f.kind} | `{where}` | {f.signature or ''} | {f.cause} |")
        out.append("")
        for f, where in _rows(report):
            out += [f"### {f.id} {f.kind} `{where}`", "", f.explanation, "", f"*Breaks:* {breaks(f)}", ""]
            if f.fix:
                out += [f"*Fix:* {f.fix}", ""]
            if f.accepted:
                out += [f"*Accepted:* {f.accepted}", ""]
            command, page = rule_help(f.rule)
            out += [f"{f.rule}: `{command}` · `{page}`", ""]
    return "\n".join(out) + "\n"


def render_html(report) -> str:
    data = report.to_json()
    esc = html.escape
    rows = "".join(
        f"<tr class='{esc(f.severity)}'><td>{esc(f.id)}</td><td>{esc(f.severity)}</td><td>{esc(f.rule)}</td>"
        f"<td>{esc(f.kind)}</td><td><code>{esc(where)}</code></td><td>{esc(f.signature or '')}</td>"
        f"<td>{esc(f.cause)}</td><td>{esc(f.explanation)}<br><strong>Breaks:</strong> {esc(breaks(f))}"
        f"<br><em>{esc(f.fix or '')}</em></td></tr>"
        for f, where in _rows(report)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>driftaudit report</title>"
        "<style>body{font-family:sans-serif}td{vertical-align:top;padding:4px}"
        ".error td:nth-child(2){color:#b00}.warning td:nth-child(2){color:#a60}</style></head><body>"
        f"<h1>driftaudit: {esc(counted(len(report.findings), 'finding', 'findings'))}</h1>"
        f"<p><code>{esc(data['project']['database'])}</code> · Django {esc(data['project']['django_version'])}"
        f" · SQLite {esc(data['project']['sqlite_version'])}</p>"
        "<table><tr><th>id</th><th>severity</th><th>rule</th><th>kind</th><th>object</th>"
        f"<th>signature</th><th>cause</th><th>explanation</th></tr>{rows}</table></body></html>\n"
    )
