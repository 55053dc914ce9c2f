"""The report of several databases, in every format: each database in brief, then the
aggregate ("DA101 stale-table appname_x: 37 of 200 databases").

Text, markdown and HTML are rendered from the multi-database JSON
(:func:`driftaudit.explain.many.many_json`), so they say exactly what it says. Per database
they give one line per finding (id, severity, rule, kind, object); a database's whole story is
``driftaudit report --db FILE --verbose``, which the text names. SARIF and GitHub workflow
commands are in :mod:`driftaudit.report.many_ci`.
"""

from __future__ import annotations

import html
import json
import os
import shlex

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from driftaudit import __version__
from driftaudit.config.rules import counted
from driftaudit.explain.finding import MIGRATION_KINDS
from driftaudit.explain.many import many_json
from driftaudit.report.jsonl import aggregate_lines, database_lines
from driftaudit.report.terminal import PIPE_WIDTH, string_console
from driftaudit.report.text import SEVERITY_STYLE, _rstrip
from driftaudit.report.words import databases_verdict as verdict

#: findings listed per database in text and markdown before "... and N more"
LISTED = 50


def render_many(audits, fmt: str, **text_options) -> str:
    """``audits`` (:class:`~driftaudit.explain.many.DatabaseAudit`, any order) in ``fmt``."""
    if fmt in ("sarif", "github"):
        from driftaudit.report.many_ci import render_many_github, render_many_sarif

        return (render_many_sarif if fmt == "sarif" else render_many_github)(audits)
    data = many_json([a.to_json() for a in audits])
    if fmt == "text":
        return render_many_text(data, **text_options)
    return {"json": render_many_json, "markdown": render_many_markdown, "html": render_many_html,
            "jsonl": render_many_jsonl}[fmt](data)


def render_many_json(data: dict) -> str:
    return json.dumps(data, indent=2, default=str) + "\n"


def render_many_jsonl(data: dict) -> str:
    return "".join(database_lines(e) for e in data["databases"]) + aggregate_lines(data["aggregate"])


def _entry_path(entry: dict) -> str:
    return entry["database"] if "error" in entry else entry["project"]["database"]


def shown(path: str) -> str:
    """A database as the text shows it: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    except ValueError:  # another drive (Windows)
        return path


def _object(row: dict) -> str:
    """What a finding or an aggregate row is about: the migration for a history finding, else
    ``table.column``."""
    if row["kind"] in MIGRATION_KINDS and row.get("migration"):
        return row["migration"]
    return ".".join(x for x in (row.get("table"), row.get("column")) if x) or row.get("migration") or ""


# -- text --------------------------------------------------------------------------------------
def render_many_text(data: dict, width: int = PIPE_WIDTH, color: bool = False, verbose: bool = False) -> str:
    console = string_console(width, color)
    first = next((e for e in data["databases"] if "error" not in e), None)
    console.print(Text.assemble(("driftaudit", "bold"), f" {__version__} · "
                                f"{counted(len(data['databases']), 'database', 'databases')}"))
    if first:
        p = first["project"]
        console.print(Text(f"settings {p['settings']} · Django {p['django_version']} · SQLite {p['sqlite_version']}",
                           style="dim"))
    console.print()
    for entry in data["databases"]:
        console.print(_database_block(entry, verbose))
    if data["aggregate"]:
        console.print(Text("aggregate", style="bold underline"))
        console.print(_aggregate_table(data))
        console.print()
    console.print(Text(verdict(data), style="bold"))
    drifted = next((e for e in data["databases"] if "error" not in e and e["findings"]), None)
    if drifted:
        argv = ["driftaudit", "report", "--db", shown(drifted["project"]["database"]), "--verbose"]
        console.print(Text.assemble("one database's whole story: ", (f"$ {shlex.join(argv)}", "green")))
    return "".join(_rstrip(line) for line in console.file.getvalue().splitlines(keepends=True))


def _database_block(entry: dict, verbose: bool) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column()
    path = shown(_entry_path(entry))
    if "error" in entry:
        grid.add_row(Text.assemble((path, "bold"), "  ", ("could not audit", "bold red")))
        grid.add_row(Padding(Text(entry["error"], overflow="fold"), (0, 0, 0, 2)))
        grid.add_row("")
        return grid
    s = entry["summary"]
    sev = s["by_severity"]
    if not entry["findings"]:
        grid.add_row(Text.assemble((path, "bold"), "  ", ("no drift", "green")))
        grid.add_row("")
        return grid
    grid.add_row(Text.assemble((path, "bold"), "  ", (f"{counted(s['findings'], 'finding', 'findings')}: "
                                                      f"{counted(sev['error'], 'error', 'errors')}, "
                                                      f"{counted(sev['warning'], 'warning', 'warnings')}, "
                                                      f"{sev['info']} info", "dim")))
    findings = entry["findings"] if verbose else entry["findings"][:LISTED]
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True)
    rows.add_column(no_wrap=True)
    rows.add_column(no_wrap=True)
    rows.add_column()
    for f in findings:
        rows.add_row(f"  {f['id']}", Text(f["severity"].upper(), style=SEVERITY_STYLE[f["severity"]]),
                     Text(f["rule"], style="cyan"),
                     Text(f"{f['kind']} {_object(f)}" + ("  (accepted)" if f["accepted"] else ""), overflow="fold"))
    grid.add_row(rows)
    if len(entry["findings"]) > len(findings):
        grid.add_row(Text(f"  ... and {len(entry['findings']) - len(findings)} more (--verbose lists them all)",
                          style="dim"))
    grid.add_row("")
    return grid


def _aggregate_table(data: dict) -> Table:
    audited = data["summary"]["databases"] - data["summary"]["failed"]
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("rule", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("object", overflow="fold")
    table.add_column("databases", justify="right", no_wrap=True)
    for row in data["aggregate"]:
        table.add_row(Text(row["rule"], style="cyan"), row["kind"], _object(row), f"{row['count']} of {audited}")
    return table


# -- markdown and HTML ---------------------------------------------------------------------------
def render_many_markdown(data: dict) -> str:
    audited = data["summary"]["databases"] - data["summary"]["failed"]
    out = [f"## driftaudit: {verdict(data)}", ""]
    if data["aggregate"]:
        out += ["| rule | kind | object | databases |", "|---|---|---|---|"]
        out += [f"| {r['rule']} | {r['kind']} | `{_object(r)}` | {r['count']} of {audited} |" for r in data["aggregate"]]
        out.append("")
    out += ["| database | errors | warnings | info |", "|---|---|---|---|"]
    for entry in data["databases"]:
        if "error" in entry:
            out.append(f"| `{entry['database']}` | could not audit: {entry['error']} | | |")
        else:
            sev = entry["summary"]["by_severity"]
            out.append(f"| `{_entry_path(entry)}` | {sev['error']} | {sev['warning']} | {sev['info']} |")
    out.append("")
    for entry in data["databases"]:
        if "error" in entry or not entry["findings"]:
            continue
        out += [f"<details><summary><code>{html.escape(_entry_path(entry))}</code>: "
                f"{counted(len(entry['findings']), 'finding', 'findings')}</summary>", "",
                "| id | severity | rule | kind | object | cause |", "|---|---|---|---|---|---|"]
        out += [f"| {f['id']} | {f['severity']} | {f['rule']} | {f['kind']} | `{_object(f)}` | {f['cause']} |"
                for f in entry["findings"][:LISTED]]
        if len(entry["findings"]) > LISTED:
            out.append(f"| | | | ... and {len(entry['findings']) - LISTED} more | | |")
        out += ["", "</details>", ""]
    return "\n".join(out) + "\n"


def render_many_html(data: dict) -> str:
    esc = html.escape
    audited = data["summary"]["databases"] - data["summary"]["failed"]
    aggregate = "".join(f"<tr><td>{esc(r['rule'])}</td><td>{esc(r['kind'])}</td><td><code>{esc(_object(r))}</code></td>"
                        f"<td>{r['count']} of {audited}</td></tr>" for r in data["aggregate"])
    sections = []
    for entry in data["databases"]:
        path = esc(_entry_path(entry))
        if "error" in entry:
            sections.append(f"<section class='error'><h2><code>{path}</code></h2><p>could not audit: "
                            f"{esc(entry['error'])}</p></section>")
            continue
        rows = "".join(f"<tr class='{esc(f['severity'])}'><td>{esc(f['id'])}</td><td>{esc(f['severity'])}</td>"
                       f"<td>{esc(f['rule'])}</td><td>{esc(f['kind'])}</td><td><code>{esc(_object(f))}</code></td>"
                       f"<td>{esc(f['explanation'])}</td></tr>" for f in entry["findings"])
        body = (f"<table><tr><th>id</th><th>severity</th><th>rule</th><th>kind</th><th>object</th><th>explanation"
                f"</th></tr>{rows}</table>") if rows else "<p>no drift</p>"
        sections.append(f"<section><h2><code>{path}</code></h2>{body}</section>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>driftaudit report</title>"
            "<style>body{font-family:sans-serif}td{vertical-align:top;padding:4px}"
            ".error td:nth-child(2){color:#b00}.warning td:nth-child(2){color:#a60}</style></head><body>"
            f"<h1>driftaudit: {esc(verdict(data))}</h1>"
            "<table><tr><th>rule</th><th>kind</th><th>object</th><th>databases</th></tr>"
            f"{aggregate}</table>{''.join(sections)}</body></html>\n")
