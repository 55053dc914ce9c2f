"""What to run next, in order, from the project folder: the report's ``next_steps``.

Following them and auditing again ends clean from any state the tool can repair (the contract).
A history that stops every ``migrate`` comes first (``driftaudit record ... --apply``, or a
file to restore, which no command can do: ``argv`` is then ``None`` and ``why`` says what to
do); an upgrade not yet migrated only needs ``migrate``; anything else is ``propose``,
``verify``, ``migrate``.
"""

from __future__ import annotations

from driftaudit.config.rules import fill
from driftaudit.explain.explainer import model_index
from driftaudit.explain.finding import SERIOUS, Finding
from driftaudit.repair.history_steps import history_blockers
from driftaudit.repair.wording import words
from driftaudit.schema.read import AuditInput



def next_steps(audit: AuditInput, findings: list[Finding], selection: tuple[str, ...] = ()) -> list[dict]:
    """``[{"argv": [...], "why": "..."}]``; ``selection`` are the options that chose the
    project's database (``--settings``, ``--db`` ...), repeated in each driftaudit command."""
    serious = [f for f in findings if f.severity in SERIOUS and not f.accepted]
    if not serious:
        return []
    said = words()["next_steps"]
    project = audit.project
    index = model_index(audit.apps)
    blockers = history_blockers(audit.sources, lambda t: getattr(index.get(t.lower()), "app", None),
                                project.database_alias)
    manage = ["python", "manage.py", "migrate"]
    if project.database_alias != "default":
        manage += ["--database", project.database_alias]
    repair = [{"argv": ["driftaudit", "propose", *selection], "why": said["propose"]},
              {"argv": ["driftaudit", "verify", *selection], "why": said["verify"]},
              {"argv": manage, "why": said["migrate"]}]
    if blockers:
        first = [{"argv": _with(p.argv, selection) if p.argv else None, "why": p.text} for p in blockers]
        return first + [dict(repair[0], why=said["propose_after"]), *repair[1:]]
    if all(f.kind == "unapplied-migration" and f.cause == "unapplied-migration" for f in serious):
        return [{"argv": manage, "why": said["migrate_only"]}]
    return repair


def next_steps_without_database(findings: list[Finding], selection: tuple[str, ...] = ()) -> list[dict]:
    """``report --no-db``'s steps: a broken or missing file by hand, then ``makemigrations`` for
    model changes, then the full audit of the database that this mode left out."""
    serious = [f for f in findings if f.severity in SERIOUS and not f.accepted]
    if not serious:
        return []
    said = words()["next_steps"]
    steps = [{"argv": None, "why": fill(said["by_hand"], migration=f.migration, fix=f.fix)}
             for f in serious if f.kind in ("broken-migration", "missing-dependency")]
    if any(f.kind == "pending-model-change" for f in serious):
        steps.append({"argv": ["python", "manage.py", "makemigrations"], "why": said["makemigrations"]})
    return steps + [{"argv": ["driftaudit", "report", *selection], "why": said["report_database"]}]


def _with(argv: tuple, selection: tuple) -> list[str]:
    """driftaudit's own commands select the same database again; manage.py's use its settings."""
    return [*argv, *selection] if argv[0] == "driftaudit" else list(argv)
