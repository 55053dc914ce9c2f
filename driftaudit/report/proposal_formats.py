"""``propose --sql`` and ``propose --format json``: the repair as SQL to read, and as data.

``--sql`` is to a repair what ``manage.py sqlmigrate`` is to a migration: the statements the
migration runs, in order, each under the sentence that says why - nothing is written. Faked
migrations the repair replays run Django's own operations, whose SQL Django renders at
``migrate`` time (``sqlmigrate`` shows it); state operations run no SQL.

The JSON is for CI and editors: every file with its operations, the rows each fix policy moves,
the problems that stop the proposal (with the command that does the step, when one does), and
the row counts the repair expects per table.
"""

from __future__ import annotations

from pathlib import Path

from driftaudit.repair.propose import Proposal
from driftaudit.repair.rebuild_sql import repair_sql

SCHEMA_VERSION = "2"


def render_sql(proposal: Proposal) -> str:
    lines = []
    for repair in proposal.plan.repairs:
        lines.append(f"-- {_relative(proposal, repair.path)} (app '{repair.app}', {repair.role})")
        ops = repair_sql(repair)
        for op in ops:
            lines.append(f"-- {op.summary or op.comment}")
            lines += [f"{statement};" for statement in op.sql]
        for replay in repair.replays:
            for app, name in replay.migrations:
                lines.append(f"-- then the operations of {app}.{name}, recorded as applied (--fake) and never "
                             f"run: `python manage.py sqlmigrate {app} {name}` shows their SQL")
        if not ops and not repair.replays:
            lines.append("-- no SQL: state operations only (what makemigrations would write)")
        lines.append("")
    return "\n".join(lines)


def proposal_json(proposal: Proposal, written: list[Path] | None = None) -> dict:
    plan = proposal.plan
    return {
        "schema_version": SCHEMA_VERSION,
        "written": [str(p) for p in written or []],
        "files": [{
            "path": str(repair.path),
            "app": repair.app,
            "name": repair.name,
            "role": repair.role,
            "operations": [{"summary": op.summary or op.comment, "sql": list(op.sql),
                            "reverse_sql": None if op.reverse is None else list(op.reverse),
                            "irreversible": op.irreversible or None}
                           for op in repair_sql(repair)],
            "replays": [f"{app}.{name}" for replay in repair.replays for app, name in replay.migrations],
            "row_fixes": [{"table": fix.table, "kind": fix.kind, "count": fix.count, "moved_to": fix.backup,
                           "reason": fix.reason or None} for fix in repair.row_fixes],
        } for repair in plan.repairs],
        "problems": [{"table": p.table, "kind": p.kind, "text": p.text, "argv": list(p.argv) or None}
                     for p in plan.problems],
        "expected_rows": plan.expected_rows,
        "pending": list(proposal.pending),
    }


def _relative(proposal: Proposal, path: Path) -> str:
    try:
        return str(Path(path).relative_to(proposal.root))
    except ValueError:
        return str(path)
