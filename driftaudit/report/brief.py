"""Findings in a line each, for places that show them beside other output.

Django's system check prints a message and a hint per problem, a failing pytest assertion a
short list: neither has room for the full story of ``driftaudit report``, so both say what is
wrong and where in one line, what to run next, and which command tells the rest.
"""

from __future__ import annotations

import shlex

from driftaudit.config.rules import counted, rule_for


def location(finding) -> str:
    """Where the finding is: ``table.column`` or the table; for a history finding (DA3xx) its
    migration first; else the app."""
    table = f"{finding.table}.{finding.column}" if finding.table and finding.column else finding.table
    first = (finding.migration, table) if finding.rule.startswith("DA3") else (table, finding.migration)
    return next((where for where in (*first, finding.app) if where), "")


def headline(finding) -> str:
    """``Table exists only in the database: appname_old (cause: rewritten-migration)``."""
    text = f"{rule_for(finding.kind).title}: {location(finding)}"
    return text if finding.cause in (None, "unknown") else f"{text} (cause: {finding.cause})"


def steps_sentence(next_steps: list[dict]) -> str:
    """The report's ``next_steps`` as one sentence, each command as it is to be typed."""
    parts = [f"`{shlex.join(step['argv'])}`" if step["argv"] else step["why"] for step in next_steps]
    return ", then ".join(parts)


def hint(finding, next_steps: list[dict], report_argv: list[str]) -> str:
    """The commands to run from the project folder (else the rule's fix), and where the whole
    story is."""
    steps = steps_sentence(next_steps)
    todo = f"Run from the project folder: {steps}." if steps else (finding.fix or rule_for(finding.kind).fix)
    return f"{todo} The whole story: `{shlex.join(report_argv)}`; the rule: `driftaudit rules {finding.rule}`."


def render_brief(report, findings: list, fail_on: str, report_argv: list[str]) -> str:
    """A short report of ``findings`` (those at or above ``fail_on``) with what to run next."""
    lines = [f"driftaudit: {counted(len(findings), 'finding', 'findings')} at or above {fail_on} in "
             f"{report.database_path or report.database}:"]
    for f in findings:
        lines.append(f"  {f.id} {f.severity.upper():<7} {f.rule}  {headline(f)}")
    steps = steps_sentence(report.next_steps)
    if steps:
        lines.append(f"next, from the project folder: {steps}")
    lines.append(f"the full report: {shlex.join(report_argv)}")
    return "\n".join(lines)
