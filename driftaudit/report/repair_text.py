"""What ``propose`` and ``verify`` tell the user: problems that stop a proposal, and the
verdict of a proposal tried on a copy. Every sentence comes from ``rules/repair.yaml``."""

from __future__ import annotations

from pathlib import Path

from driftaudit.repair.plan import Plan
from driftaudit.repair.verify import Verification
from driftaudit.repair.wording import say


def render_problems(plan: Plan) -> str:
    """The problems that stop the proposal, under the header that says whose move it is."""
    blocked = any(p.kind == "history" for p in plan.problems)
    lines = [say("message", "blocked" if blocked else "refused")]
    lines += [f"  - {problem.text}" for problem in plan.problems]
    return "\n".join(lines) + "\n"


def render_verification(v: Verification) -> str:
    """The rows per table, then the verdict; a failed verdict lists every reason under it."""
    proposal = v.proposal
    lines = [f"proposed: {Path(path).relative_to(proposal.root)}" for path in proposal.files]
    lines += [f"written, not applied yet: {Path(path).relative_to(proposal.root)}" for path in proposal.written]
    if not proposal.counted:
        lines.append("(the written repair records no row counts: rows are listed, not checked)")
    if v.migrate_error is not None:
        lines += [say("message", "verify_failed"), "  " + say("message", "verify_migrate", error=v.migrate_error)]
        return "\n".join(lines) + "\n"
    lines.append(f"\n{'table':<48} {'before':>8} {'after':>8}  note")
    for row in v.rows:
        note = row.note if row.ok else f"EXPECTED {row.expected} " + row.note
        before = "-" if row.before is None else row.before
        after = "-" if row.after is None else row.after
        lines.append(f"{row.table:<48} {before:>8} {after:>8}  {note}".rstrip())
    lines.append("")
    if v.ok:
        return "\n".join(lines + [say("message", "verify_ok")]) + "\n"
    lines.append(say("message", "verify_failed"))
    if v.makemigrations is not None:
        lines.append("  " + say("message", "verify_makemigrations", output=v.makemigrations))
    if v.reaudit_error is not None:
        lines.append("  re-audit failed: " + v.reaudit_error)
    if v.remaining:
        lines.append("  " + say("message", "verify_findings", count=len(v.remaining)))
        for f in v.remaining:
            where = ".".join(x for x in (f["table"], f["column"]) if x) or f["migration"] or ""
            lines.append(f"    {f['severity']:<7} {f['rule']} {f['kind']} {where}")
    for row in v.rows:
        if not row.ok:
            lines.append("  " + say("message", "verify_rows", table=row.table, before=row.before, after=row.after,
                                    expected=row.expected, why=row.note or "no repair step explains it"))
    return "\n".join(lines) + "\n"
