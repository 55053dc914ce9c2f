"""What the history says about itself: the facts the causes are read from.

The migration files and records (:class:`~driftaudit.sources.history.History`), the names any
file ever gave, deleted files recovered from git, files changed after they were recorded, the
state at the leaf files, and which applied migration makes which object. No cause is decided
here; :class:`~driftaudit.explain.evidence.EvidenceFinder` weighs these facts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import cached_property
from importlib import import_module
from pathlib import Path

from driftaudit.config.rules import load_causes
from driftaudit.explain.ghosts import InferredOperation, from_operations, infer_from_name
from driftaudit.sources.git import Commit, DeletedFile, FileVersion, GitRepository, load_migration_text
from driftaudit.sources.history import History
from driftaudit.sources.history_names import HistoryNames, auto_join, history_names


#: objects a migration makes inside a table it creates: when that table exists, the migration
#: ran, and the object missing from it was removed later, by hand
UNDONE_KINDS = ("index-missing", "unique-missing", "check-missing", "fk-missing")


#: what the database has and the models do not: left by a migration whose file changed since
ONLY_IN_DATABASE = ("stale-table", "stale-column", "index-extra", "unique-extra", "check-extra", "fk-extra")


INVERSE = {
    "stale-table": "missing-table", "stale-column": "missing-column", "fk-extra": "fk-missing",
    "index-extra": "index-missing", "unique-extra": "unique-missing", "check-extra": "check-missing",
}


INVERSE.update({v: k for k, v in INVERSE.items()})


@dataclass(frozen=True)
class RewrittenMigration:
    """An applied migration whose file changed after it was recorded: the database has the old file's
    work, the models the new one's."""

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


def parse_applied(text) -> datetime | None:
    if isinstance(text, datetime):
        return text.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(text).replace("T", " ").split("+")[0])
    except ValueError:
        return None


def fmt_time(value: datetime | None, use_tz: bool) -> str:
    """A time of the history in UTC, saying so, whatever the project's ``USE_TZ``.

    ``value`` is naive in the convention of ``django_migrations.applied``: UTC under ``USE_TZ``,
    else the local time of ``TIME_ZONE`` (which Django made this process's local time), so a
    record, a file's modification time and a commit date can be compared by the reader.
    """
    if value is None:
        return "an unknown date"
    utc = value if use_tz else value.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%d %H:%M:%S UTC")


def makes(op: InferredOperation, kind: str, table_model: str | None, column: str | None) -> bool:
    """Does applying ``op`` bring the database from the difference ``kind`` to the models?"""
    return op.explains(INVERSE.get(kind, kind), table_model, column)


def _db_column(name: str, field) -> str:
    """The lower-case column a field has: ``db_column``, else its name (``_id`` for a key)."""
    if getattr(field, "db_column", None):
        return field.db_column.lower()
    return f"{name}_id".lower() if getattr(field, "is_relation", False) and not field.many_to_many else name.lower()


def _table_model(app: str | None, model: str | None, table: str | None) -> str | None:
    """Lower-case model name for a table: the model's, else the table name without ``app_``."""
    if model:
        return model.split(".")[-1].lower()
    if app and table and table.lower().startswith(f"{app.lower()}_"):
        return table.lower()[len(app) + 1:]
    return None


class HistoryFacts:
    """The facts of one history, each read once (cached) and only when a cause needs it."""

    def __init__(self, history: History, installed_apps: set, use_tz: bool,
                 models=None, database=None):
        self.history = history
        self.installed = installed_apps
        self.use_tz = use_tz
        self.models_catalog, self.database_catalog = models, database
        self.causes = load_causes()
        self.claimed: dict[tuple, list] = {}  # migration key -> the objects its evidence explained

    @cached_property
    def names(self) -> HistoryNames:
        """Every index, constraint and column name a migration file gave (removed apps' too)."""
        return history_names(self.history, self.installed)

    @cached_property
    def git(self) -> GitRepository | None:
        """The git repository holding the migration files of the first app that is in one (the
        project's own apps, not the installed packages Django's apps come from)."""
        for app in dict.fromkeys(key[0] for key in self.history.applied_plan + list(self.history.ghosts)):
            folder = self.migrations_dir(app)
            repository = GitRepository.find(folder) if folder is not None else None
            if repository is not None:
                return repository
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
        derived = self.history.derived  # shared by the databases with the same records
        if "leaf_catalog" not in derived:
            try:
                derived["leaf_catalog"] = read_catalog(render_models(self.history.leaf_state.apps).connection)
            except Exception:  # noqa: BLE001 - a leaf state Django cannot render: no L evidence
                derived["leaf_catalog"] = None
        return derived["leaf_catalog"]

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
        if kind in ("missing-table", "stale-table"):  # a table is there or not: the order of
            return (diff.history is None) == (diff.models is None)  # its columns is no evidence
        return diff.history == diff.models

    def _has_every_column(self, table: str) -> bool:
        """Does the database's ``table`` have every column the models give it (the history ran
        as its files say, later renames included)?"""
        model = self.models_catalog.table(table) if self.models_catalog is not None else None
        if model is None:
            return False
        have = {c.name.lower() for c in self.database_catalog.table(table).columns}
        return all(c.name.lower() in have for c in model.columns)

    def _tables_made(self, key: tuple) -> list[str]:
        """Tables migration ``key``'s file creates that the database has (so the migration ran:
        ``--fake`` makes none of them, ``--fake-initial`` needs all of them)."""
        found = []
        for op in self._operations(key):
            if op.action == "create-model":
                table = next((t for t, (app, model) in self.names.tables.items()
                              if app == key[0] and model == op.model), None)
                if table and self.database_catalog.table(table) is not None:
                    found.append(self.database_catalog.table(table).name)
        return found

    def _creates(self, key: tuple, model: str | None) -> bool:
        """Does migration ``key``'s file create ``model`` (lower-case name), or the join table a
        ``CreateModel``'s ManyToManyField makes (``<model>_<field>``, as history_names names it:
        seed 9140)?"""
        if any(op.action == "create-model" and op.model == model for op in self._operations(key)):
            return True
        from django.db.migrations.operations import CreateModel

        node = self.history.loader.graph.nodes.get(key)
        creates = [op for op in getattr(node, "operations", ()) if isinstance(op, CreateModel)]
        return any(f"{op.name_lower}_{name.lower()}" == model and auto_join(f) for op in creates for name, f in op.fields)

    def _first_applied(self, app: str) -> tuple | None:
        return next((key for key in self.history.applied_plan if key[0] == app), None)

    def table_model(self, app: str | None, model: str | None, table: str | None) -> str | None:
        """Lower-case model name of a table: the model's, else the one a migration file made it
        for (also under a ``db_table``), else the table name without ``app_``."""
        if not model and table:
            made = self.names.tables.get(table.lower())
            if made and (app is None or made[0] == app):
                return made[1]
        return _table_model(app, model, table)

    def _made_table(self, key: tuple, table: str | None, kind: str = "") -> str | None:
        """``table``, when migration ``key`` created it and the database's table is Django's: the
        migration ran. A column no migration file ever named means another program made the
        table (``migrate --fake-initial`` over it), not this migration - unless it is the old
        name of a column the diff paired as renamed."""
        found = self.database_catalog.table(table) if table and self.database_catalog is not None else None
        if found is None:
            return None
        model = self.table_model(key[0], None, table)
        if kind != "renamed-column" and not self.ghosts_of(key[0]) and any(
                (model, c.name.lower()) not in self.names.columns and not c.primary_key for c in found.columns):
            return None
        return found.name if self._creates(key, model) else None

    def ghosts_of(self, app: str | None) -> list[Ghost]:
        """The app's recorded migrations whose files are gone."""
        return [g for key, g in self.ghosts.items() if key[0] == app]

    def ghost_that_explains(self, app: str | None, kind: str, models, column: str | None,
                            initial: bool = True) -> Ghost | None:
        """The app's gone migration whose name (or recovered file) says it did ``kind`` to one
        of ``models``' ``column``; ``initial=False``: an initial migration does not count (it
        "explains" every table of its app)."""
        for ghost in self.ghosts_of(app):
            if any(op.explains(kind, model, column) for op in ghost.operations for model in models
                   if initial or op.action != "initial"):
                return ghost
        return None

    def silent_ghosts_of(self, app: str | None) -> list[Ghost]:
        """The app's gone migrations that may have done anything: neither their automatic name
        nor a recovered file says what they did (``auto_…`` names), or they are an initial one."""
        return [g for g in self.ghosts_of(app)
                if not g.operations or any(op.action == "initial" for op in g.operations)]

    def _operations(self, key: tuple) -> tuple[InferredOperation, ...]:
        node = self.history.loader.graph.nodes.get(key)
        if node is None:
            return ()
        return tuple(replace(op, field=self._removed_column(key, op.model, op.field) or op.field)
                     if op.action == "remove-field" else op for op in from_operations(node.operations))

    def _removed_column(self, key: tuple, model: str | None, field: str | None) -> str | None:
        """The column of the field a RemoveField removes, from the migrations before it (a
        RemoveField names the field, and its ``db_column`` may differ: seed 8002), read back
        through RenameModel and RenameField (seed 12704: the model was renamed in between)."""
        from django.db.migrations import operations as ops

        graph, name, old_field = self.history.loader.graph, model, field
        for earlier in reversed(graph.forwards_plan(key)[:-1]):
            if earlier[0] != key[0]:
                continue
            for op in reversed(graph.nodes[earlier].operations):
                if isinstance(op, ops.RenameModel) and op.new_name_lower == name:
                    name = op.old_name_lower
                elif isinstance(op, ops.RenameField) and op.model_name_lower == name \
                        and op.new_name_lower == old_field:
                    old_field = op.old_name_lower
                elif isinstance(op, (ops.AddField, ops.AlterField)) and op.model_name_lower == name \
                        and op.name_lower == old_field:
                    return _db_column(field, op.field)  # (no db_column: renamed with the field)
                elif isinstance(op, ops.CreateModel) and op.name_lower == name:
                    found = next((f for n, f in op.fields if n.lower() == old_field), None)
                    return _db_column(field, found) if found is not None else None
        return None

    def _applied_maker(self, app, kind, table_model, column) -> tuple | None:
        """The latest applied migration whose operations make the models' side of the difference."""
        for key in reversed(self.history.applied_plan):
            if key[0] == app and any(makes(op, kind, table_model, column) for op in self._operations(key)):
                return key
        return None

    def _unapplied_renamer(self, column: str | None) -> tuple | None:
        """An unapplied RenameModel (any app) that renames ``column``: Django renames the
        ``<model>_id`` columns of the join tables pointing at the model, in every app."""
        lowered = (column or "").lower()
        for key in self.history.unapplied:
            for op in self._operations(key):
                if op.action == "rename-model" and lowered in {f"{p}{op.model}_id" for p in ("", "from_", "to_")}:
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

