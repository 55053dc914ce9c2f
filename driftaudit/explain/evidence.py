"""How did it happen? Evidence from the history for one drifted object, turned into a cause.

Four states decide it, not three: the models (M), the state at the *leaf* migration files (L),
the state at the *applied* nodes (H) and the database (D).

* M≠H=D and L=M: the files already make the change, ``migrate`` was not run → unapplied-migration.
* M≠H=D and L≠M: no file makes it yet → pending-model-change (makemigrations was not run).
* M=H≠D: the history says the database has it, the database does not. Then, in order:
  a removed app; a ghost (recorded, file gone) whose operations explain the object →
  deleted-migration; the applied migration that makes the change: rewritten when git shows its
  file changed after the record, or when the table it created is there but lacks what the file
  now makes; manual-sql when that table is there whole and only this object is gone; else
  faked-migration. An object only the database has, named the way Django names the app's
  objects, that no file makes now → rewritten-migration; any ghost of the app →
  deleted-migration (low confidence); nothing → manual-sql.

The content decides; a file's modification time only supports a cause already found (a copy or
a clone resets every time). Every cause comes with the sentence that states its evidence and
confidence (from ``rules/causes.yaml``); the facts come from :mod:`.history_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftaudit.config.rules import fill
from driftaudit.explain.ghosts import describe_all, objects_in_database
from driftaudit.explain.history_facts import (
    ONLY_IN_DATABASE,
    UNDONE_KINDS,
    Ghost,
    HistoryFacts,
    RewrittenMigration,
    fmt_time,
    makes,
    parse_applied,
)
from driftaudit.sources.history import migration_label


@dataclass(frozen=True)
class Evidence:
    """Why a difference is there: the cause, the migration that shows it, the sentence that says so,
    and how sure the facts make us."""

    cause: str
    migration: tuple | None
    sentence: str
    applied: str | None = None
    confidence: str = "low"


class EvidenceFinder(HistoryFacts):
    """Turns the history's facts into the most likely cause of one difference, with its sentence."""

    # -- the facts -------------------------------------------------------------------------

    # -- sentences -------------------------------------------------------------------------
    def _sentence(self, cause: str, variant: str = "", **values) -> str:
        entry = self.causes.get(cause, {})
        template = entry.get(f"evidence_{variant}") if variant else None
        return fill(template or entry.get("evidence", ""), **values)

    def _evidence(self, cause: str, key: tuple | None = None, variant: str = "",
                  confidence: str = "medium", **values) -> Evidence:
        applied = self.history.records.get(key) if key else None
        values.setdefault("migration", migration_label(key) or "")
        values.setdefault("applied", fmt_time(parse_applied(applied), self.use_tz) if applied else "")
        values.setdefault("confidence", confidence)
        return Evidence(cause, key, self._sentence(cause, variant, **values),
                        str(applied) if applied else None, confidence)

    def ghost_evidence(self, ghost: Ghost, linked: bool) -> Evidence:
        values = dict(operations=describe_all(ghost.operations) or "did something its name does not say")
        if ghost.recovered is not None:
            deleted, last = ghost.recovered.deleted_in, ghost.recovered.last
            return self._evidence(
                "deleted-migration", ghost.key, "git", "high" if linked else "medium", **values,
                path=last.path, deleted_sha=deleted.short, deleted_date=fmt_time(deleted.naive(True), True),
                deleted_subject=deleted.subject, last_sha=last.commit.short)
        if linked:
            return self._evidence("deleted-migration", ghost.key, "named", "medium", **values)
        return self._evidence("deleted-migration", ghost.key, "", "low", app=ghost.key[0])

    def rewritten_evidence(self, rewrite: RewrittenMigration, state_named: bool) -> Evidence:
        values = dict(applied=fmt_time(rewrite.applied, self.use_tz), modified=fmt_time(rewrite.modified, self.use_tz))
        if rewrite.commit is not None:
            previous = rewrite.previous
            return self._evidence(
                "rewritten-migration", rewrite.key, "git", "high", **values, sha=rewrite.commit.short,
                subject=rewrite.commit.subject, path=previous.path if previous else "",
                previous_sha=previous.commit.short if previous else "?")
        return self._evidence("rewritten-migration", rewrite.key, "", "medium" if state_named else "low",
                              **values)

    # -- the decision ----------------------------------------------------------------------
    def pending_index_rename(self, diff) -> Evidence | None:
        """An index under an old name that an unapplied ``RenameIndex`` will rename.

        django-taggit 4 made its index through ``index_together`` (an automatic name); taggit 6
        rewrote that migration to name it, and its 0006 ``RenameIndex(old_fields=...)`` renames
        the old one: until ``migrate`` runs it, models and history agree on the new name, and
        the difference is the unapplied migration's.
        """
        if diff.kind != "index-renamed":
            return None
        from django.db.migrations.operations import RenameIndex

        columns = tuple(c.strip().lower() for c in (diff.column or "").split(","))
        for key in self.history.unapplied:
            node = self.history.loader.graph.nodes.get(key)
            for op in getattr(node, "operations", ()):
                fields = tuple(f.lower() for f in op.old_fields or ()) if isinstance(op, RenameIndex) else ()
                if isinstance(op, RenameIndex) and op.new_name.lower() == str(diff.models).lower() and (
                        (op.old_name or "").lower() == str(diff.database).lower()
                        or (len(fields) == len(columns)  # old_fields name fields: a key's column ends in _id
                            and all(c in (f, f"{f}_id") for f, c in zip(fields, columns)))):
                    return self._claim(self._evidence("unapplied-migration", key, confidence="high"),
                                       diff.kind, diff.table, diff.column)
        return None

    def _join_table_shaped(self, app: str, table: str) -> bool:
        """``<db_table of one of the app's models>_<field>``: how Django names the join table of
        a ManyToManyField on a model with its own ``db_table`` (seed 10167)."""
        lowered = table.lower()
        return any(lowered.startswith(f"{made}_") for made, (label, _) in self.names.tables.items() if label == app)

    def _unapplied_target_maker(self, table: str | None, column: str | None) -> tuple | None:
        """An unapplied migration that makes (creates, renames) the table a key points at in
        the migration files: the key's target changes when it runs (seed 12801: an unapplied
        AlterModelTable of the model an explicit through model points at)."""
        leaf = self.leaf_catalog
        found = leaf.table(table) if leaf is not None and table else None
        key = found.foreign_key((column,)) if found is not None and column else None
        if key is None:
            return None
        for migration in self.history.unapplied:
            model = self.table_model(migration[0], None, key.target_table)
            if any(makes(op, "missing-table", model, None) for op in self._operations(migration)):
                return migration
        return None

    def _made_by_a_ghost(self, app: str, table: str) -> bool:
        """Would a recorded migration whose file is gone have made ``table`` (by its name)?"""
        return self.ghost_that_explains(app, "stale-table", (self.table_model(app, None, table),), None,
                                        initial=False) is not None

    def removed_app(self, app: str) -> Evidence | None:
        if not app or app in self.installed:
            return None
        records = sorted(name for (label, name) in self.history.records if label == app)
        if not records:
            return None
        return self._evidence("removed-app", (app, records[-1]), app=app, records=", ".join(records),
                              confidence="high")

    def explain(self, signature: str, app: str | None, model: str | None = None,
                field: str | None = None, present_in_models: bool = False, *,
                kind: str | None = None, table: str | None = None, column: str | None = None,
                old_table: str | None = None) -> Evidence:
        """The most likely cause for a difference with ``signature`` in ``app`` (``old_table``:
        the database's name of a ``renamed-table``)."""
        table_model = self.table_model(app, model, table)
        column = column if column is not None else field
        if signature == "M≠H=D":
            unapplied = self._unapplied_maker(app, kind, table_model, column) if kind else None
            if unapplied is None and kind in ("renamed-column", "fk-target"):
                unapplied = self._unapplied_renamer(column)  # another app's join table
            if unapplied is None and kind == "fk-target":
                unapplied = self._unapplied_target_maker(table, column)
            if unapplied and self.leaf_agrees_with_models(kind, table, column) is not False:
                return self._claim(self._evidence("unapplied-migration", unapplied, confidence="high"), kind,
                                   table, column)
            return self._evidence("pending-model-change", confidence="high")
        if signature != "M=H≠D":
            return self._evidence("unknown", confidence="low")
        removed = self.removed_app(app)
        if removed:
            return removed
        if kind:
            ghost = self.ghost_that_explains(app, kind, (table_model,), column)
            if ghost is not None:
                return self._claim(self.ghost_evidence(ghost, linked=True), kind, table, column)
            maker = self._applied_maker(app, kind, table_model, column)
            if maker:
                # The content decides; file times only support (a copy or a clone resets them).
                rewrite = self.rewrite_of(maker)
                if rewrite and rewrite.commit:  # git shows the file changed after the record
                    return self._claim(self.rewritten_evidence(rewrite, True), kind, table, column)
                if kind == "renamed-table" and self._creates(maker, table_model) and (
                        objects_in_database(self.history, self.database_catalog, maker)
                        or (old_table and old_table.lower() not in self.names.tables)):
                    # it ran (something it makes is here, or no file now makes the table under
                    # the database's name: seed 9144) from an older file, which never renamed
                    # the table; made create + delete and never run, it was faked
                    return self._claim(self._evidence(
                        "rewritten-migration", maker, "renamed", "medium", table=table,
                        times=self._times(rewrite)), kind, table, column)
                # (a table a gone migration's name says it made proves nothing of this one: 9275)
                others = [t for t in self._tables_made(maker) if not self._made_by_a_ghost(app, t)] \
                    if kind == "missing-table" else []
                if others:  # it ran (its other tables are here), so this one came with a later file
                    return self._claim(self._evidence(
                        "rewritten-migration", maker, "partly", "medium", table=table,
                        others=", ".join(others), times=self._times(rewrite)), kind, table, column)
                made = self._made_table(maker, table, kind)
                if made and kind in UNDONE_KINDS and self._has_every_column(made) and not rewrite:
                    # it ran as its file says (its table is there, every column too): the object
                    # was removed since. Or the file gained it later (regenerated): the content
                    # cannot tell these apart, so here, and only here, a file newer than its
                    # record tips it towards the rewrite.
                    return self._evidence("manual-sql", maker, "undone", "medium", table=made,
                                          object=f"{kind.split('-')[0]} on {column}" if column else kind)
                if made:  # it ran (its table is there), yet the file now says more: it changed since
                    return self._claim(self._evidence(
                        "rewritten-migration", maker, "content", "medium", table=made,
                        object=f"column {column}" if column else kind, times=self._times(rewrite)),
                        kind, table, column)
                return self._claim(self._evidence("faked-migration", maker, confidence="medium"), kind,
                                   table, column)
        # a gone migration whose name (or recovered file) says what it did, and not this, did
        # not do this (seed 9481: a column added by hand blamed on a deleted RenameField)
        ghosts = self.silent_ghosts_of(app)
        if ghosts:
            return self._claim(self.ghost_evidence(ghosts[-1], linked=False), kind, table, column)
        made_by = self._first_applied(app) if kind in ONLY_IN_DATABASE and table and app \
            and (table.lower().startswith(f"{app.lower()}_") or model
                 or (kind == "stale-table" and self._join_table_shaped(app, table))) else None
        if made_by:  # named the way Django names this app's objects (or on a model's own
            # db_table - seed 12550 -, the table of a model its content types still list, a join
            # table of a model's own db_table), yet no file makes it now
            rewritten = [r for r in self.rewritten if r.key[0] == app]
            if rewritten and rewritten[0].commit:
                return self._claim(self.rewritten_evidence(rewritten[0], False), kind, table, column)
            key = rewritten[0].key if rewritten else made_by
            return self._claim(self._evidence(
                "rewritten-migration", key, "unmade", "low", object=column or table,
                times=self._times(rewritten[0] if rewritten else None)), kind, table, column)
        return self._evidence("manual-sql", confidence="low")


    def _times(self, rewrite: RewrittenMigration | None) -> str:
        """What the file's modification time adds (support only: a copy or clone resets it)."""
        if rewrite is None:
            return ""
        # the template's leading space is stripped by fill(): put it back, or the sentence runs
        # into the one before ("(confidence: low).Its file")
        return " " + self._sentence("rewritten-migration", "times", modified=fmt_time(rewrite.modified, self.use_tz))


    def _claim(self, evidence: Evidence, kind, table, column) -> Evidence:
        if evidence.migration:
            self.claimed.setdefault(evidence.migration, []).append((evidence, kind, table, column))
        return evidence


# -- causes the database's own DDL proves (legacy Django releases) -----------------------------
