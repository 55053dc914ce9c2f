"""``explain-delete`` verdicts as text for people and JSON for machines."""

from __future__ import annotations

from driftaudit.config.rules import counted, fill, join_values, read_catalog
from driftaudit.explain.delete import Verdict
from driftaudit.explain.rows import DEFAULT_SAMPLE


def _words() -> dict:
    return read_catalog("explain_delete.yaml") or {}


def render_text(v: Verdict) -> str:
    w = _words()
    lines = [fill(w["title"], model=v.model, pk=v.pk), ""]
    if v.refused:
        return "\n".join(lines + [fill(w["refused"], model=v.model, pk=v.pk, error=v.refused)]) + "\n"
    lines.append(w["plan"])
    for i, st in enumerate(v.statements, 1):
        shown = (", ".join(map(str, st.pks[:DEFAULT_SAMPLE])) or w["no_rows"]) + (" ..." if len(st.pks) > DEFAULT_SAMPLE else "")
        verb = f"UPDATE {st.table} SET {st.column} (null/default)" if st.action == "update" else f"DELETE FROM {st.table}"
        lines.append(f"  {i}. {verb}: {counted(len(st.pks), 'row', 'rows')} of {st.model} ({shown})")
    for action in v.database_actions:
        lines.append("  " + fill(w["database_action"], action=action))
    lines.append("")
    if v.succeeds:
        lines.append(fill(w["succeeds"], model=v.model, pk=v.pk))
        return "\n".join(lines) + "\n"
    lines.append(fill(w["fails"], model=v.model, pk=v.pk))
    for b in v.blockers:
        where = fill(w["at_statement"], number=b.statement) if b.statement else w["at_commit"]
        lines.append("  - " + fill(w["blocker"], child=b.child_table, rows=join_values(b.child_pks, b.count),
                                    count=b.count, column=", ".join(b.child_columns), parent=b.parent_table,
                                    parents=join_values(b.parent_pks, len(b.parent_pks)), where=where))
        lines.append("    " + fill(w["reasons"][b.reason], **b.words))
    return "\n".join(lines) + "\n"


def render_json(v: Verdict) -> dict:
    return {
        "model": v.model, "pk": v.pk, "would_succeed": v.succeeds, "refused_by_django": v.refused,
        "statements": [{"action": s.action, "table": s.table, "model": s.model, "column": s.column,
                        "count": len(s.pks), "pks": list(s.pks[:DEFAULT_SAMPLE])} for s in v.statements],
        "database_actions": v.database_actions,
        "blockers": [{"table": b.child_table, "columns": list(b.child_columns), "pks": list(b.child_pks),
                      "count": b.count, "references": {"table": b.parent_table, "pks": list(b.parent_pks)},
                      "checked": b.when, "statement": b.statement, "reason": b.reason,
                      "why": fill(_words()["reasons"][b.reason], **b.words)} for b in v.blockers],
    }

