"""How did it happen? Evidence from the history for one drifted object, turned into a cause.

Four states decide it, not three: the models (M), the state at the *leaf* migration files (L),
the state at the *applied* nodes (H) and the database (D).

* M≠H=D and L=M: the files already make the change, ``migrate`` was not run → unapplied-migration.
* M≠H=D and L≠M: no file makes it yet → pending-model-change (makemigrations was not run).
* M=H≠D: the history says the database has it, the database does not. Then, in order:
  a removed app; a ghost (recorded, file gone) whose operations explain the object →
  deleted-migration; the applied migration that makes the change, if its file changed after it
  was recorded (git log, or the file's mtime) → rewritten-migration, else → faked-migration;
  any file of the app changed after being recorded → rewritten-migration; any ghost of the app →
  deleted-migration (low confidence); nothing → manual-sql.

A file's mtime alone never proves a rewrite (a checkout touches every file): it is only used
when the state mismatch is already there. Every cause comes with the sentence that states its
evidence and confidence (from ``rules/causes.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from importlib import import_module
from pathlib import Path

from driftaudit.config.rules import fill, load_causes
from driftaudit.explain.ghosts import (
    InferredOperation,
    describe_all,
    from_operations,
    infer_from_name,
)
from driftaudit.sources.git import (
    Commit,
    DeletedFile,
    FileVersion,
    GitRepository,
    load_migration_text,
)
from driftaudit.sources.history import History, migration_label
from driftaudit.sources.history_names import HistoryNames, history_names

#: objects a migration makes inside a table it creates: when that table exists, the migration
#: ran, and the object missing from it was removed later, by hand
UNDONE_KINDS = ("index-missing", "unique-missing", "check-missing", "fk-missing")
INVERSE = {
    "stale-table": "missing-table", "stale-column": "missing-column", "fk-extra": "fk-missing",
    "index-extra": "index-missing", "unique-extra": "unique-missing", "check-extra": "check-missing",
}
INVERSE.update({v: k for k, v in INVERSE.items()})


@dataclass(frozen=True)
class RewrittenMigration:
    key: tuple
    applied: datetime
    modified: datetime
    commit: Commit | None = None  # the commit that changed the file after it was recorded
    previous: FileVersion | None = None  # the version committed before that (most likely applied)


@dataclass(frozen=True)
class Ghost:
    """A recorded migration whose file is gone, and what it most likely did."""

    key: tuple
    applied: datetime | None
    operations: tuple[InferredOperation, ...]
    recovered: DeletedFile | None = None


@dataclass(frozen=True)
class Evidence:
    cause: str
    migration: tuple | None
    sentence: str
    applied: str | None = None
    confidence: str = "low"


def parse_applied(text) -> datetime | None:
    if isinstance(text, datetime):
        return text.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(text).replace("T", " ").split("+")[0])
    except ValueError:
        return None


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "an unknown date"


def makes(op: InferredOperation, kind: str, table_model: str | None, column: str | None) -> bool:
    """Does applying ``op`` bring the database from the difference ``kind`` to the models?"""
    return op.explains(INVERSE.get(kind, kind), table_model, column)


class EvidenceFinder:
    def __init__(self, history: History, installed_apps: set, use_tz: bool,
                 models=None, database=None):
        self.history = history
        self.installed = installed_apps
        self.use_tz = use_tz
        self.models_catalog, self.database_catalog = models, database
        self.causes = load_causes()
        self.claimed: dict[tuple, list] = {}  # migration key -> the objects its evidence explained

    # -- the facts -------------------------------------------------------------------------
    @cached_property
    def names(self) -> HistoryNames:
        """Every index, constraint and column name a migration file gave (removed apps' too)."""
        return history_names(self.history, self.installed)

    @cached_property
    def git(self) -> GitRepository | None:
        for key in self.history.applied_plan + list(self.history.ghosts):
            folder = self.migrations_dir(key[0])
            if folder is not None:
                return GitRepository.find(folder)
        return None

    def migrations_dir(self, app: str) -> Path | None:
        """Where ``app``'s migration files live (or lived), even when the package is gone."""
        from django.apps import apps

        try:
            config = apps.get_app_config(app)
        except LookupError:
            return None
        module_name, _ = self.history.loader.migrations_module(app)
        if module_name:
            try:
                module = import_module(module_name)
                return Path(next(iter(module.__path__)))
            except Exception:  # noqa: BLE001 - deleted or broken package: guess the usual place
                pass
        return Path(config.path) / "migrations"

    def model_names(self, app: str) -> set[str]:
        """Lower-case names of every model ``app`` is known to have had (to read ghost names)."""
        names = set()
        for state in (self.history.applied_state, self.history.leaf_state):
            if state is not None:
                names |= {name for (label, name) in state.models if label == app}
        from django.apps import apps

        try:
            names |= {m._meta.model_name for m in apps.get_app_config(app).get_models()}
        except LookupError:
            pass
        if self.database_catalog is not None:
            prefix = f"{app.lower()}_"
            for table in self.database_catalog.tables:
                rest = table.lower()[len(prefix):] if table.lower().startswith(prefix) else ""
                if rest and not any(rest.startswith(f"{known}_") for known in names):
                    names.add(rest)
        return names

    @cached_property
    def ghosts(self) -> dict[tuple, Ghost]:
        found = {}
        for key in self.history.ghosts:
            applied = parse_applied(self.history.records.get(key))
            recovered = self.recover_deleted(key)
            operations = ()
            if recovered is not None:
                migration = load_migration_text(recovered.last.text, *key)
                operations = from_operations(migration.operations) if migration else ()
            if not operations:
                operations = infer_from_name(key[1], self.model_names(key[0]))
            found[key] = Ghost(key, applied, operations, recovered)
        return found

    def recover_deleted(self, key: tuple) -> DeletedFile | None:
        folder = self.migrations_dir(key[0])
        if self.git is None or folder is None:
            return None
        return self.git.deleted(folder / f"{key[1]}.py")

    @cached_property
    def rewritten(self) -> list[RewrittenMigration]:
        """Applied migrations whose file changed after they were recorded (by mtime)."""
        return [r for r in (self.rewrite_of(key) for key in self.history.applied_plan) if r]

    def rewrite_of(self, key: tuple) -> RewrittenMigration | None:
        """Was ``key``'s file changed after it was recorded? Git says so if it can, else the mtime."""
        cache = self.__dict__.setdefault("_rewrites", {})
        if key in cache:
            return cache[key]
        cache[key] = None
        applied = parse_applied(self.history.records.get(key))
        path = self.history.migration_file(key)
        if applied is None or not path or not Path(path).is_file():
            return None
        mtime = Path(path).stat().st_mtime
        modified = (datetime.fromtimestamp(mtime, tz=timezone.utc).replace(tzinfo=None)
                    if self.use_tz else datetime.fromtimestamp(mtime))
        versions = self.git.versions(path) if self.git else []
        if versions:
            # Git dates have whole seconds, and the first version may well be committed after
            # `migrate` ran: a rewrite is a *later* version committed in or after the second
            # the record was written.
            floor = applied.replace(microsecond=0)
            for previous, version in zip(versions, versions[1:]):
                if version.commit.naive(self.use_tz) >= floor:
                    cache[key] = RewrittenMigration(key, applied, version.commit.naive(self.use_tz),
                                                    version.commit, previous)
                    break
            return cache[key]  # git knows the file: its log, not the mtime, decides
        if modified > applied:
            cache[key] = RewrittenMigration(key, applied, modified)
        return cache[key]

    @cached_property
    def leaf_catalog(self):
        """The database the leaf migration files would make (the fourth state)."""
        from driftaudit.schema.introspect import read_catalog
        from driftaudit.sources.models import render_models

        if self.history.leaf_state is None:
            return None
        try:
            return read_catalog(render_models(self.history.leaf_state.apps).connection)
        except Exception:  # noqa: BLE001 - a leaf state Django cannot render: no L evidence
            return None

    def leaf_agrees_with_models(self, kind: str, table: str | None, column: str | None) -> bool | None:
        """Do the leaf files already have what the models have for this object?"""
        if self.leaf_catalog is None or self.models_catalog is None or self.database_catalog is None or not table:
            return None
        from driftaudit.schema.diff import ThreeWayDiff

        index = self.__dict__.get("_leaf_index")
        if index is None:
            diffs = ThreeWayDiff(self.models_catalog, self.leaf_catalog, self.database_catalog).run()
            index = {(d.kind, d.table.lower(), (d.column or "").lower()): d for d in diffs}
            self.__dict__["_leaf_index"] = index
        diff = index.get((kind, table.lower(), (column or "").lower()))
        if diff is None:
            return None
        return diff.history == diff.models

    # -- sentences -------------------------------------------------------------------------
    def _sentence(self, cause: str, variant: str = "", **values) -> str:
        entry = self.causes.get(cause, {})
        template = entry.get(f"evidence_{variant}") if variant else None
        return fill(template or entry.get("evidence", ""), **values)

    def _evidence(self, cause: str, key: tuple | None = None, variant: str = "",
                  confidence: str = "medium", **values) -> Evidence:
        applied = self.history.records.get(key) if key else None
        values.setdefault("migration", migration_label(key) or "")
        values.setdefault("applied", fmt_time(parse_applied(applied)) if applied else "")
        values.setdefault("confidence", confidence)
        return Evidence(cause, key, self._sentence(cause, variant, **values),
                        str(applied) if applied else None, confidence)

    def ghost_evidence(self, ghost: Ghost, linked: bool) -> Evidence:
        values = dict(operations=describe_all(ghost.operations) or "did something its name does not say")
        if ghost.recovered is not None:
            deleted, last = ghost.recovered.deleted_in, ghost.recovered.last
            return self._evidence(
                "deleted-migration", ghost.key, "git", "high" if linked else "medium", **values,
                path=last.path, deleted_sha=deleted.short, deleted_date=fmt_time(deleted.naive(self.use_tz)),
                deleted_subject=deleted.subject, last_sha=last.commit.short)
        if linked:
            return self._evidence("deleted-migration", ghost.key, "named", "medium", **values)
        return self._evidence("deleted-migration", ghost.key, "", "low", app=ghost.key[0])

    def rewritten_evidence(self, rewrite: RewrittenMigration, state_named: bool) -> Evidence:
        values = dict(applied=fmt_time(rewrite.applied), modified=fmt_time(rewrite.modified))
        if rewrite.commit is not None:
            previous = rewrite.previous
            return self._evidence(
                "rewritten-migration", rewrite.key, "git", "high", **values, sha=rewrite.commit.short,
                subject=rewrite.commit.subject, path=previous.path if previous else "",
                previous_sha=previous.commit.short if previous else "?")
        return self._evidence("rewritten-migration", rewrite.key, "", "medium" if state_named else "low",
                              **values)

    # -- the decision ----------------------------------------------------------------------
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
                kind: str | None = None, table: str | None = None, column: str | None = None) -> Evidence:
        """The most likely cause for a difference with ``signature`` in ``app``."""
        table_model = self.table_model(app, model, table)
        column = column if column is not None else field
        if signature == "M≠H=D":
            unapplied = self._unapplied_maker(app, kind, table_model, column) if kind else None
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
            for ghost in self._ghosts_of(app):
                if any(op.explains(kind, table_model, column) for op in ghost.operations):
                    return self._claim(self.ghost_evidence(ghost, linked=True), kind, table, column)
            maker = self._applied_maker(app, kind, table_model, column)
            if maker:
                rewrite = self.rewrite_of(maker)
                if rewrite:
                    return self._claim(self.rewritten_evidence(rewrite, True), kind, table, column)
                made = self._made_table(maker, table) if kind in UNDONE_KINDS else None
                if made:  # it ran: its table is there, with this object gone since
                    return self._evidence("manual-sql", maker, "undone", "medium", table=made,
                                          object=f"{kind.split('-')[0]} on {column}" if column else kind)
                return self._claim(self._evidence("faked-migration", maker, confidence="medium"), kind,
                                   table, column)
        rewritten = [r for r in self.rewritten if r.key[0] == app]
        if rewritten:
            return self._claim(self.rewritten_evidence(rewritten[0], False), kind, table, column)
        ghosts = self._ghosts_of(app)
        if ghosts:
            return self._claim(self.ghost_evidence(ghosts[-1], linked=False), kind, table, column)
        return self._evidence("manual-sql", confidence="low")

    def table_model(self, app: str | None, model: str | None, table: str | None) -> str | None:
        """Lower-case model name of a table: the model's, else the one a migration file made it
        for (also under a ``db_table``), else the table name without ``app_``."""
        if not model and table:
            made = self.names.tables.get(table.lower())
            if made and (app is None or made[0] == app):
                return made[1]
        return _table_model(app, model, table)

    def _made_table(self, key: tuple, table: str | None) -> str | None:
        """``table``, when migration ``key`` created it and the database has it: the migration ran."""
        if not table or self.database_catalog is None or self.database_catalog.table(table) is None:
            return None
        app = key[0]
        for op in self._operations(key):
            if op.action == "create-model" and self.table_model(app, None, table) == op.model:
                return self.database_catalog.table(table).name
        return None

    def _claim(self, evidence: Evidence, kind, table, column) -> Evidence:
        if evidence.migration:
            self.claimed.setdefault(evidence.migration, []).append((evidence, kind, table, column))
        return evidence

    def _ghosts_of(self, app: str | None) -> list[Ghost]:
        return [g for key, g in self.ghosts.items() if key[0] == app]

    def _operations(self, key: tuple) -> tuple[InferredOperation, ...]:
        node = self.history.loader.graph.nodes.get(key)
        return from_operations(node.operations) if node is not None else ()

    def _applied_maker(self, app, kind, table_model, column) -> tuple | None:
        """The latest applied migration whose operations make the models' side of the difference."""
        for key in reversed(self.history.applied_plan):
            if key[0] == app and any(makes(op, kind, table_model, column) for op in self._operations(key)):
                return key
        return None

    def _unapplied_maker(self, app, kind, table_model, column) -> tuple | None:
        for key in self.history.unapplied:
            if key[0] == app and any(makes(op, kind, table_model, column) for op in self._operations(key)):
                return key
        return None

    # kept for callers of the first version
    def applied_migration_making(self, app: str, model: str, field: str | None) -> tuple | None:
        kind = "missing-column" if field else "missing-table"
        return self._applied_maker(app, kind, model.lower(), field)


def _table_model(app: str | None, model: str | None, table: str | None) -> str | None:
    """Lower-case model name for a table: the model's, else the table name without ``app_``."""
    if model:
        return model.split(".")[-1].lower()
    if app and table and table.lower().startswith(f"{app.lower()}_"):
        return table.lower()[len(app) + 1:]
    return None


# -- causes the database's own DDL proves (legacy Django releases) -----------------------------
