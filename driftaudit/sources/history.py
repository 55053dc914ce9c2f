"""The migration history (H): the files on disk and the records in ``django_migrations``.

Django's ``MigrationLoader`` dies on the very drift we must report (a deleted dependency
raises ``NodeNotFoundError``, a migration file with a syntax error raises on import), and it
reads the records through Django's connection to the audited database. So this module:

* loads migration files one by one, turning an unimportable file into a fact;
* builds the graph like Django does, but records missing dependencies and drops their
  dummy nodes instead of raising;
* reads ``django_migrations`` itself, over the read-only connection.

The resulting :class:`History` holds the facts and the project states the diff needs:
at the *applied* nodes (what the database should look like) and at the *leaf* files.
"""

from __future__ import annotations

import pkgutil
import sqlite3
import sys
from dataclasses import dataclass, field
from importlib import import_module

from django.db.migrations.graph import DummyNode, MigrationGraph
from django.db.migrations.loader import MIGRATIONS_MODULE_NAME, MigrationLoader
from django.db.migrations.state import ProjectState

Key = tuple  # (app_label, migration_name)


@dataclass(frozen=True)
class BrokenMigrationFile:
    """A migration file Django cannot import: the audit says so and goes on without it."""

    app: str
    name: str
    path: str
    error: str


@dataclass(frozen=True)
class MissingDependency:
    """A migration whose dependency has no file: Django refuses to migrate until it is back."""

    migration: Key
    dependency: Key


@dataclass(frozen=True)
class InconsistentRecord:
    """A migration recorded as applied while one of its dependencies is not (Django refuses to migrate)."""

    migration: Key
    dependency: Key


@dataclass(frozen=True)
class SquashGap:
    """A squashed migration only part of whose replaced migrations are applied, with files missing.

    Django can only finish such a database from the replaced files; once they are deleted it drops
    the squash from the graph. The audit keeps the squash (as unapplied) to show the intended state.
    """

    squash: Key
    applied: tuple
    unapplied: tuple
    missing_files: tuple


@dataclass(frozen=True)
class StateFailure:
    """A migration whose operations could not be replayed onto the state before it."""

    migration: Key
    error: str


@dataclass
class History:
    """The migration files, the records of ``django_migrations`` and what Django makes of them
    together: applied, unapplied, ghosts, squashes, the applied state."""

    loader: MigrationLoader
    has_records_table: bool
    records: dict  # (app, name) -> applied timestamp text
    applied: set  # graph keys Django considers applied (squash-aware)
    applied_plan: list  # applied graph keys in dependency order
    ghosts: list  # recorded keys with no file
    unapplied: list  # graph keys not applied, in dependency order
    broken_files: list = field(default_factory=list)
    missing_dependencies: list = field(default_factory=list)
    state_failures: list = field(default_factory=list)
    inconsistent: list = field(default_factory=list)
    squash_gaps: list = field(default_factory=list)
    applied_state: ProjectState | None = None
    leaf_state: ProjectState | None = None
    #: the state cache's key of these states (None: not cacheable); what else derives from them keys on it
    state_key: str | None = None
    #: what is computed from the files and states alone (the models' pending changes, the leaf
    #: catalog), kept here once: every database with the same records shares this dict
    derived: dict = field(default_factory=dict)

    def migration_file(self, key: Key) -> str | None:
        migration = self.loader.disk_migrations.get(key)
        module = sys.modules.get(type(migration).__module__) if migration else None
        return getattr(module, "__file__", None)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")


class TolerantLoader(MigrationLoader):
    """A ``MigrationLoader`` that reports broken files and missing dependencies as facts."""

    def __init__(self, records: dict):
        self._records = records
        self.broken_files: list[BrokenMigrationFile] = []
        self.missing_dependencies: list[MissingDependency] = []
        self.squash_gaps: list[SquashGap] = []
        super().__init__(None, load=False, ignore_no_migrations=True)
        self.build_graph()

    def load_disk(self):
        from django.apps import apps

        self.disk_migrations = {}
        self.unmigrated_apps = set()
        self.migrated_apps = set()
        for app_config in apps.get_app_configs():
            module_name, _explicit = self.migrations_module(app_config.label)
            if module_name is None:
                self.unmigrated_apps.add(app_config.label)
                continue
            try:
                module = import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and (exc.name == module_name or MIGRATIONS_MODULE_NAME in exc.name.split(".")):
                    self.unmigrated_apps.add(app_config.label)
                    continue
                raise
            if not hasattr(module, "__path__") or (
                getattr(module, "__file__", None) is None and not isinstance(module.__path__, list)
            ):
                self.unmigrated_apps.add(app_config.label)
                continue
            self.migrated_apps.add(app_config.label)
            names = sorted(
                name
                for _, name, is_pkg in pkgutil.iter_modules(module.__path__)
                if not is_pkg and name[0] not in "_~"
            )
            for name in names:
                path = f"{module_name}.{name}"
                try:
                    migration_module = import_module(path)
                    migration_class = migration_module.Migration
                except Exception as exc:  # a user's file: anything can be wrong in it
                    sys.modules.pop(path, None)
                    location = next(iter(module.__path__), "")
                    self.broken_files.append(
                        BrokenMigrationFile(app_config.label, name, f"{location}/{name}.py", _one_line(exc))
                    )
                    continue
                self.disk_migrations[app_config.label, name] = migration_class(name, app_config.label)

    def add_external_dependencies(self, key, migration):
        for parent in migration.dependencies:
            if key[0] == parent[0]:
                continue
            try:
                resolved = self.check_key(parent, key[0])
            except ValueError:
                self.missing_dependencies.append(MissingDependency(key, tuple(parent)))
                continue
            if resolved is not None:
                self.graph.add_dependency(migration, key, resolved, skip_validation=True)
        for child in migration.run_before:
            try:
                resolved = self.check_key(child, key[0])
            except ValueError:
                continue
            if resolved is not None:
                self.graph.add_dependency(migration, resolved, key, skip_validation=True)

    def build_graph(self):
        """Django's ``build_graph`` with records from our read-only reader, never raising on gaps."""
        self.load_disk()
        self.applied_migrations = {key: True for key in self._records}
        self.graph = MigrationGraph()
        self.replacements = {}
        for key, migration in self.disk_migrations.items():
            self.graph.add_node(key, migration)
            if migration.replaces:
                self.replacements[key] = migration
        for key, migration in self.disk_migrations.items():
            self.add_internal_dependencies(key, migration)
        for key, migration in self.disk_migrations.items():
            self.add_external_dependencies(key, migration)
        for key, migration in self.replacements.items():
            statuses = [tuple(target) in self.applied_migrations for target in migration.replaces]
            missing = tuple(tuple(t) for t in migration.replaces if tuple(t) not in self.disk_migrations)
            if any(statuses) and not all(statuses) and missing:
                self.squash_gaps.append(SquashGap(
                    key, tuple(tuple(t) for t, done in zip(migration.replaces, statuses) if done),
                    tuple(tuple(t) for t, done in zip(migration.replaces, statuses) if not done), missing))
                self.applied_migrations.pop(key, None)
                for target in migration.replaces:  # keep the squash: it is the only file left
                    if tuple(target) in self.graph.nodes:
                        self.graph.remove_replaced_nodes(key, migration.replaces)
                        break
                continue
            if all(statuses):
                self.applied_migrations[key] = migration
            else:
                self.applied_migrations.pop(key, None)
            if all(statuses) or not any(statuses):
                self.graph.remove_replaced_nodes(key, migration.replaces)
            else:
                self.graph.remove_replacement_node(key, migration.replaces)
        self._drop_dummy_nodes()

    def _drop_dummy_nodes(self):
        """Record and unlink the placeholders Django adds for dependencies that do not exist.

        The child then depends on the latest existing migration of that app before the missing
        one, where there is one: the order stays what the history had (seed 4105: without it a
        RenameModel ran before another app's CreateModel that still named the old model, and
        the state could not be rendered)."""
        orphaned = []
        for key, node in list(self.graph.node_map.items()):
            if not isinstance(node, DummyNode):
                continue
            for child in node.children:
                self.missing_dependencies.append(MissingDependency(child.key, key))
                child.parents.discard(node)
                orphaned.append((child.key, key))
            for parent in node.parents:
                parent.children.discard(node)
            del self.graph.node_map[key]
            del self.graph.nodes[key]
        for child, missing in orphaned:
            before = [k for k in self.graph.nodes if k[0] == missing[0] and k[1] < missing[1]]
            if not before:
                continue
            stand_in = max(before)
            if child not in self._ancestors(stand_in):  # never a cycle
                self.graph.add_dependency(None, child, stand_in, skip_validation=True)

    def _ancestors(self, key) -> set:
        seen, todo = set(), [self.graph.node_map[key]]
        while todo:
            node = todo.pop()
            for parent in node.parents:
                if parent.key not in seen:
                    seen.add(parent.key)
                    todo.append(parent)
        return seen


def read_records(conn: sqlite3.Connection) -> tuple[bool, dict]:
    """``django_migrations`` rows as ``{(app, name): applied}``; ``(False, {})`` if there is no table."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
    ).fetchone()
    if not exists:
        return False, {}
    rows = conn.execute('SELECT "app", "name", "applied" FROM "django_migrations" ORDER BY "id"')
    return True, {(app, name): applied for app, name, applied in rows}


def dependency_order(graph: MigrationGraph) -> list:
    """All graph nodes, each after its dependencies (stable across runs)."""
    seen, plan = set(), []
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def replay(graph: MigrationGraph, plan: list, real_apps, failures: list) -> ProjectState:
    """The state after applying ``plan``; migrations that cannot be replayed become facts."""
    from driftaudit.sources.replay_speed import unrendered_replay

    state = ProjectState(real_apps=set(real_apps))
    with unrendered_replay():
        for key in plan:
            try:
                state = graph.nodes[key].mutate_state(state, preserve=False)
            except Exception as exc:  # broken history: keep going, report it
                failures.append(StateFailure(key, _one_line(exc)))
    return state


def inconsistent_records(loader: MigrationLoader, records: dict) -> list[InconsistentRecord]:
    """Django's ``check_consistent_history``, as facts instead of one exception."""
    found = []
    for key in records:
        if key not in loader.graph.nodes:
            continue
        for parent in sorted(loader.graph.node_map[key].parents, key=lambda n: n.key):
            if parent.key in records:
                continue
            replacement = loader.replacements.get(parent.key)
            if replacement and all(tuple(t) in records for t in replacement.replaces):
                continue
            found.append(InconsistentRecord(key, parent.key))
    return found


def load_history(conn: sqlite3.Connection) -> History:
    return history_from_records(*read_records(conn))


def records_key(has_table: bool, records: dict) -> tuple:
    """What a history depends on in its database: whether ``django_migrations`` exists and
    which migrations it records (not their order or times, which :func:`with_records` adds).
    Databases made by one code base share it, and so share one rendered history."""
    return has_table, frozenset(records)


def with_records(history: History, records: dict) -> History:
    """``history`` (made from the same :func:`records_key`) as this database's: its own
    record times, and the facts whose order follows its records. Everything replayed and
    rendered (loader, graph, states, ``derived``) is shared, never copied."""
    from dataclasses import replace

    if records is history.records:
        return history
    ghosts = set(history.ghosts)
    order = {key: i for i, key in enumerate(records)}
    return replace(history, records=records, ghosts=[key for key in records if key in ghosts],
                   inconsistent=sorted(history.inconsistent, key=lambda r: order.get(r.migration, 0)))


def history_from_records(has_table: bool, records: dict) -> History:
    """The history of a database whose ``django_migrations`` holds ``records``."""
    loader = TolerantLoader(records)
    graph = loader.graph
    plan = dependency_order(graph)
    applied = {key for key in plan if key in loader.applied_migrations}
    replaced = {
        tuple(target)
        for key, migration in loader.replacements.items()
        if key in graph.nodes
        for target in migration.replaces
    }
    ghosts = [key for key in records if key not in graph.nodes and key not in replaced]
    failures: list[StateFailure] = []
    applied_plan = [key for key in plan if key in applied]
    history = History(
        loader=loader,
        has_records_table=has_table,
        records=records,
        applied=applied,
        applied_plan=applied_plan,
        ghosts=ghosts,
        unapplied=[key for key in plan if key not in applied],
        broken_files=loader.broken_files,
        missing_dependencies=sorted(set(loader.missing_dependencies), key=lambda m: (m.migration, m.dependency)),
        state_failures=failures,
    )
    history.squash_gaps = loader.squash_gaps
    history.inconsistent = inconsistent_records(loader, records)
    history.applied_state, history.leaf_state = replayed_states(history, plan, failures)
    return history


def replayed_states(history: History, plan: list, failures: list) -> tuple:
    """The states at the applied nodes and at the leaf files, from the cache when it has them.

    When everything is applied (the usual case) both are one state, replayed once; the
    states are only read afterwards.
    """
    from driftaudit.sources import statecache

    loader, applied_plan = history.loader, history.applied_plan
    files = {key: history.migration_file(key) for key in plan}
    key = statecache.state_key(files, (tuple(applied_plan), tuple(plan)), loader.unmigrated_apps)
    history.state_key = key
    cached = statecache.load(key)
    if cached is not None:
        applied_state, leaf_state, cached_failures = cached
        failures.extend(cached_failures)
        return applied_state, leaf_state
    applied_state = replay(loader.graph, applied_plan, loader.unmigrated_apps, failures)
    leaf_state = applied_state if applied_plan == plan else replay(loader.graph, plan, loader.unmigrated_apps, [])
    statecache.store(key, (applied_state, leaf_state, list(failures)))
    return applied_state, leaf_state


def migration_label(key: tuple | None) -> str | None:
    """``("app", "0001_initial")`` -> ``"app.0001_initial"``: how every output names a migration."""
    return f"{key[0]}.{key[1]}" if key else None
