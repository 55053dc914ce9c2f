"""Data findings: what the drift does to the rows, attached to the findings that cause it.

Users meet drift through their data ("I can't delete these rows"), so the report answers in
rows: orphans (``orphan-rows``), groups that block a unique index the models demand
(``duplicate-rows``), NULLs and CHECK failures a missing constraint lets in (``null-rows``,
``check-violation-rows``: the repair must set them aside), and - for every database key Django's deletion collector does not know
about - the parent rows that cannot be deleted through the ORM. Stale tables get theirs in
:mod:`driftaudit.explain`; here: keys the models lack (``fk-extra``), keys pointing at another
table (``fk-target``), ``DO_NOTHING`` keys (``do-nothing-fk``) and immediate keys inside a
cycle (``fk-deferrable``). Every count is made by SQLite (:mod:`driftaudit.data`).
"""

from __future__ import annotations

from dataclasses import replace

from driftaudit.config.rules import counted, fill, join_values, load_causes, rule_for
from driftaudit.explain.finding import Finding
from driftaudit.explain.rows import (
    BlockedParents,
    Duplicates,
    Orphans,
    Progress,
    Rejected,
    blocked_parents,
    duplicates,
    orphans,
    rejected,
)
from driftaudit.schema.catalog import Catalog, ForeignKey
from driftaudit.schema.diff import Difference
from driftaudit.sql import quote_identifier as q

#: ON DELETE actions SQLite performs itself: the key then never blocks a delete.
DATABASE_ACTIONS = frozenset({"CASCADE", "SET NULL", "SET DEFAULT"})


class DataImpact:
    """Row facts for one audit. ``explainer`` lends its catalogs, connection and model names."""

    def __init__(self, explainer, apps, progress: Progress | None = None):
        self.x = explainer
        self.conn = explainer.conn
        self.m: Catalog = explainer.m
        self.d: Catalog = explainer.d
        self.apps = apps
        self.sample = explainer.sample
        self.progress = progress or Progress(False)

    # -- impact on schema findings ---------------------------------------------------------
    def attach(self, findings: list[Finding]) -> list[Finding]:
        """The schema findings, with the deletes their database keys block added to ``impact``."""
        cycles = key_cycles(self.d)
        out = []
        for finding in findings:
            if finding.kind in ("fk-extra", "fk-target", "fk-deferrable") and finding.table:
                finding = self._blocking_key(finding, cycles)
            out.append(finding)
        return out

    def _blocking_key(self, finding: Finding, cycles: set) -> Finding:
        child = self.d.table(finding.table)
        key = tuple(c.strip().lower() for c in (finding.column or "").split(","))
        fk = child.foreign_key(key) if child else None
        if fk is None or fk.on_delete.upper() in DATABASE_ACTIONS:
            return finding
        if finding.kind == "fk-deferrable":
            in_cycle = (child.name.lower(), fk.target_table.lower()) in cycles
            if fk.deferrable or not in_cycle or not self._parent_deleted_first(child.name, fk):
                return finding
        parent = self.d.table(fk.target_table)
        if parent is None:
            return self._dangling_key(finding, child, fk)
        blocked = blocked_parents(self.conn, child, fk, parent, self.sample)
        if blocked is None or not blocked.count:
            return finding
        rule = rule_for(finding.kind)
        text = fill(rule.template("blocked_deletes"), **self._blocked_words(blocked))
        impact = dict(finding.impact or {})
        impact["blocked_deletes"] = [self.x._blocked_json(blocked)]
        return replace(finding, explanation=f"{finding.explanation} {text}", impact=impact,
                       count=blocked.count, severity=rule.severity_for(frozenset({"blocks_deletes"})))

    def _dangling_key(self, finding: Finding, child, fk: ForeignKey) -> Finding:
        """A key naming a table that does not exist: every row with a value is affected.

        Those rows are also what ``PRAGMA foreign_key_check`` lists; they are counted here, on
        the finding that explains them, instead of as orphans let in with checks off.
        """
        where = " AND ".join(f"{q(c)} IS NOT NULL" for c in fk.columns)
        count = self.conn.execute(f"SELECT count(*) FROM {q(child.name)} WHERE {where}").fetchone()[0]
        if not count:
            return finding
        text = fill(rule_for(finding.kind).template("dangling_rows"), count=count, table=child.name,
                    column=", ".join(fk.columns), parent=fk.target_table)
        impact = dict(finding.impact or {})
        impact["rows_referencing_missing_table"] = {"table": fk.target_table, "count": count}
        return replace(finding, explanation=f"{finding.explanation} {text}", impact=impact, count=count)

    def _model(self, table: str):
        ref = self.x.models_index.get(table.lower())
        try:
            return self.apps.get_model(ref.label) if ref else None
        except LookupError:
            return None

    def _parent_deleted_first(self, child_table: str, fk: ForeignKey) -> bool:
        """Does Django delete the parent rows before the child rows that reference them?

        The collector orders "child first" only along non-null CASCADE keys; a nullable CASCADE
        key adds no order, and inside a cycle the parent model's own non-null CASCADE key to the
        child model puts the parent first. A SET_NULL key is cleared before any delete.
        """
        from django.db import models

        child, parent = self._model(child_table), self._model(fk.target_table)
        if child is None or parent is None:
            return False
        field = next((f for f in child._meta.local_fields
                      if (f.column or "").lower() == fk.key[0] and getattr(f, "remote_field", None)), None)
        if field is None or field.remote_field.on_delete is not models.CASCADE or not field.null:
            return False
        return any(getattr(f, "remote_field", None) and f.remote_field.model is child and not f.null
                   and f.remote_field.on_delete is models.CASCADE for f in parent._meta.local_fields)

    def _blocked_words(self, b: BlockedParents) -> dict:
        ref = self.x.model_of(b.parent_table)
        return dict(parent=b.parent_table, parent_model=ref.label if ref else b.parent_table,
                    child=b.child_table, column=", ".join(b.child_columns),
                    targets=self.x._describe_blocked([b]), count=b.count,
                    when="at commit" if b.deferred else "immediately")

    # -- findings of their own -------------------------------------------------------------
    def findings(self, differences: list[Difference]) -> list[Finding]:
        explained = {(d.table.lower(), (d.column or "").lower()) for d in differences if d.kind == "fk-target"}
        out = [self._orphan_finding(o) for o in orphans(self.conn, self.d, self.sample, self.progress)
               if o.parent_exists or (o.child_table.lower(), ", ".join(o.child_columns).lower()) not in explained]
        out += self._duplicate_findings(differences)
        out += self._rejected_findings(differences)
        out += self._do_nothing_findings()
        return out

    def _orphan_finding(self, o: Orphans) -> Finding:
        rule = rule_for("orphan-rows")
        legacy = not o.parent_exists and o.parent_table.lower().endswith("__old")
        cause = "legacy-rename-bug" if legacy else "fk-checks-disabled"
        evidence = fill(load_causes().get(cause, {}).get("evidence", ""), target=o.parent_table)
        column = ", ".join(o.child_columns)
        parent_column = ", ".join(o.parent_columns) or "?"
        text = fill(rule.template("default" if o.parent_exists else "missing_table"),
                    count=o.count, table=o.child_table, column=column, parent=o.parent_table,
                    parent_column=parent_column, pks=join_values(o.pks, o.count),
                    missing=join_values(o.missing, len(o.missing)), cause_evidence=evidence)
        ref = self.x.model_of(o.child_table)
        return Finding(
            rule=rule.id, kind="orphan-rows", severity=rule.severity, signature=None, cause=cause,
            explanation=text, fix=fill(rule.fix, table=o.child_table, column=column),
            app=ref.app if ref else self.x.app_of(o.child_table), model=ref.label if ref else None,
            table=o.child_table, column=column, count=o.count,
            sources={"models": None, "history": None,
                     "database": f"{counted(o.count, 'row', 'rows')} with no {o.parent_table} row"},
            impact={"rows": o.count, "pks": list(o.pks),
                    "missing_parents": {"table": o.parent_table, "column": parent_column,
                                        "values": list(o.missing), "table_exists": o.parent_exists}},
        )

    def _duplicate_findings(self, differences: list[Difference]) -> list[Finding]:
        out = []
        for diff in differences:
            if diff.kind != "unique-missing":
                continue
            table, wanted = self.d.table(diff.table), self.m.table(diff.table)
            name = diff.detail.get("index_name")
            index = next((ix for ix in (wanted.indexes if wanted else ()) if ix.name == name), None)
            if table is None or index is None:
                continue
            found = duplicates(self.conn, table, index.columns, index.where, self.sample, self.progress)
            if found and found.groups:
                out.append(self._duplicate_finding(found, diff))
        return out

    def _duplicate_finding(self, dup: Duplicates, diff: Difference) -> Finding:
        rule = rule_for("duplicate-rows")
        column = ", ".join(dup.columns)
        groups = "; ".join(
            f"{_values(g.values)} in {g.count} rows ({join_values(g.pks, g.count)})" for g in dup.sample)
        if dup.groups > len(dup.sample):
            groups += f"; and {counted(dup.groups - len(dup.sample), 'more group', 'more groups')}"
        text = fill(rule.template("default"), groups=dup.groups, rows=dup.rows, table=dup.table,
                    column=column, sample=groups,
                    where=f" WHERE {dup.where}" if dup.where else "")
        ref = self.x.model_of(dup.table)
        return Finding(
            rule=rule.id, kind="duplicate-rows", severity=rule.severity, signature=diff.signature,
            cause="unknown", explanation=text, fix=fill(rule.fix, table=dup.table, column=column),
            app=ref.app if ref else self.x.app_of(dup.table), model=ref.label if ref else None,
            table=dup.table, column=column, count=dup.rows,
            sources={"models": diff.models, "history": diff.history, "database": diff.database},
            impact={"rows": dup.rows, "groups": dup.groups,
                    "duplicates": [{"values": list(g.values), "count": g.count, "pks": list(g.pks)}
                                   for g in dup.sample]},
        )

    def _rejected_findings(self, differences: list[Difference]) -> list[Finding]:
        """NULLs under a NOT NULL, rows failing a CHECK, that the models add and the database lacks."""
        out = []
        for diff in differences:
            table = self.d.table(diff.table)
            if table is None:
                continue
            if diff.kind == "column-null" and diff.models == "NOT NULL" and table.column(diff.column or ""):
                found = rejected(self.conn, table, f"{q(diff.column)} IS NULL", diff.column, self.sample,
                                 self.progress)
                kind = "null-rows"
            elif diff.kind == "check-missing" and diff.models:
                found = rejected(self.conn, table, f"NOT ({diff.models})", diff.models, self.sample, self.progress)
                kind = "check-violation-rows"
            else:
                continue
            if found:
                out.append(self._rejected_finding(kind, found, diff))
        return out

    def _rejected_finding(self, kind: str, r: Rejected, diff: Difference) -> Finding:
        rule = rule_for(kind)
        words = dict(count=r.count, table=r.table, column=diff.column or "", check=r.condition,
                     pks=join_values(r.pks, r.count))
        ref = self.x.model_of(r.table)
        return Finding(
            rule=rule.id, kind=kind, severity=rule.severity, signature=diff.signature,
            cause="unknown", explanation=fill(rule.template("default"), **words), fix=fill(rule.fix, **words),
            app=ref.app if ref else self.x.app_of(r.table), model=ref.label if ref else None,
            table=r.table, column=diff.column, count=r.count,
            sources={"models": diff.models, "history": diff.history, "database": diff.database},
            impact={"rows": r.count, "pks": list(r.pks), "rejected_by": r.condition},
        )

    def _do_nothing_findings(self) -> list[Finding]:
        """Keys the models declare ``on_delete=DO_NOTHING`` that the database still enforces."""
        from django.db import models

        out = []
        for model in self.apps.get_models():
            meta = model._meta
            child = self.d.table(meta.db_table)
            if child is None or not meta.managed or meta.proxy:
                continue
            for field in meta.local_fields:
                remote = getattr(field, "remote_field", None)
                if remote is None or getattr(remote, "on_delete", None) is not models.DO_NOTHING:
                    continue
                fk = child.foreign_key((field.column.lower(),))
                if fk is None or fk.on_delete.upper() in DATABASE_ACTIONS:
                    continue
                parent = self.d.table(fk.target_table)
                blocked = blocked_parents(self.conn, child, fk, parent, self.sample) if parent else None
                if blocked and blocked.count:
                    out.append(self._do_nothing_finding(meta, field, fk, blocked))
        return out

    def _do_nothing_finding(self, meta, field, fk: ForeignKey, b: BlockedParents) -> Finding:
        rule = rule_for("do-nothing-fk")
        words = self._blocked_words(b)
        text = fill(rule.template("default"), model=meta.label, field=field.name, **words)
        return Finding(
            rule=rule.id, kind="do-nothing-fk", severity=rule.severity, signature=None,
            cause="unknown", explanation=text,
            fix=fill(rule.fix, model=meta.label, field=field.name, **words),
            app=meta.app_label, model=meta.label, table=b.child_table, column=field.column,
            count=b.count, sources={"models": "on_delete=DO_NOTHING", "history": None,
                                    "database": fk.describe()},
            impact={"blocked_deletes": [self.x._blocked_json(b)]},
        )


def key_cycles(catalog: Catalog) -> set[tuple[str, str]]:
    """(child, parent) pairs of keys that lie on a cycle of two or more tables.

    Django orders its deletes child-first along the keys it knows, but inside a cycle there is
    no such order: it relies on keys being checked at commit (Tarjan's strongly connected
    components of the table graph, iteratively).
    """
    graph = {name: sorted({fk.target_table.lower() for fk in t.foreign_keys} & set(catalog.tables))
             for name, t in catalog.tables.items()}
    index, low, on_stack, stack, component = {}, {}, set(), [], {}
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        members.append(top)
                        if top == node:
                            break
                    for member in members:
                        component[member] = (node, len(members))
    return {(child, parent) for child, parents in graph.items() for parent in parents
            if child != parent and component[child] == component[parent] and component[child][1] > 1}


def _values(values: tuple) -> str:
    return ", ".join(repr(v) for v in values) if len(values) > 1 else repr(values[0])
