"""The text report for people, in the terminal or a log: root causes told once, then the
findings grouped by app and table.

Compact by default, like ruff or pytest: per finding one headline (what, where, why) and one
"to do", then the rule's id with where to read about it. ``verbose`` tells the whole story
instead: what differs and why (evidence several findings share is told once), what it breaks,
what to do. A summary table and the next commands end both.

Rendered with rich into a string at a fixed width: every line fits ``width`` (a long word is
folded; only a shell word longer than the width is left whole, so commands work as printed).
Colour is the caller's decision (:mod:`driftaudit.report.terminal`); without it the text has
no escape code at all.
"""

from __future__ import annotations

import re
import shlex
from collections import Counter

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from driftaudit import __version__
from driftaudit.config.rules import counted, rule_for
from driftaudit.report.terminal import PIPE_WIDTH, string_console
from driftaudit.report.words import breaks, findings_summary, rule_help

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
SEVERITY_WIDTH = 7  # "WARNING"
INDENT = 2
#: kinds whose ``count`` is rows of the table (for others it counts e.g. parent keys)
COUNTS_ROWS = frozenset({"stale-table", "orphan-rows", "duplicate-rows", "null-rows", "check-violation-rows"})
#: spaces and SGR codes at the end of a line: rich pads table cells to their width
_TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")


def render_text(report, width: int = PIPE_WIDTH, color: bool = False, verbose: bool = False) -> str:
    """The report as text ``width`` columns wide; ANSI styles only with ``color``."""
    console = string_console(width, color)
    data = report.to_json()
    project = data["project"]
    console.print(Text.assemble(("driftaudit", "bold"), f" {__version__} · {project['database'] or 'no database (--no-db)'}"))
    console.print(Text(f"settings {project['settings']} · Django {project['django_version']} · "
                       f"SQLite {project['sqlite_version']}", style="dim"))
    console.print()
    if not report.findings:
        console.print(Text("No drift: models, migration history and database agree.", style="green"))
    else:
        story = _Story(max(len(f.id) for f in report.findings), verbose)
        causes = [g for g in report.groups if len(g.finding_ids) > 1]
        if causes:  # one story per root cause first, its parts listed by table below
            console.print(Text("causes", style="bold underline"))
            for group in causes:
                console.print(Padding(_cause(group, max(len(g.id) for g in causes), verbose), (0, 0, 0, INDENT)))
            console.print()
        for (app, table), findings in _groups(report.findings):
            console.print(_group_title(app, table))
            for f in findings:
                console.print(Padding(story.finding(f, subject=_subject(f, table)), (0, 0, 0, INDENT)))
            console.print()
        console.print(_summary_table(report.findings))
    console.print(Text(findings_summary(report), style="bold"))
    if report.next_steps:
        console.print()
        console.print(Text("next:", style="bold"))
        for step in report.next_steps:
            console.print(_next_step(step, width))
    return "".join(_rstrip(line) for line in console.file.getvalue().splitlines(keepends=True))


def _rstrip(line: str) -> str:
    """``line`` without trailing blanks, keeping the escape codes among them (a style reset)."""
    end = "\n" if line.endswith("\n") else ""
    body = line[:len(line) - len(end)]
    match = _TRAILING.search(body)
    if match is None:
        return line
    return body[:match.start()] + "".join(re.findall(r"\x1b\[[0-9;]*m", match.group())) + end


class _Story:
    """One finding as rich renderables; remembers evidence already told (``verbose``)."""

    def __init__(self, id_width: int, verbose: bool):
        self.id_width = id_width
        self.verbose = verbose
        self.told: dict[str, str] = {}  # evidence sentence -> id of the finding that told it

    def finding(self, f, subject: str) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=self.id_width, no_wrap=True)
        grid.add_column(width=SEVERITY_WIDTH, no_wrap=True)
        grid.add_column()
        severity = Text(f.severity.upper(), style="dim" if f.accepted else SEVERITY_STYLE[f.severity])
        grid.add_row(Text(f.id, style="bold"), severity, _headline(f, subject))
        if self.verbose:
            grid.add_row("", "", self._narrative(f))
        elif f.fix or f.accepted:
            rows = [("to do", f.fix)] if f.fix else []
            grid.add_row("", "", _labelled(rows + ([("accepted", f.accepted)] if f.accepted else [])))
        command, page = rule_help(f.rule)
        grid.add_row("", "", Text.assemble((f.rule, "bold cyan"), " · ", (command, "cyan"), " · ", (page, "cyan"),
                                           style="dim"))
        return grid

    def _narrative(self, f) -> Table:
        rows = [("what", self._explanation(f)), ("breaks", breaks(f))]
        if f.fix:
            rows.append(("to do", f.fix))
        if f.accepted:
            rows.append(("accepted", f.accepted))
        return _labelled(rows)

    def _explanation(self, f) -> str:
        """The explanation, with evidence an earlier finding told replaced by a pointer to it."""
        sentence = (f.extra or {}).get("provenance") or ""
        if not sentence or sentence not in f.explanation:
            return f.explanation
        first = self.told.setdefault(sentence, f.id)
        if first == f.id:
            return f.explanation
        because = f"{f.cause}: {f.migration}" if f.migration else f.cause
        return f.explanation.replace(sentence, f"Same cause as {first} ({because}).")


def _headline(f, subject: str) -> Text:
    text = Text(overflow="fold")
    if subject:
        text.append(subject, style="bold")
        text.append("  ")
    text.append(rule_for(f.kind).title)
    if f.count and f.kind in COUNTS_ROWS:
        text.append(f" · {counted(f.count, 'row', 'rows')}")
    why = f"{f.kind}, cause: {f.cause}" + (f", {f.signature}" if f.signature else "")
    text.append(f"  ({why})", style="dim")
    if f.accepted:
        text.append("  (accepted)", style="bold green")
    return text


def _labelled(rows: list[tuple[str, str]]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(width=max(len(label) for label, _ in rows), no_wrap=True, style="dim")
    grid.add_column()
    for label, value in rows:
        grid.add_row(label, Text(value, overflow="fold"))  # a long name folds, never "…"
    return grid


# -- root causes -------------------------------------------------------------------------------
def _cause(group, id_width: int, verbose: bool) -> Table:
    """A root cause with several findings, told once: the one thing to do (``verbose``: also
    what it left and what it blocks)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=id_width, no_wrap=True)
    grid.add_column(width=SEVERITY_WIDTH, no_wrap=True)
    grid.add_column()
    head = Text(group.title, overflow="fold")
    head.append(f"  ({group.cause} · {', '.join(group.finding_ids)})", style="dim")
    grid.add_row(Text(group.id, style="bold"), Text(group.severity.upper(), style=SEVERITY_STYLE[group.severity]),
                 head)
    rows = [("left", "; ".join(f"{left.kind}: {', '.join(left.objects)}" for left in group.left))] if verbose else []
    if group.blocks and verbose:
        rows.append(("breaks", "; ".join(
            f"deleting {counted(b.count, 'row', 'rows')} of {b.model or b.table} fails"
            + (f" (rows of {b.via} reference them)" if b.via else "") for b in group.blocks)))
    rows.append(("to do", group.to_do))
    grid.add_row("", "", _labelled([r for r in rows if r[1]]))
    return grid


# -- grouping ----------------------------------------------------------------------------------
def _groups(findings) -> list[tuple[tuple[str, str], list]]:
    """Findings by (app, table), the group of the most severe finding first; the report's
    order (severity, then kind) inside each group."""
    groups: dict[tuple[str, str], list] = {}
    for f in findings:
        groups.setdefault((f.app or "", f.table or ""), []).append(f)
    return list(groups.items())


def _group_title(app: str, table: str) -> Text:
    if table:
        return Text.assemble((table, "bold underline"), (f"  app {app}" if app else "", "dim"))
    if app:
        return Text.assemble((f"app {app}", "bold underline"), ("  migration history", "dim"))
    return Text("project", style="bold underline")


def _subject(f, table: str) -> str:
    """What inside the group the finding is about: a column, a migration, or the table itself."""
    if f.column:
        return f.column
    if f.migration and (not table or rule_for(f.kind).id.startswith("DA3")):
        return f.migration
    return ""


# -- the end -----------------------------------------------------------------------------------
def _summary_table(findings) -> Table:
    counts = Counter((f.rank, f.rule, f.kind, f.severity) for f in findings)
    accepted = Counter((f.rank, f.rule, f.kind, f.severity) for f in findings if f.accepted)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("rule", no_wrap=True)
    table.add_column("kind")
    table.add_column("severity", no_wrap=True)
    table.add_column("findings", justify="right", no_wrap=True)
    if accepted:
        table.add_column("accepted", justify="right", no_wrap=True)
    for key in sorted(counts, key=lambda k: (-k[0], k[1])):
        _, rule, kind, severity = key
        row = [Text(rule, style="cyan"), kind, Text(severity, style=SEVERITY_STYLE[severity]), str(counts[key])]
        table.add_row(*row, *([str(accepted[key])] if accepted else []))
    return table


def _next_step(step: dict, width: int):
    if not step["argv"]:
        return Padding(_labelled([("by hand", step["why"])]), (0, 0, 0, INDENT))
    lines = shell_lines(step["argv"], width - INDENT - 4)  # "$ " or a continuation's indent
    text = Text(no_wrap=True, overflow="ignore")
    for i, line in enumerate(lines):
        text.append("\n" if i else "")
        text.append(("$ " if i == 0 else "    ") + line, style="green")
    return Padding(text, (0, 0, 0, INDENT))


def shell_lines(argv: list[str], width: int) -> list[str]:
    """A command split at word boundaries into lines that fit ``width``, joined by `` \\``:
    pasted into a shell it is still the one command. A single word wider than ``width`` stays
    whole (a path cannot be folded and still work)."""
    words = [shlex.quote(a) for a in argv]
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and len(candidate) + 2 > width:  # room for " \"
            lines.append(current + " \\")
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines

