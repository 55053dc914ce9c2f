"""The repair plan: what ``driftaudit propose`` does to which table, and why.

The target of the repair is the schema Django renders for the models (M) - except for tables
that migrations still pending on this database will change: those are brought back to the
applied history (H), so that the pending migrations then run on the schema they expect.
The same three-way diff as the audit decides what differs; each table that differs is
created, renamed, rebuilt or (when only the database has it) backed up and dropped.
Row facts (orphans, duplicates, NULLs, type conversions) are read here, read-only, and turned
into explicit row fixes or, under the default policies, into problems that stop the proposal.
"""

from __future__ import annotations

from dataclasses import replace

from driftaudit.config.rules import fill
from driftaudit.explain.explainer import model_index
from driftaudit.explain.finding import Finding
from driftaudit.repair.names import backup_name, renamed_sql
from driftaudit.repair.plan import RowFix, TableStep, ddl_key
from driftaudit.repair.problem import Problem
from driftaudit.repair.replay import faked_tails
from driftaudit.repair.row_facts import RowFacts
from driftaudit.repair.wording import words
from driftaudit.schema.catalog import Catalog, Table
from driftaudit.schema.diff import ThreeWayDiff
from driftaudit.schema.introspect import read_catalog
from driftaudit.schema.read import AuditInput
from driftaudit.sources.models import render_models

INDEX_KINDS = {"index-missing", "index-extra", "index-renamed", "unique-missing", "unique-extra"}


class Planner:
    """Reads the sources once and decides, table by table, what the repair does."""

    def __init__(self, audit: AuditInput, findings: list[Finding]):
        sources = audit.sources
        self.conn, self.apps, self.s, self.config = audit.conn, audit.apps, sources, audit.project.config
        self.findings = findings
        history = sources.history
        #: squashes whose replaced files are gone mid-way: the repair completes them (they are
        #: brought to the files' state and recorded), so they are not pending for the plan
        self.gaps = {gap.squash for gap in history.squash_gaps}
        self.pending_keys = [k for k in history.unapplied if k not in self.gaps]
        self.pending = bool(self.pending_keys) and history.has_records_table
        self.leaf_cat = read_catalog(render_models(history.leaf_state.apps).connection) \
            if self.pending else sources.h_cat
        self.m_index = model_index(audit.apps)
        self.h_index = model_index(sources.history_apps)
        self.pending_tables = self._pending_tables()
        self.target = self._target_catalog()
        self.taken = set(sources.d_cat.tables) | set(sources.d_cat.raw_objects)
        self.problems: list[Problem] = []
        #: faked migrations run for real; no other step touches their tables
        self.replays = [] if self.pending else faked_tails(sources, findings)
        self.replayed = frozenset().union(*(r.tables for r in self.replays))
        self.facts = RowFacts(self.conn, self.config, self._fields(), self.taken, self.replayed)

    # -- the target --------------------------------------------------------------------------
    def _pending_tables(self) -> set:
        """Tables the pending migrations will change: the repair leaves them as applied (H)."""
        if not self.pending:
            return set()
        h, leaf = self.s.h_cat.tables, self.leaf_cat.tables
        gap_apps = {key[0] for key in self.gaps}
        return {n for n in set(h) | set(leaf) if ddl_key(h.get(n)) != ddl_key(leaf.get(n))
                and self.owner(n)[0] not in gap_apps}

    def _target_catalog(self) -> Catalog:
        tables = {n: t for n, t in self.s.m_cat.tables.items() if n not in self.pending_tables}
        tables.update({n: self.s.h_cat.tables[n] for n in self.pending_tables if n in self.s.h_cat.tables})
        return Catalog(tables, self.s.m_cat.raw_objects,
                       self.s.m_cat.declared_index_names | self.s.h_cat.declared_index_names)

    def _fields(self) -> dict:
        """``(table, column)`` -> the model field (models, or history for pending tables)."""
        out = {}
        for registry, pending in ((self.s.history_apps, True), (self.apps, False)):
            for model in registry.get_models(include_auto_created=True):
                table = model._meta.db_table.lower()
                if (table in self.pending_tables) != pending:
                    continue
                for f in model._meta.local_fields:
                    if f.column:  # a CompositePrimaryKey has no column of its own
                        out[(table, f.column.lower())] = f
        return out

    def owner(self, table: str) -> tuple[str | None, str]:
        """(app label, model name) of a table: models first, then the history, then records."""
        ref = self.m_index.get(table.lower()) or self.h_index.get(table.lower())
        if ref is not None:
            return ref.app, ref.model
        apps = {app for app, _ in self.s.history.records}
        for app in sorted(apps, key=len, reverse=True):
            if table.lower().startswith(app.lower() + "_"):
                return app, ""
        return None, ""

    # -- the steps ---------------------------------------------------------------------------
    def steps(self) -> list[TableStep]:
        d, t = self.s.d_cat, self.target
        diffs = self.diffs = ThreeWayDiff(t, self.s.h_cat, d, ignore_tables=self.s.not_model_tables).run()
        reasons: dict[str, list[str]] = {}
        self.kinds: dict[str, set] = {}
        renamed: dict[str, str] = {}  # new -> old
        accepted = {(f.kind, (f.table or "").lower(), (f.column or "").lower()) for f in self.findings if f.accepted}
        kept: dict[str, list] = {}  # table -> differences accepted in the config: never undone
        for diff in diffs:
            if (diff.kind, diff.table.lower(), (diff.column or "").lower()) in accepted:
                kept.setdefault(diff.table.lower(), []).append(diff)
                continue
            self.kinds.setdefault(diff.table.lower(), set()).add(diff.kind)
            if diff.kind == "renamed-table":
                renamed[diff.table.lower()] = diff.detail["old_table"].lower()
            reasons.setdefault(diff.table.lower(), []).append(_reason(diff))
        self.renamed = renamed
        self._keep_accepted(kept, reasons)
        t = self.target
        steps = []
        for name in sorted(set(reasons) - self.replayed):
            target, current = t.table(name), d.table(name)
            app, model = self.owner(name)
            why = "; ".join(dict.fromkeys(reasons[name]))
            if name in renamed:
                old = d.table(renamed[name])
                steps.append(TableStep("rename", app, target.name, old.name, model, target, old, reason=why))
                if ddl_key(target) != ddl_key(_as_named(old, target.name)):
                    steps.append(self._rebuild(app, model, target, _as_named(old, target.name), why, old))
            elif target is not None and current is None:
                steps.append(TableStep("create", app, target.name, "", model, target, reason=why))
            elif target is None and current is not None:
                if name in renamed.values():
                    continue
                steps.append(self._drop(app, current, why))
            elif target is not None:
                steps.append(self._index_step(app, model, target, current, why)
                             or self._rebuild(app, model, target, current, why))
        return [s for s in steps if s is not None]

    def _keep_accepted(self, kept: dict, reasons: dict) -> None:
        """Accepted drift on a table the repair still changes: an index made by hand is kept (the
        target gets the database's index, recreated after a rebuild); anything else a rebuild
        would undo stops the proposal, saying so."""
        d, tables = self.s.d_cat, dict(self.target.tables)
        for name, diffs in sorted(kept.items()):
            if name not in reasons or name not in tables:
                continue  # nothing else to do on this table: it stays as it is
            extra = [diff for diff in diffs if diff.kind in ("index-extra", "unique-extra")]
            current = d.table(name)
            indexes = [ix for diff in extra for ix in (current.indexes if current else ())
                       if ix.name == diff.detail.get("index_name") and ix.origin == "c" and ix.sql]
            undone = [diff for diff in diffs if diff not in extra] + extra[len(indexes):]
            if undone:
                self.problems.append(Problem(name, fill(
                    words()["problem"]["accepted_undone"], table=tables[name].name,
                    reason="; ".join(dict.fromkeys(reasons[name])),
                    accepted=", ".join(f"{diff.kind} {diff.column or ''}".strip() for diff in undone))))
            tables[name] = replace(tables[name], indexes=tables[name].indexes + tuple(indexes))
        self.target = Catalog(tables, self.target.raw_objects, self.target.declared_index_names)

    def _index_step(self, app, model, target: Table, current: Table, why: str) -> TableStep | None:
        """Only ``CREATE INDEX`` indexes differ (the diff found nothing else): drop and create them."""
        if not self.kinds.get(target.name.lower(), {"?"}) <= INDEX_KINDS:
            return None
        constraints = [{ix.key for ix in t.indexes if ix.origin not in ("c", "pk")} for t in (target, current)]
        if constraints[0] != constraints[1]:  # an inline UNIQUE (...) constraint: only a rebuild changes it
            return None
        want = {ix.key: ix for ix in target.indexes if ix.origin == "c"}
        have = {ix.key: ix for ix in current.indexes if ix.origin == "c"}
        named = self.target.declared_index_names
        have_names: dict[tuple, set] = {}
        for ix in current.indexes:
            have_names.setdefault(ix.key, set()).add(ix.name.lower())
        # an index the models name, under another name: dropped and made again under its own
        renamed = {key for key, ix in want.items()
                   if key in have and ix.name.lower() in named and ix.name.lower() not in have_names[key]}
        drop = tuple(ix for key, ix in sorted(have.items(), key=repr) if key not in want or key in renamed)
        create = tuple(ix for key, ix in sorted(want.items(), key=repr) if key not in have or key in renamed)
        kept = {ix.name.lower() for key, ix in have.items() if key in want and key not in renamed}
        if not (drop or create) or any(not ix.sql or ix.name.lower() in kept for ix in create) \
                or any(not ix.sql for ix in drop):
            return None
        return TableStep("index", app, target.name, current.name, model, target, current,
                         rows=self.facts.count(current.name), reason=why, drop_indexes=drop, create_indexes=create)

    def _drop(self, app, current: Table, why: str) -> TableStep | None:
        policy = self.config.fix_policy("stale_tables", current.name)
        if policy == "keep":
            return None
        rows = self.facts.count(current.name)
        backup = backup_name(current.name, self.taken) if policy == "backup-drop" else ""
        return TableStep(policy, app or "", current.name, current.name, current=current, backup=backup,
                         rows=rows, reason=why)

    def _rebuild(self, app, model, target: Table, current: Table, why: str,
                 in_database: Table | None = None) -> TableStep | None:
        """Rebuild ``current`` into ``target``. ``in_database``: the table under the name it has
        in the database now, when a rename step runs first (the rows are read from it)."""
        in_database = in_database or current
        renamed_cols = self._renamed_columns(target.name)
        columns, problems = self.facts.column_sources(target, in_database, renamed_cols)
        self.problems += problems
        used = {c.source.lower() for c in columns if c.source}
        # (a generated column is not data: the target computes its own, or has none)
        dropped = tuple(c.name for c in current.columns if c.name.lower() not in used and c.generated is None)
        backup = ""
        if dropped:
            policy = self.config.fix_policy("stale_columns", target.name)
            if policy == "keep":
                self.problems.append(Problem(target.name, fill(
                    words()["problem"]["keep_columns"], table=target.name, reason=why,
                    columns=", ".join(dropped))))
            elif policy == "backup-drop":
                backup = backup_name(f"{target.name}__columns", self.taken)
        return TableStep("rebuild", app, target.name, current.name, model, target, current, tuple(columns),
                         dropped, backup, self.facts.count(in_database.name), why)

    def _renamed_columns(self, table: str) -> dict:
        """new column -> old column, from the diff's renamed-column pairs on ``table``."""
        out = {}
        for diff in self.diffs:
            if diff.kind == "renamed-column" and diff.table.lower() == table.lower():
                out[diff.column.lower()] = diff.detail["old_column"]
        return out

    # -- rows ----------------------------------------------------------------------------------
    def row_fixes(self, steps: list[TableStep]) -> list[RowFix]:
        """Orphans (against the target's keys) and duplicates (against its new unique indexes)."""
        d = self.s.d_cat
        # the name each table has in the database now: a renamed table that is then rebuilt has
        # two steps, and the rebuild's "old" name is already the new one
        old_of = {}
        for s in sorted((s for s in steps if s.old_name), key=lambda s: s.action != "rename"):
            old_of.setdefault(s.table.lower(), s.old_name)
        dropped = {s.old_name.lower() for s in steps if s.action in ("drop", "backup-drop")}
        fixes = []
        for name, target in sorted(self.target.tables.items()):
            current = d.table(old_of.get(name, name))
            # (a replayed table too: the replay runs after the row fixes, and its own
            # operations reject the same rows the models do)
            if current is None or name in self.s.not_model_tables:
                continue
            renamed_cols = self._renamed_columns(target.name) if name in {s.table.lower() for s in steps} else {}
            parents = {}
            for fk in target.foreign_keys:
                parent = fk.target_table.lower()
                parent_now = old_of.get(parent, parent)
                parents[fk.key] = None if parent_now in dropped else d.table(parent_now)
            found, problems = self.facts.row_fixes(target, current, renamed_cols, parents)
            fixes += found
            self.problems += problems
        fixes, problems = self.facts.cascaded(fixes)
        self.problems += problems
        return fixes


def _as_named(table: Table, name: str) -> Table:
    return replace(table, name=name, sql=renamed_sql(table.sql, name))


def _reason(diff) -> str:
    text = diff.kind
    if diff.column:
        text += f" {diff.column}"
    return text
