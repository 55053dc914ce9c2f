"""Causes read from the audited DDL itself, stronger than any history clue.

Kept apart from :class:`~driftaudit.evidence.EvidenceFinder` (which reasons about the history):
a key that points at ``*__old`` or is not deferrable was written by an old Django release or
by hand, whatever the migration records say.
"""

from __future__ import annotations

import re

from driftaudit.explain.evidence import Evidence, EvidenceFinder
from driftaudit.sources.history import History


#: the longest index name Django lets Meta.indexes give (models.E034)
MAX_META_INDEX_NAME = 30


def ddl_evidence(finder: EvidenceFinder, diff) -> Evidence | None:
    """A cause read from the audited DDL itself, stronger than any history clue, or ``None``.

    Kept apart from :meth:`EvidenceFinder.explain` (which reasons about the history): these
    keys were written by an old Django release, whatever the migration records say.

    * fk-target to a table that does not exist and is named ``*__old``: Django < 2.0.10 / 2.1.5
      (and 1.11) rebuilt tables through ``<table>__old``; SQLite >= 3.26 repointed the children
      at it, then it was dropped → legacy-rename-bug.
    * fk-deferrable, immediate in the database while models and history say deferred: Django
      2.0+ never writes an immediate key on SQLite → legacy-immediate-fk.
    * an index or a column only the database has, under a name no migration file ever gave and
      that Django would not make up → manual-sql.
    """
    if diff.signature != "M=H≠D" or finder.database_catalog is None:
        return None
    if diff.kind in ("index-extra", "unique-extra", "stale-column"):
        return _never_in_history(finder, diff)
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


#: the tail Django's schema editor gives the index names it makes up (``_create_index_name``:
#: ``<table>_<columns>_<8 hex digits>``, then ``_uniq``, ``_like``...)
DJANGO_MADE_NAME = re.compile(r"_[0-9a-f]{8}(_[a-z]+)?$")


def _never_in_history(finder: EvidenceFinder, diff) -> Evidence | None:
    """An index or column only the database has, that no migration file ever named."""
    owner = _owner(finder, diff.table)
    if owner is None:
        return None
    app, models = owner
    names = finder.names
    variant = "never_named"
    if diff.kind == "stale-column":
        column = (diff.column or "").lower()
        if any((m, column) in names.columns for m in models):
            return None
        table = finder.database_catalog.table(diff.table)
        key = table.foreign_key((diff.column,)) if table is not None else None
        if key is not None and key.deferrable:
            return None  # DEFERRABLE INITIALLY DEFERRED: how Django writes a key, not how people do
        if table is not None and not _could_be_added_by_hand(finder, table, column):
            return None
        what = f"column {diff.column}"
    else:
        name = (diff.detail.get("index_name") or "").lower()
        if not name or DJANGO_MADE_NAME.search(name) or name in names.indexes or name.startswith("sqlite_autoindex_"):
            return None  # (SQLite names the index of an inline UNIQUE itself: nobody chose it)
        what = f"index {diff.detail.get('index_name')}"
        if len(name) <= MAX_META_INDEX_NAME:
            # a name a model's Meta.indexes may give (models.E034 allows 30 characters): the
            # migration that made it may be among the files no longer there - or it was typed
            # in the sqlite3 shell; nothing in the database tells which
            variant = "never_named_could_be_meta"
    if finder.ghost_that_explains(app, diff.kind, models, diff.column) is not None:
        return None  # a gone migration's name says it made this: the history reasoning tells it
    if finder.silent_ghosts_of(app):
        # records of this app whose files are gone, and whose names do not say what they did:
        # "no file names it" no longer says "no file ever named it" (a regenerated history drops
        # what the deleted files made). A gone 0002_exampletwo_rank named its column. File times
        # are not asked: a copy or a clone resets them.
        return None
    if variant == "never_named_could_be_meta":
        return finder._evidence("manual-sql", confidence="low", variant=variant, what=what)
    return finder._evidence("manual-sql", confidence="medium", variant="never_named", what=what)


def _could_be_added_by_hand(finder: EvidenceFinder, table, column: str) -> bool:
    """Could ``ALTER TABLE ... ADD COLUMN`` have made ``column``? It appends (a column the
    models still have comes after it: it was in a CREATE TABLE), and SQLite refuses a NOT NULL
    column without a default, and a STORED generated column."""
    names = [c.name.lower() for c in table.columns]
    model = finder.models_catalog.table(table.name) if finder.models_catalog is not None else None
    modelled = {c.name.lower() for c in model.columns} if model is not None else set()
    if any(name in modelled for name in names[names.index(column) + 1:]):
        return False
    found = table.column(column)
    if found.generated is not None:
        return not found.stored
    return not (found.not_null and found.default is None and not found.primary_key)


def _owner(finder: EvidenceFinder, table: str) -> tuple[str, set] | None:
    """The app and lower-case model names the table belongs to in the applied history."""
    state = finder.history.applied_state
    if state is None:
        return None
    found = [(app, name) for (app, name), model in state.models.items()
             if (model.options.get("db_table") or f"{app}_{name}").lower() == table.lower()]
    if not found and table.lower() in finder.names.tables:  # a ManyToManyField's join table
        found = [finder.names.tables[table.lower()]]
    return (found[0][0], {name for _, name in found}) if found else None
