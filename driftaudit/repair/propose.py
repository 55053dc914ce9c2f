"""``driftaudit propose``: plan the repair of an audit and render it as migration files.

The audited database is only read here (the same read-only connection as the audit); the
files are written only by :meth:`Proposal.write`, and only when the plan has no problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from driftaudit.errors import AuditError
from driftaudit.explain.finding import Finding
from driftaudit.repair.build import build_plan
from driftaudit.repair.plan import Plan
from driftaudit.repair.wording import say
from driftaudit.repair.writer import ROWS_CONSTANT, render_migration, run_formatters
from driftaudit.schema.read import AuditInput
from driftaudit.sources.history import History


@dataclass(frozen=True)
class Proposal:
    """What ``propose`` would write: the plan and, when it has no problem, the files."""

    plan: Plan
    files: dict  # Path -> text
    database_path: str
    root: Path
    pending: tuple = ()  # migrations not applied yet ("app.name")
    #: a repair ``propose`` already wrote (and not applied): its files, in the project already
    written: tuple[Path, ...] = ()
    #: the written files recorded the row counts to expect (older repair files did not)
    counted: bool = True

    def write(self) -> list[Path]:
        """Write the files, in order; none is written if any of them exists already."""
        for path in self.files:
            if path.exists():
                raise AuditError(say("problem", "exists", path=path))
        written = []
        for path, text in self.files.items():
            try:
                path.parent.mkdir(exist_ok=True)
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise AuditError(f"cannot write {path}: {exc.strerror}") from None
            written.append(path)
        run_formatters(path for path in written if path.name != "__init__.py")
        return written


def make_proposal(audit: AuditInput, findings: list[Finding], app: str | None = None,
                  name: str | None = None) -> Proposal:
    """Everything ``propose`` would write for the audit's ``findings``, without writing it."""
    history = audit.sources.history
    _no_pending_repair(history)
    plan = build_plan(audit, findings, app, name)
    # the first repair file carries the row counts `verify` checks once the files exist
    counted = next((r for r in plan.repairs if r.role == "repair"), None)
    files = {} if plan.problems else {
        r.path: render_migration(r, plan.expected_rows if r is counted else None, plan.row_changes)
        for r in plan.repairs}
    for repair in plan.repairs if not plan.problems else ():
        package = repair.path.parent / "__init__.py"
        if not package.exists():  # a baseline: the app's first migrations package
            files = {package: "", **files}
    pending = [f"{a}.{n}" for a, n in history.unapplied] if history.has_records_table else []
    return Proposal(plan, files, audit.project.database_path, audit.project.root, tuple(pending))


def _no_pending_repair(history: History) -> None:
    """A second proposal on top of an unapplied one would repair the same drift twice."""
    for path, _ in pending_repairs(history):
        raise AuditError(say("problem", "pending_repair", path=path))


def pending_repairs(history: History) -> list[tuple[Path, str]]:
    """The repair files ``propose`` wrote that are not applied yet, with their text."""
    out = []
    for key in history.unapplied:
        path = history.migration_file(key)
        try:
            text = Path(path).read_text(encoding="utf-8") if path else ""
        except OSError:
            continue
        if "Repair migration written by driftaudit" in text:
            out.append((Path(path), text))
    return out


def pending_proposal(audit: AuditInput) -> Proposal | None:
    """The repair already written and not applied, as a proposal to verify (its files are in
    the project already), with the row counts its files recorded; None when there is none."""
    pending = pending_repairs(audit.sources.history)
    if not pending:
        return None
    expected, changes = {}, {}
    for _, text in pending:
        for table, (rows, why) in _recorded_rows(text).items():
            expected[table], changes[table] = rows, why
    plan = Plan((), (), expected, changes)
    return Proposal(plan, {}, audit.project.database_path, audit.project.root,
                    written=tuple(path for path, _ in pending), counted=bool(expected))


def _recorded_rows(text: str) -> dict:
    """``DRIFTAUDIT_EXPECTED_ROWS`` of a repair file, read as a literal (the file is not run)."""
    import ast

    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == ROWS_CONSTANT for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
    return {}
