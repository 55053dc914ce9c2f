"""Phrases every human-readable format shares: where a finding is, what it breaks, where its
rule is documented. One place, so the text, markdown and HTML reports cannot drift apart."""

from __future__ import annotations

from driftaudit.config.rules import counted, rule_for

#: where ``tools/gen_rule_docs.py`` writes one page per rule, relative to the repository
RULE_DOCS = "docs/rules"


def location(finding) -> str:
    """``table.column``, else the migration or the app: the object a finding is about."""
    where = finding.table or finding.migration or finding.app or ""
    return where + (f".{finding.column}" if finding.column else "")


def breaks(finding) -> str:
    """What goes wrong for the user: the exact deletes the finding blocks, else the rule's words."""
    blocked = (finding.impact or {}).get("blocked_deletes") or []
    if not blocked:
        return rule_for(finding.kind).breaks
    parts = []
    for b in blocked:
        who = b["model"] or b["table"]
        column = b["column"] if b["count"] == 1 or not isinstance(b["column"], str) else f"{b['column']}s"
        more = b["count"] - len(b["pks"])
        parts.append(f"deleting {who} {column} {', '.join(map(str, b['pks']))}"
                     + (f" (+{more} more)" if more > 0 else "")
                     + f" fails {b['checked']} (FOREIGN KEY constraint failed)")
    return "; ".join(parts) + "."


def rule_help(rule_id: str) -> tuple[str, str]:
    """The command that explains a rule, and its page in the docs."""
    return f"driftaudit rules {rule_id}", f"{RULE_DOCS}/{rule_id}.md"


def findings_summary(report) -> str:
    """``9 findings: 5 errors, 3 warnings, 1 info`` (and how many are accepted, and where)."""
    by = {"error": 0, "warning": 0, "info": 0}
    for f in report.findings:
        by[f.severity] += 1
    accepted = sum(1 for f in report.findings if f.accepted)
    text = (f"{counted(len(report.findings), 'finding', 'findings')}: {counted(by['error'], 'error', 'errors')}, "
            f"{counted(by['warning'], 'warning', 'warnings')}, {by['info']} info")
    if accepted:
        text += f" ({accepted} accepted in {report.config.path})"
    return text


def databases_verdict(data: dict) -> str:
    """``3 databases: 1 clean, 1 with findings, 1 could not be audited``."""
    s = data["summary"]
    clean = s["databases"] - s["failed"] - s["with_findings"]
    parts = [f"{clean} clean", f"{s['with_findings']} with findings"]
    if s["failed"]:
        parts.append(f"{s['failed']} could not be audited")
    return f"{counted(s['databases'], 'database', 'databases')}: {', '.join(parts)}"
