"""The HTML report (``--format html``): one self-contained page for a CI artifact or a browser.

Everything the page needs is inside it: the style sheet and the small filter script
(``html_assets/``, package data read at render time) are inlined, and a Content-Security-Policy
allows exactly them (by hash) and nothing else - no CDN, no network, no other script. Every
text from the report goes through :func:`html.escape`; the script reads only ``data-``
attributes and the URL hash (``#severity=error&app=library``), so a filter is a link, and a
page opened with JavaScript off shows every finding and hides the inert filter bar.

Per root cause (:mod:`driftaudit.explain.groups`): what it left and blocks, the migrations of
its app as a timeline (applied, ghost, unapplied, with the record's UTC time; the group's
migrations marked), then each finding with its three sources side by side and the words that
differ between models and database highlighted (:mod:`difflib`), the rows it blocks or rejects,
its fix and code location. The next steps follow as commands, and the repair SQL when the
caller computed a proposal (``report --format html --with-repair``: what ``propose --sql``
prints, or the problems that stop the repair).
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
import shlex
from functools import lru_cache
from pathlib import Path

from driftaudit.config.rules import counted, load_causes
from driftaudit.repair.wording import say
from driftaudit.report.code_paths import code_location, source_root
from driftaudit.report.proposal_formats import render_sql
from driftaudit.report.words import breaks, findings_summary, rule_help

ASSETS = Path(__file__).resolve().parent / "html_assets"
SEVERITIES = ("error", "warning", "info")
SOURCES = ("models", "history", "database")
#: the filter value of findings without an app
NO_APP = "-"
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render_html(report, repair=None) -> str:
    """The page. ``repair``: a :class:`~driftaudit.repair.propose.Proposal` to show the repair
    SQL of (the caller computes it: the report layer never re-audits)."""
    style, script = asset("report.css"), asset("report.js")
    policy = (f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
              "img-src data:; base-uri 'none'; form-action 'none'")
    data = report.to_json()
    history = data.get("history") or {}
    root = source_root(report)
    title = (f"driftaudit: {counted(len(report.findings), 'finding', 'findings')} from "
             f"{counted(len(report.groups), 'cause', 'causes')}")
    body = [
        "<header>", f"<h1>{esc(title)}</h1>", _project(data), _summary(report), "</header>",
        _filters(report),
        "<main>",
        _index(report),
        *(_group(report, group, history, root) for group in report.groups),
        _ungrouped(report, root),
        _next_steps(report),
        _repair(report, repair),
        _history(report, history),
        "</main>",
        f"<footer>driftaudit {esc(data['tool']['version'])} · report schema {esc(data['schema_version'])}"
        " · times are UTC, as recorded in django_migrations</footer>",
    ]
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{esc(policy)}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{style}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{script}</script>\n</body></html>\n"
    )


# -- header, summary, filters, index -------------------------------------------------------------
def _project(data: dict) -> str:
    project = data["project"]
    database = f"<code>{esc(project['database'])}</code>" if project["database"] else "no database (--no-db)"
    return (f"<p class='meta'>{database} · settings <code>{esc(project['settings'])}</code>"
            f" · Django {esc(project['django_version'])} · SQLite {esc(project['sqlite_version'])}</p>")


def _apps(report) -> list[str]:
    return sorted({f.app or NO_APP for f in report.findings})


def _summary(report) -> str:
    by_severity = {s: sum(1 for f in report.findings if f.severity == s) for s in SEVERITIES}
    accepted = sum(1 for f in report.findings if f.accepted)
    cards = "".join(f"<div class='card {s}'><b>{by_severity[s]}</b>{esc(s)}</div>" for s in SEVERITIES)
    cards += f"<div class='card'><b>{len(report.groups)}</b>root {'cause' if len(report.groups) == 1 else 'causes'}</div>"
    cards += f"<div class='card'><b>{accepted}</b>accepted</div>"
    out = [f"<section id='summary'><p>{esc(findings_summary(report))}</p><div class='cards'>{cards}</div>"]
    if not report.findings:
        out.append("<p><strong>No drift:</strong> the models, the migration history and the database agree.</p>")
    else:
        rows = "".join(
            f"<tr><td>{esc(app)}</td>"
            + "".join(f"<td class='n'>{sum(1 for f in report.findings if (f.app or NO_APP) == app and f.severity == s)}</td>"
                      for s in SEVERITIES)
            + f"<td class='n'>{sum(1 for f in report.findings if (f.app or NO_APP) == app)}</td></tr>"
            for app in _apps(report))
        out.append("<table class='by-app'><tr><th>app</th>" + "".join(f"<th>{s}</th>" for s in SEVERITIES)
                   + f"<th>total</th></tr>{rows}</table>")
    return "".join(out) + "</section>"


def _filters(report) -> str:
    """The filter bar; ``hidden`` until the script shows it (it does nothing without the script)."""
    if not report.findings:
        return ""

    def box(name: str, value: str, label: str) -> str:
        return f"<label><input type='checkbox' name='{name}' value='{esc(value)}' checked> {esc(label)}</label>"

    severities = "".join(box("severity", s, s) for s in SEVERITIES)
    apps = "".join(box("app", app, "(no app)" if app == NO_APP else app) for app in _apps(report))
    return (f"<nav><form id='filters' hidden><fieldset><legend>severity</legend>{severities}</fieldset>"
            f"<fieldset><legend>app</legend>{apps}</fieldset><output id='shown'></output></form></nav>")


def _index(report) -> str:
    if not report.findings:
        return ""
    rows = []
    for f in report.findings:
        group = report.group_of(f.id)
        accepted = " <span class='badge accepted'>accepted</span>" if f.accepted else ""
        cause = f"<a href='#{esc(group.id)}'>{esc(group.id)}</a>" if group else ""
        rows.append(
            f"<tr class='index-row' data-severity='{esc(f.severity)}' data-app='{esc(f.app or NO_APP)}'>"
            f"<td><a href='#{esc(f.id)}'>{esc(f.id)}</a></td>"
            f"<td><span class='badge {esc(f.severity)}'>{esc(f.severity)}</span>{accepted}</td><td>{esc(f.rule)}</td>"
            f"<td>{esc(f.kind)}</td><td><code>{esc(f.subject)}</code></td><td>{esc(f.app or '')}</td>"
            f"<td>{cause}</td></tr>")
    return ("<section id='index'><h2>Findings</h2><table><tr><th>id</th><th>severity</th><th>rule</th><th>kind</th>"
            f"<th>object</th><th>app</th><th>cause</th></tr>{''.join(rows)}</table></section>")


# -- one root cause ------------------------------------------------------------------------------
def _group(report, group, history: dict, root: Path) -> str:
    findings = [f for f in report.findings if f.id in group.finding_ids]
    cause = load_causes().get(group.cause, {}).get("title", group.cause)
    facts = [("cause", f"{esc(cause)} <span class='muted'>({esc(group.cause)})</span>")]
    if group.migration:
        facts.append(("migration", f"<code>{esc(group.migration)}</code>"))
    if group.app:
        facts.append(("app", esc(group.app)))
    facts.append(("left", "; ".join(f"{esc(left.kind)}: " + ", ".join(f"<code>{esc(o)}</code>" for o in left.objects)
                                    for left in group.left)))
    if group.blocks:
        facts.append(("blocks", "; ".join(
            f"deleting {b.count} {esc(b.model or b.table)} row{'s' if b.count != 1 else ''} fails"
            + (f" (rows of <code>{esc(b.via)}</code> reference them)" if b.via else "") for b in group.blocks)))
    facts.append(("to do", esc(group.to_do)))
    apps = {group.app} if group.app else {f.app for f in findings if f.app}
    marked = _marked(findings)
    if group.migration:
        marked.setdefault(group.migration, [group.id])
    story = _timeline(history, apps, marked)
    return (f"<section class='group {esc(group.severity)}' id='{esc(group.id)}'>"
            f"<h2><span class='badge {esc(group.severity)}'>{esc(group.severity)}</span> {esc(group.id)} {esc(group.title)}</h2>"
            "<dl class='facts'>" + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts) + "</dl>"
            + (f"<details open><summary>The story: migrations of {esc(', '.join(sorted(apps)))}</summary>{story}</details>"
               if story else "")
            + "".join(_finding(report, f, root) for f in findings) + "</section>")


def _ungrouped(report, root: Path) -> str:
    """Findings no group tells (``report --no-db`` groups none), so that none is left out."""
    findings = [f for f in report.findings if report.group_of(f.id) is None]
    if not findings:
        return ""
    worst = max(findings, key=lambda f: f.rank).severity
    return (f"<section class='group {esc(worst)}' id='ungrouped'><h2>Findings</h2>"
            + "".join(_finding(report, f, root) for f in findings) + "</section>")


def _finding(report, f, root: Path) -> str:
    where = code_location(report, f.id, root)
    command, page = rule_help(f.rule)
    parts = [
        f"<article class='finding' id='{esc(f.id)}' data-severity='{esc(f.severity)}' data-app='{esc(f.app or NO_APP)}'>",
        f"<h3><span class='badge {esc(f.severity)}'>{esc(f.severity)}</span> {esc(f.id)} {esc(f.rule)} {esc(f.kind)} "
        f"<code>{esc(f.subject)}</code>" + (f" <span class='muted'>{esc(f.signature)}</span>" if f.signature else "") + "</h3>",
    ]
    if f.accepted:
        parts.append(f"<p><span class='badge accepted'>accepted</span> {esc(f.accepted)}</p>")
    parts += [f"<p>{esc(f.explanation)}</p>", f"<p><strong>Breaks:</strong> {esc(breaks(f))}</p>",
              _sources(f.sources), _makes(f.sources), _rows(f.impact)]
    if f.fix:
        parts.append(f"<p><strong>Fix:</strong> {esc(f.fix)}</p>")
    parts.append(f"<p class='muted'>{esc(f.rule)}: <code>{esc(command)}</code> · <code>{esc(page)}</code>"
                 + (f" · code: <code>{esc(where[0])}:{where[1]}</code>" if where else "") + "</p></article>")
    return "".join(p for p in parts if p)


def _sources(sources) -> str:
    """Models | history | database, the words models and database disagree on marked."""
    if not sources or all(sources.get(s) is None for s in SOURCES):
        return ""
    texts = {s: sources.get(s) for s in SOURCES}
    shown = {s: esc(t) if t is not None else "" for s, t in texts.items()}
    wanted = "models" if texts["models"] is not None else "history"
    if texts[wanted] is not None and texts["database"] is not None and texts[wanted] != texts["database"]:
        shown[wanted], shown["database"] = word_diff(str(texts[wanted]), str(texts["database"]))
    cells = "".join(
        f"<div class='source {s}'><h4>{s}</h4>"
        + (f"<pre>{shown[s]}</pre>" if texts[s] is not None else "<p class='absent'>absent</p>") + "</div>"
        for s in SOURCES)
    return f"<div class='sources'>{cells}</div>"


def word_diff(wanted: str, actual: str) -> tuple[str, str]:
    """Both texts escaped, the words only ``wanted`` has in ``<mark class=m>``, the words only
    ``actual`` has in ``<mark class=d>``."""
    a, b = _TOKENS.findall(wanted), _TOKENS.findall(actual)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        x, y = esc("".join(a[i1:i2])), esc("".join(b[j1:j2]))
        if op == "equal":
            left.append(x)
            right.append(y)
            continue
        if x:
            left.append(f"<mark class='m'>{x}</mark>")
        if y:
            right.append(f"<mark class='d'>{y}</mark>")
    return "".join(left), "".join(right)


def _makes(sources) -> str:
    """What an unapplied migration will make (the differences folded into its finding)."""
    made = (sources or {}).get("makes") or []
    if not made:
        return ""
    rows = "".join(
        f"<tr><td>{esc(m.get('kind'))}</td><td><code>{esc(m.get('table'))}{'.' + esc(m['column']) if m.get('column') else ''}"
        "</code></td>" + "".join(f"<td><code>{esc(m.get(s) or '')}</code></td>" for s in SOURCES) + "</tr>"
        for m in made)
    return ("<table class='makes'><tr><th>it makes</th><th>object</th><th>models</th><th>history</th><th>database</th>"
            f"</tr>{rows}</table>")


def _sample(pks, count) -> str:
    pks = list(pks or ())
    more = (count or 0) - len(pks)
    return esc(", ".join(map(str, pks))) + (f" (+{more} more)" if more > 0 else "")


def _rows(impact) -> str:
    """The rows a finding blocks or that stop its repair, with counts and sample keys."""
    impact = impact or {}
    rows = []  # (what, table, count, sample pks)
    for b in impact.get("blocked_deletes") or ():
        rows.append((f"deletes blocked {b.get('checked', '')} (referenced by <code>{esc(b.get('via'))}</code>)",
                     b.get("model") or b["table"], b["count"], _sample(b.get("pks"), b["count"])))
    parents = impact.get("missing_parents")
    if parents:
        missing = ", ".join(map(str, parents.get("values") or ()))
        rows.append((f"orphans: no <code>{esc(parents['table'])}</code> row with {esc(parents.get('column'))} "
                     f"{esc(missing)}", "", impact.get("rows"), _sample(impact.get("pks"), impact.get("rows"))))
    for dup in impact.get("duplicates") or ():
        rows.append((f"duplicates of {esc(', '.join(map(str, dup['values'])))}", "", dup["count"],
                     _sample(dup["pks"], dup["count"])))
    if impact.get("rejected_by"):
        rows.append((f"rejected by <code>{esc(impact['rejected_by'])}</code>", "", impact.get("rows"),
                     _sample(impact.get("pks"), impact.get("rows"))))
    missing_table = impact.get("rows_referencing_missing_table")
    if missing_table:
        rows.append((f"rows pointing at the missing table <code>{esc(missing_table['table'])}</code>", "",
                     missing_table["count"], ""))
    if not rows:
        return ""
    body = "".join(f"<tr><td>{what}</td><td>{esc(table)}</td><td class='n'>{esc(count)}</td><td>{sample}</td></tr>"
                   for what, table, count, sample in rows)
    return f"<table class='rows'><tr><th>rows</th><th>of</th><th>count</th><th>sample keys</th></tr>{body}</table>"


# -- history, next steps, repair -----------------------------------------------------------------
def _marked(findings) -> dict[str, list[str]]:
    """Migration label -> the ids of the findings about it."""
    marked: dict[str, list[str]] = {}
    for f in findings:
        if f.migration:
            marked.setdefault(f.migration, []).append(f.id)
    return marked


def _timeline(history: dict, apps: set | None, marked: dict) -> str:
    """The migrations (of ``apps``; all when None) in the order they were recorded, then those
    not applied; each with its state and UTC time, ``marked`` ones (label -> ids) marked."""
    times = history.get("recorded_at") or {}
    entries = [(label, "applied") for label in history.get("applied") or ()]
    entries += [(label, "ghost") for label in history.get("ghost") or ()]
    if apps is not None:
        entries = [e for e in entries if e[0].split(".", 1)[0] in apps]
    position = {label: i for i, (label, _) in enumerate(entries)}
    entries.sort(key=lambda e: (times.get(e[0]) is None, times.get(e[0]) or "", position[e[0]]))
    entries += [(label, "unapplied") for label in history.get("unapplied") or ()
                if apps is None or label.split(".", 1)[0] in apps]
    if not entries:
        return ""
    words = {"applied": "applied", "ghost": "ghost: recorded, no file", "unapplied": "not applied"}
    items = []
    for label, state in entries:
        mark = marked.get(label)
        name = f"<mark class='this'>{esc(label)}</mark> ← {esc(', '.join(mark))}" if mark else esc(label)
        when = times.get(label)
        stamp = f"<time>{esc(when)}</time>" if when else "<time>no record</time>" if state == "unapplied" else "<time>—</time>"
        items.append(f"<li class='{state}{' marked' if mark else ''}'>{stamp}<code>{name}</code>"
                     f"<span class='state'>{words[state]}</span></li>")
    return f"<ol class='timeline'>{''.join(items)}</ol>"


def _history(report, history: dict) -> str:
    story = _timeline(history, None, _marked(report.findings))
    if not story:
        return ""
    counts = ", ".join(f"{len(history.get(k) or ())} {k}" for k in ("applied", "ghost", "unapplied"))
    return f"<section id='history'><details><summary><strong>Migration history</strong> ({counts})</summary>{story}</details></section>"


def _next_steps(report) -> str:
    if not report.next_steps:
        return ""
    items = "".join(
        f"<li><pre class='cmd'><code>$ {esc(shlex.join(step['argv']))}</code></pre>{esc(step['why'])}</li>"
        if step.get("argv") else f"<li>By hand: {esc(step['why'])}</li>" for step in report.next_steps)
    return f"<section id='next-steps'><h2>Next steps</h2><ol class='steps'>{items}</ol></section>"


def _repair(report, repair) -> str:
    propose = next((s["argv"] for s in report.next_steps if (s.get("argv") or [])[1:2] == ["propose"]), None)
    if repair is None:
        if propose is None:
            return ""
        return ("<section id='repair'><h2>Repair SQL</h2><p>Not computed for this report. "
                f"<code>{esc(shlex.join([*propose, '--sql']))}</code> prints it (nothing is written); "
                "<code>--with-repair</code> adds it to this page.</p></section>")
    plan = repair.plan
    if plan.problems:
        blocked = any(p.kind == "history" for p in plan.problems)
        items = "".join(f"<li>{esc(p.text)}" + (f"<pre class='cmd'><code>$ {esc(shlex.join(p.argv))}</code></pre>"
                                                 if p.argv else "") + "</li>" for p in plan.problems)
        return (f"<section id='repair'><h2>Repair SQL</h2><p>{esc(say('message', 'blocked' if blocked else 'refused'))}</p>"
                f"<ul class='problems'>{items}</ul></section>")
    if not repair.files:
        return f"<section id='repair'><h2>Repair SQL</h2><p>{esc(say('message', 'nothing'))}</p></section>"
    lines = "\n".join(f"<span class='c'>{esc(line)}</span>" if line.startswith("--") else esc(line)
                      for line in render_sql(repair).splitlines())
    command = esc(shlex.join([*(propose or ["driftaudit", "propose"]), "--sql"]))
    return ("<section id='repair'><h2>Repair SQL</h2><p>What the repair migration runs, in order "
            f"(<code>{command}</code>; nothing was written):</p><pre class='sql'>{lines}</pre></section>")
