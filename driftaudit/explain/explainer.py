"""Turn schema differences, history facts and data facts into explained findings.

The explainer decides *what to say*; the words themselves come from the rule catalog
(``rules/builtin.yaml``) and the cause vocabulary (``rules/causes.yaml``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from driftaudit.config.rules import counted, fill, join_values, rule_for
from driftaudit.explain.ddl_evidence import ddl_evidence
from driftaudit.explain.evidence import Evidence, EvidenceFinder
from driftaudit.explain.finding import Finding
from driftaudit.explain.rows import BlockedParents, blocked_parents, row_count
from driftaudit.schema.catalog import Table
from driftaudit.schema.diff import Difference
from driftaudit.schema.read import AuditInput
from driftaudit.sources.history import migration_label
from driftaudit.sql import quote_identifier


@dataclass(frozen=True)
class ModelRef:
    """A model by app and name: what a table belongs to, for the finding's ``app`` and ``model``."""

    app: str
    model: str  # object name, e.g. "ExampleOne"

    @property
    def label(self) -> str:
        return f"{self.app}.{self.model}"


def model_index(apps) -> dict[str, ModelRef]:
    """Lower-cased table name -> the model that owns it (auto-created M2M tables included)."""
    index = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        index.setdefault(meta.db_table.lower(), ModelRef(meta.app_label, meta.object_name))
    return index


@dataclass(frozen=True)
class M2MOrigin:
    """The ManyToManyField an auto-created join table belongs to (its table has no model of its own)."""

    owner: ModelRef
    field: str
    target: ModelRef


class Explainer:
    """Says what each difference means: which model, which cause, what it blocks.

    Reads everything from one :class:`~driftaudit.schema.read.AuditInput`; ``data=False``
    (``--no-data``) never reads a row, only schema and history.
    """

    def __init__(self, audit: AuditInput, data: bool = True):
        from django.conf import settings

        sources = audit.sources
        self.conn = audit.conn
        self.m, self.h, self.d = sources.m_cat, sources.h_cat, sources.d_cat
        self.history = sources.history
        self.models_index = model_index(audit.apps)
        self.history_index = LazyIndex(lambda: model_index(sources.history_apps))
        self.installed = {config.label for config in audit.apps.get_app_configs()}
        self.sample = audit.project.config.sample_size
        self.data = data
        use_tz = bool(getattr(settings, "USE_TZ", False))
        self.evidence = EvidenceFinder(self.history, self.installed, use_tz, models=self.m, database=self.d)

    # -- helpers ---------------------------------------------------------------------------
    def model_of(self, table: str) -> ModelRef | None:
        key = table.lower()
        return self.models_index.get(key) or self.history_index.get(key)

    def app_of(self, table: str) -> str | None:
        ref = self.model_of(table)
        if ref:
            return ref.app
        made = self.evidence.names.tables.get(table.lower())
        if made:
            return made[0]
        labels = self.installed | {app for app, _ in self.history.records}
        matches = [label for label in labels if table.lower().startswith(label.lower() + "_")]
        if matches:
            return max(matches, key=len)
        gone = self.removed_model_of(table)
        if gone:
            return gone[0]
        owner = self._join_table_owner(table)
        if owner is None:
            return None
        app = self.app_of(owner.name)
        if app:
            return app
        model = self.removed_model_of(owner.name, current_too=True)  # a model's old table
        return model[0] if model else None

    def _join_table_owner(self, name: str) -> Table | None:
        """The database table ``name`` is the join table of, by Django's naming: ``<owner>_<field>``
        with a key to ``<owner>`` (seed 11218: the ManyToManyField of a removed model that had
        its own db_table leaves ``t_ticket`` and ``t_ticket_tags``)."""
        table = self.d.table(name)
        lowered = name.lower()
        for fk in table.foreign_keys if table is not None else ():
            owner = self.d.table(fk.target_table)
            if owner is not None and lowered.startswith(owner.name.lower() + "_"):
                return owner
        return None

    def removed_model_of(self, table: str, current_too: bool = False) -> tuple[str, str] | None:
        """``(app, model)`` of a model that existed (Django's content types still list it), no
        longer does, and whose name ends the table's: a custom ``db_table`` left behind.
        ``current_too``: a model that still exists counts as well (a join table's owner may be
        a model's old table, its db_table moved since: seed 13120)."""
        lowered = table.lower()
        found = {(app, model) for app, model in self._content_types
                 if (current_too or (app, model) not in self._current_models)
                 and (lowered == model or lowered.endswith(f"_{model}"))}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def _content_types(self) -> list[tuple[str, str]]:
        try:
            rows = self.conn.execute("SELECT app_label, model FROM django_content_type").fetchall()
        except sqlite3.Error:  # no contenttypes app, or an unreadable table: no such evidence
            rows = []
        return [(str(a).lower(), str(m).lower()) for a, m in rows]

    @cached_property
    def _current_models(self) -> set:
        return {(ref.app.lower(), ref.model.lower()) for ref in self.models_index.values()}

    def _finding(self, kind: str, conditions=frozenset(), template="default", **values) -> Finding:
        rule = rule_for(kind)
        text = fill(rule.template(template), **values)
        fix = fill(rule.fix, **values)
        return Finding(rule=rule.id, kind=kind, severity=rule.severity_for(conditions),
                       signature=None, cause="unknown", explanation=text, fix=fix)

    # -- schema ----------------------------------------------------------------------------
    def schema_finding(self, diff: Difference) -> Finding:
        if diff.kind == "stale-table":
            return self.stale_table(diff)
        ref = self.model_of(diff.table)
        app = ref.app if ref else self.app_of(diff.table)
        field = diff.column if diff.kind in ("missing-column",) else None
        evidence = ddl_evidence(self.evidence, diff) or self._renamed_target(diff) \
            or self.evidence.pending_index_rename(diff) or self.evidence.explain(
            diff.signature, app, ref.model if ref else None, field,
            present_in_models=diff.kind in ("missing-table", "missing-column"),
            kind=diff.kind, table=diff.table, column=diff.column, old_table=diff.detail.get("old_table"),
        )
        conditions = set()
        if diff.kind == "stale-column" and diff.database and "NOT NULL" in diff.database \
                and "no default" in diff.database:
            conditions.add("breaks_inserts")
        if diff.kind == "column-type" and diff.detail.get("affinity_same") and evidence.cause != "faked-migration":
            # same storage, only the declared text differs: nothing changes in SQLite - unless a
            # migration recorded as applied never made it (seed 12617): then the history claims
            # a schema the database does not have, and the repair brings them together
            conditions.add("declared_text_only")
        if diff.kind == "column-null" and diff.database == "NOT NULL":
            conditions.add("database_stricter")
        if diff.kind == "column-default" and diff.models is not None:
            conditions.add("db_default")  # SQLite DDL has a DEFAULT only for db_default
        finding = self._finding(
            diff.kind, frozenset(conditions), table=diff.table, column=diff.column,
            model=ref.label if ref else "(unknown)", models=_say(diff.models),
            history=_say(diff.history), database=_say(diff.database),
            history_evidence=evidence.sentence,
            **{k: v for k, v in diff.detail.items() if isinstance(v, str)},  # e.g. old_column
        )
        return self._complete(finding, diff, evidence, app, ref)

    def _renamed_target(self, diff: Difference) -> Evidence | None:
        """A key column renamed because the table it points at was renamed (a join table's
        ``<model>_id`` follows its model's name): the cause is that table's rename."""
        if diff.kind != "renamed-column" or diff.signature != "M=H≠D":
            return None
        table = self.m.table(diff.table)
        fk = table.foreign_key((diff.column,)) if table is not None else None
        if fk is None or self.d.table(fk.target_table) is not None:
            return None
        target = self.model_of(fk.target_table)
        return self.evidence.explain(diff.signature, target.app if target else self.app_of(fk.target_table),
                                     target.model if target else None, kind="renamed-table",
                                     table=fk.target_table)

    def _complete(self, finding: Finding, diff: Difference, evidence: Evidence, app, ref,
                  impact=None, count=None) -> Finding:
        return replace(
            finding, signature=diff.signature, cause=evidence.cause, app=app,
            model=ref.label if ref else None, table=diff.table, column=diff.column,
            migration=migration_label(evidence.migration),
            sources={"models": diff.models, "history": diff.history, "database": diff.database},
            impact=impact, count=count,
            # the evidence sentence inside the explanation: findings of one cause repeat it, and
            # the verbose text report then tells it once
            extra={**finding.extra, "provenance": evidence.sentence},
        )

    def stale_table(self, diff: Difference) -> Finding:
        table = self.d.table(diff.table)
        origin = self.m2m_origin(table)
        app = origin.owner.app if origin else self.app_of(table.name)
        evidence = self.evidence.removed_app(app) if app else None
        ref = self.model_of(table.name)  # (a join table's is its auto-created through model)
        gone = None if ref or origin else self.removed_model_of(table.name)
        owner = None if ref or origin or gone else self._join_table_owner(table.name)
        joined = self.removed_model_of(owner.name, current_too=True) if owner is not None else None  # its join table
        gone = gone or joined
        model = ref.model if ref else gone[1] if gone else None
        evidence = evidence or self.evidence.explain(diff.signature, app, model, kind=diff.kind, table=table.name)
        values = dict(table=table.name, table_sql=quote_identifier(table.name),
                      history_evidence=evidence.sentence, app=app or "?")
        if origin:
            template = "m2m_join_table"
            values.update(field=origin.field, owner_model=origin.owner.label, target_model=origin.target.label)
        elif evidence.cause == "removed-app":
            template = "removed_app"
        elif app and joined:
            template = "join_table_of_old_table"  # the model itself may well still be there
            values.update(model_guess=joined[1], owner_table=owner.name)
        elif app:
            template = "removed_model"
            values["model_guess"] = gone[1] if gone else table.name[len(app) + 1:] or table.name
        else:
            template = "default"
        blocked = self.blocked_by(table) if self.data else []
        rows = row_count(self.conn, table.name) if self.data else None
        rule = rule_for("stale-table")
        text = fill(rule.template(template), **values)
        if rows is None:
            text += " " + rule.template("no_data").strip()
        elif blocked:
            text += " " + fill(
                rule.template("blocked_deletes"), rows=rows, targets=self._describe_blocked(blocked),
                when="at commit" if all(b.deferred for b in blocked) else "immediately",
                others=self._describe_unblocked(blocked),
            )
        elif rows == 0:
            text += " " + rule.template("no_rows").strip()
        conditions = frozenset({"blocks_deletes"} if any(b.count for b in blocked) else set())
        finding = replace(self._finding("stale-table", conditions), explanation=text,
                          fix=fill(rule.fix, **values))
        impact = {"rows": rows, "blocked_deletes": [self._blocked_json(b) for b in blocked]}
        ref = origin.owner if origin else None
        finding = self._complete(finding, diff, evidence, app, None, impact=impact, count=rows)
        return replace(finding, model=ref.label if ref else None)

    def blocked_by(self, child: Table) -> list[BlockedParents]:
        """Parents that ``child``'s keys (unknown to Django) stop from being deleted."""
        result = []
        position = {c.name.lower(): i for i, c in enumerate(child.columns)}
        for fk in sorted(child.foreign_keys, key=lambda k: position.get(k.columns[0].lower(), 0)):
            parent = self.d.table(fk.target_table)
            if parent is None or parent.name.lower() == child.name.lower():
                continue
            found = blocked_parents(self.conn, child, fk, parent, self.sample)
            if found is not None and found.count:
                result.append(found)
        return result

    def _describe_blocked(self, blocked: list[BlockedParents]) -> str:
        parts = []
        for b in blocked:
            ref = self.model_of(b.parent_table)
            name = f" ({ref.model})" if ref else ""
            keys = join_values(b.sample, b.count)
            column = b.parent_columns[0] if b.count == 1 else f"{b.parent_columns[0]}s"
            parts.append(f"{b.parent_table}{name} {column} {keys}")
        return " and ".join(parts)

    def _describe_unblocked(self, blocked: list[BlockedParents]) -> str:
        free = [(b.parent_table, b.parent_rows - b.count) for b in blocked if b.parent_rows > b.count]
        if not free:
            return ""
        return " (" + ", ".join(f"the other {counted(n, t + ' row', t + ' rows')}" for t, n in free) + ")"

    def _blocked_json(self, b: BlockedParents) -> dict:
        ref = self.model_of(b.parent_table)
        return {
            "table": b.parent_table, "model": ref.label if ref else None,
            "column": b.parent_columns[0] if len(b.parent_columns) == 1 else list(b.parent_columns),
            "pks": list(b.sample), "count": b.count, "via": f"{b.child_table}.{', '.join(b.child_columns)}",
            "checked": "at commit" if b.deferred else "immediately",
        }

    def m2m_origin(self, table: Table) -> M2MOrigin | None:
        """Is ``table`` the auto-created join table of a ManyToManyField? From its shape and name."""
        if len(table.foreign_keys) != 2 or len(table.columns) != 3:
            return None
        fk_cols = {c.lower() for fk in table.foreign_keys for c in fk.columns}
        others = [c for c in table.columns if c.name.lower() not in fk_cols]
        if len(others) != 1 or not others[0].primary_key:
            return None
        for owner_fk in table.foreign_keys:
            owner_table = owner_fk.target_table
            prefix = owner_table.lower() + "_"
            if not table.name.lower().startswith(prefix):
                continue
            target_fk = next(fk for fk in table.foreign_keys if fk is not owner_fk)
            owner, target = self.model_of(owner_table), self.model_of(target_fk.target_table)
            if owner and target:
                return M2MOrigin(owner, table.name[len(prefix):], target)
        return None

    # -- history ---------------------------------------------------------------------------
    def history_findings(self) -> list[Finding]:
        """History facts (ghosts, unapplied, missing dependencies, rewrites), linked to the drift
        the schema findings attributed to them - so call it after ``schema_finding``."""
        from driftaudit.explain.history_findings import HistoryFindings

        return HistoryFindings(self).all()

def _say(value) -> str:
    return "absent" if value is None else str(value)


class LazyIndex(Mapping):
    """A mapping built by ``make()`` on first use: the history's model index renders ``StateApps``,
    which a report whose tables all belong to models never needs."""

    def __init__(self, make):
        self._make, self._data = make, None

    def _mapping(self) -> dict:
        if self._data is None:
            self._data = self._make()
        return self._data

    def __getitem__(self, key):
        return self._mapping()[key]

    def __iter__(self):
        return iter(self._mapping())

    def __len__(self):
        return len(self._mapping())
