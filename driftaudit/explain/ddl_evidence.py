"""Causes read from the audited DDL itself, stronger than any history clue.

Kept apart from :class:`~driftaudit.evidence.EvidenceFinder` (which reasons about the history):
a key that points at ``*__old`` or is not deferrable was written by an old Django release or
by hand, whatever the migration records say.
"""

from __future__ import annotations

from driftaudit.explain.evidence import Evidence, EvidenceFinder
from driftaudit.sources.history import History


def ddl_evidence(finder: EvidenceFinder, diff) -> Evidence | None:
    """A cause read from the audited DDL itself, stronger than any history clue, or ``None``.

    Kept apart from :meth:`EvidenceFinder.explain` (which reasons about the history): these
    keys were written by an old Django release, whatever the migration records say.

    * fk-target to a table that does not exist and is named ``*__old``: Django < 2.0.10 / 2.1.5
      (and 1.11) rebuilt tables through ``<table>__old``; SQLite >= 3.26 repointed the children
      at it, then it was dropped → legacy-rename-bug.
    * fk-deferrable, immediate in the database while models and history say deferred: Django
      2.0+ never writes an immediate key on SQLite → legacy-immediate-fk.
    """
    if diff.signature != "M=H≠D" or finder.database_catalog is None:
        return None
    table = finder.database_catalog.table(diff.table)
    fk = table.foreign_key(tuple(c.strip() for c in (diff.column or "").split(","))) if table else None
    if fk is None:
        return None
    if diff.kind == "fk-deferrable" and not fk.deferrable:
        return finder._evidence("legacy-immediate-fk", confidence="medium", target=fk.target_table)
    if diff.kind != "fk-target" or finder.database_catalog.table(fk.target_table) is not None:
        return None
    if fk.target_table.lower().endswith("__old"):
        return finder._evidence("legacy-rename-bug", confidence="high", target=fk.target_table)
    renamer = _migration_renaming_away(finder.history, fk.target_table)
    if renamer is not None:
        return finder._evidence("manual-sql", renamer, "rename", "medium", target=fk.target_table)
    return None


def _migration_renaming_away(history: History, old_table: str) -> tuple | None:
    """The latest applied migration that moved a model off the table named ``old_table``.

    Replays the applied history model by model, tracking each model's table name through
    ``CreateModel``/``AlterModelTable``/``RenameModel``, so both explicit and default names count.
    """
    from django.db.migrations import operations as ops

    tables: dict[tuple, str] = {}  # (app, model) -> current table name, lower-cased
    found = None
    for key in history.applied_plan:
        app = key[0]
        for op in history.loader.graph.nodes[key].operations:
            if isinstance(op, ops.CreateModel):
                tables[(app, op.name_lower)] = (op.options.get("db_table") or f"{app}_{op.name_lower}").lower()
            elif isinstance(op, ops.AlterModelTable) and (app, op.name_lower) in tables:
                before = tables[(app, op.name_lower)]
                tables[(app, op.name_lower)] = (op.table or f"{app}_{op.name_lower}").lower()
                found = key if before == old_table.lower() else found
            elif isinstance(op, ops.RenameModel) and (app, op.old_name_lower) in tables:
                before = tables.pop((app, op.old_name_lower))
                default = f"{app}_{op.old_name_lower}"
                after = f"{app}_{op.new_name_lower}" if before == default else before
                tables[(app, op.new_name_lower)] = after
                found = key if before == old_table.lower() and after != before else found
    return found
