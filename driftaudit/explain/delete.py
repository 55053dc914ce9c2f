"""``driftaudit explain-delete APP_LABEL.Model PK``: would ``Model.objects.get(pk=PK).delete()`` work?

Two halves, never a write:
1. What Django would do: its own deletion ``Collector`` collects the object over a *read-only*
   Django connection to the audited file (``mode=ro`` + ``PRAGMA query_only``, a private alias),
   and we lay out the statements ``Collector.delete()`` would run, in its order: fast deletes,
   field updates, then deletes per model (sorted, reversed, in chunks of 100).
2. What the database enforces: every key of the real schema that points at a table rows leave,
   replayed statement by statement - immediate keys (and RESTRICT) at the statement, deferred
   keys at commit, SQLite's own ON DELETE actions applied - with read-only indexed lookups.
A reference that is still there when its key is checked is a blocker, named with its rows and
why Django did not clear it (a table or key the models do not know, DO_NOTHING, an immediate
key in an order Django only gets away with when keys are deferred). Memory grows with the rows
the delete itself touches, as in Django's collector; blocker samples are bounded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from driftaudit.config.rules import counted
from driftaudit.errors import AuditError
from driftaudit.explain.rows import DEFAULT_SAMPLE, row_identity
from driftaudit.schema.catalog import Catalog, ForeignKey, Table
from driftaudit.sql import quote_identifier as q

ALIAS = "driftaudit_readonly"
CHUNK = 500  # parameters per IN (...) lookup


@dataclass(frozen=True)
class Statement:
    """One SQL statement Django's collector would run for the delete (a cascade, a SET NULL)."""

    action: str  # "delete" | "update"
    table: str
    pks: tuple
    model: str
    column: str | None = None  # updated column


@dataclass(frozen=True)
class Blocker:
    """Rows whose key would point at a deleted parent: why the delete fails, and when SQLite says so."""

    child_table: str
    child_columns: tuple[str, ...]
    parent_table: str
    parent_pks: tuple  # referenced deleted parents (sample)
    child_pks: tuple  # referencing rows (sample)
    count: int
    when: str  # "immediately" | "at commit"
    statement: int | None  # 1-based index of the failing statement (immediate)
    reason: str  # template name in rules/explain_delete.yaml
    words: dict = field(default_factory=dict, compare=False)


@dataclass
class Verdict:
    """What ``explain-delete`` found: the statements, what blocks them, what the database itself does."""

    model: str
    pk: object
    statements: list[Statement]
    blockers: list[Blocker]
    database_actions: list[str]
    refused: str | None = None  # Django itself refuses (PROTECT / RESTRICT)

    @property
    def succeeds(self) -> bool:
        return not self.blockers and not self.refused


def readonly_django_connection(path: str):
    """Register (once) and return a Django connection alias reading ``path`` read-only."""
    from django.db import connections

    from driftaudit.sources.database import readonly_uri

    uri = readonly_uri(Path(path))
    # configure_settings fills Django's defaults (it insists on a "default" key: lend it ours)
    connections.settings[ALIAS] = connections.configure_settings(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": uri}})["default"]
    wrapper = connections[ALIAS]
    wrapper.ensure_connection()
    wrapper.connection.execute("PRAGMA query_only = ON")
    return wrapper


def plan(model, pk_text: str):
    """The object and the statements Django's ``Collector.delete()`` would run for it."""
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError
    from django.db.models import ProtectedError, RestrictedError
    from django.db.models.deletion import Collector

    label = model._meta.label
    try:
        pk = model._meta.pk.to_python(pk_text)
        obj = model._default_manager.using(ALIAS).get(pk=pk)
    except (ValidationError, ValueError, TypeError):
        raise AuditError(f"'{pk_text}' is not a valid primary key for {label}") from None
    except model.DoesNotExist:
        raise AuditError(f"no {label} with pk {pk_text} in the database "
                         f"({label}.objects.get(pk={pk_text}) raises DoesNotExist)") from None
    except DatabaseError as exc:
        raise AuditError(f"cannot read {label} {pk_text} through the models: {exc}") from None
    collector = Collector(using=ALIAS, origin=obj)
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as exc:
        objs = list(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", []))[:DEFAULT_SAMPLE]
        return pk, [], f"{type(exc).__name__}: " + ", ".join(f"{o._meta.label} {o.pk}" for o in objs)
    except DatabaseError as exc:
        raise AuditError(f"Django cannot collect {label} {pk_text} on this database: {exc}") from None
    return pk, _statements(collector), None


def _statements(collector) -> list[Statement]:
    from django.db.models import QuerySet
    from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE

    for model, instances in collector.data.items():
        collector.data[model] = sorted(instances, key=attrgetter("pk"))
    collector.sort()
    out = []

    def pks_of(qs):
        return tuple(qs.values_list("pk", flat=True).order_by())

    if len(collector.data) == 1:
        (model, instances), = collector.data.items()
        if len(instances) == 1 and collector.can_fast_delete(instances[0]):
            return [Statement("delete", model._meta.db_table, (instances[0].pk,), model._meta.label)]
    for qs in collector.fast_deletes:
        out.append(Statement("delete", qs.model._meta.db_table, pks_of(qs), qs.model._meta.label))
    for (fld, _value), instances_list in collector.field_updates.items():
        for instances in instances_list:
            model = fld.model
            pks = pks_of(instances) if isinstance(instances, QuerySet) else tuple(o.pk for o in instances)
            out.append(Statement("update", model._meta.db_table, pks, model._meta.label, fld.column))
    for model, instances in collector.data.items():
        pks = [o.pk for o in reversed(instances)]
        for start in range(0, len(pks), GET_ITERATOR_CHUNK_SIZE):
            out.append(Statement("delete", model._meta.db_table, tuple(pks[start:start + GET_ITERATOR_CHUNK_SIZE]),
                                 model._meta.label))
    return out


class Enforcer:
    """Replays the statements against the real keys, reading only."""

    def __init__(self, conn: sqlite3.Connection, catalog: Catalog, apps, sample: int = DEFAULT_SAMPLE):
        self.conn, self.d, self.apps, self.sample = conn, catalog, apps, sample
        self.deleted: dict[str, set] = {}
        self.nulled: dict[tuple, set] = {}
        self.actions: list[str] = []

    def run(self, statements: list[Statement]) -> tuple[list[Blocker], list[str]]:
        pending = []
        for number, st in enumerate(statements, 1):
            table = st.table.lower()
            if st.action == "update":
                self.nulled.setdefault((table, (st.column or "").lower()), set()).update(st.pks)
                continue
            work = [(table, st.pks)]
            while work:  # the statement, then SQLite's own ON DELETE actions it triggers
                parent, pks = work.pop()
                self.deleted.setdefault(parent, set()).update(pks)
                for child, fk in self.d.referencing(parent):
                    action = fk.on_delete.upper()
                    if action in ("CASCADE", "SET NULL", "SET DEFAULT"):
                        rows = self._references(child, fk, parent, pks, limit=None)[1]
                        if rows:
                            self._db_action(child, fk, action, rows, work)
                    elif action == "RESTRICT" or not fk.deferrable:
                        blocker = self._check(child, fk, parent, pks, "immediately", number)
                        if blocker:
                            return [blocker], self.actions
                    else:
                        pending.append((child, fk, parent, pks))
        blockers = [b for args in pending if (b := self._check(*args, "at commit", None))]
        return _merge(blockers), self.actions

    def _db_action(self, child: Table, fk: ForeignKey, action: str, rows: list, work: list) -> None:
        self.actions.append(f"{action}: {counted(len(rows), child.name + ' row', child.name + ' rows')}")
        if action == "CASCADE":
            work.append((child.name.lower(), tuple(rows)))
        else:
            self.nulled.setdefault((child.name.lower(), fk.key[0]), set()).update(rows)

    def _check(self, child: Table, fk: ForeignKey, parent: str, pks: tuple, when: str, number):
        count, rows, parents = self._references(child, fk, parent, pks, self.sample)
        if not count:
            return None
        return Blocker(child.name, fk.columns, self.d.table(parent).name, tuple(parents), tuple(rows),
                       count, when, number, *self._reason(child, fk, when))

    def _references(self, child: Table, fk: ForeignKey, parent: str, pks: tuple, limit):
        """Rows of ``child`` still referencing the deleted ``pks`` of ``parent`` through ``fk``."""
        if len(fk.columns) != 1:
            return 0, [], []
        ptable = self.d.table(parent)
        target = fk.target_columns[0] or (ptable.primary_key_columns or ("rowid",))[0]
        values = list(pks)
        if ptable.primary_key_columns != (target,) and target.lower() != "rowid":
            values = self._target_values(ptable, target, pks)
        gone = self.deleted.get(child.name.lower(), set())
        nulled = self.nulled.get((child.name.lower(), fk.key[0]), set())
        ident, col = row_identity(child), q(fk.columns[0])
        count, rows, parents = 0, [], []
        for start in range(0, len(values), CHUNK):
            chunk = values[start:start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            for ident_value, ref in self.conn.execute(
                    f"SELECT {ident}, {col} FROM {q(child.name)} WHERE {col} IN ({marks}) ORDER BY 1", chunk):
                if ident_value in gone or ident_value in nulled:
                    continue
                count += 1
                if limit is None or len(rows) < limit:
                    rows.append(ident_value)
                if ref not in parents and (limit is None or len(parents) < limit):
                    parents.append(ref)
        return count, rows, parents

    def _target_values(self, table: Table, target: str, pks: tuple) -> list:
        ident, out = row_identity(table), []
        for start in range(0, len(pks), CHUNK):
            chunk = list(pks[start:start + CHUNK])
            marks = ", ".join("?" * len(chunk))
            out += [r[0] for r in self.conn.execute(
                f"SELECT {q(target)} FROM {q(table.name)} WHERE {ident} IN ({marks})", chunk)]
        return out

    def _reason(self, child: Table, fk: ForeignKey, when: str) -> tuple[str, dict]:
        """Why Django left this reference in place: the template name and its words."""
        from django.db import models

        words = {"child": child.name, "column": ", ".join(fk.columns), "parent": fk.target_table}
        model = next((m for m in self.apps.get_models(include_auto_created=True)
                      if m._meta.db_table.lower() == child.name.lower()), None)
        if fk.on_delete.upper() == "RESTRICT":
            return "restrict", words
        if model is None:
            origin = _join_table_origin(child, self.apps)
            if origin:
                words.update(origin)
                return "stale_join_table", words
            return "stale_table", words
        words["model"] = model._meta.label
        field = next((f for f in model._meta.local_fields
                      if (f.column or "").lower() == fk.key[0] and getattr(f, "remote_field", None)), None)
        if field is None:
            return "fk_extra", words
        words["field"] = field.name
        if field.remote_field.model._meta.db_table.lower() != fk.target_table.lower():
            words["model_target"] = field.remote_field.model._meta.db_table
            return "fk_target", words
        if field.remote_field.on_delete is models.DO_NOTHING:
            return "do_nothing", words
        if when == "immediately":
            return "immediate_order", words
        return "unknown", words


def _join_table_origin(table: Table, apps) -> dict | None:
    """A stale table shaped like an auto-created M2M join table: which removed field made it."""
    if len(table.foreign_keys) != 2 or len(table.columns) != 3:
        return None
    by_table = {m._meta.db_table.lower(): m for m in apps.get_models()}
    for fk in table.foreign_keys:
        prefix = fk.target_table.lower() + "_"
        owner = by_table.get(fk.target_table.lower())
        if owner is not None and table.name.lower().startswith(prefix):
            return {"owner": owner._meta.label, "removed_field": table.name[len(prefix):]}
    return None


def _merge(blockers: list[Blocker]) -> list[Blocker]:
    """One blocker per (child table, key): several statements may check the same key."""
    merged: dict[tuple, Blocker] = {}
    for b in blockers:
        key = (b.child_table.lower(), b.child_columns, b.parent_table.lower())
        if key in merged:
            old = merged[key]
            b = Blocker(b.child_table, b.child_columns, b.parent_table,
                        tuple(dict.fromkeys(old.parent_pks + b.parent_pks))[:DEFAULT_SAMPLE],
                        tuple(dict.fromkeys(old.child_pks + b.child_pks))[:DEFAULT_SAMPLE],
                        old.count + b.count, b.when, None, b.reason, b.words)
        merged[key] = b
    return list(merged.values())


def explain_delete(conn: sqlite3.Connection, path: str, apps, label: str, pk_text: str) -> Verdict:
    from driftaudit.schema.introspect import read_catalog

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise AuditError(f"unknown model '{label}': give APP_LABEL.Model, e.g. "
                         f"{next(iter(apps.get_models()))._meta.label}") from None
    readonly_django_connection(path)
    pk, statements, refused = plan(model, pk_text)
    if refused:
        return Verdict(model._meta.label, pk, [], [], [], refused)
    blockers, actions = Enforcer(conn, read_catalog(conn), apps).run(statements)
    return Verdict(model._meta.label, pk, statements, blockers, actions)


