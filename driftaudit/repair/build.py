"""Assembling the repair plan: which migration (app) carries each step, and its place in the graph.

One migration per app whose tables need repair, written into that app's migrations package;
tables of apps with no package in the project (contrib apps, a removed app) go to a project
app. Each migration depends on the leaf migrations of the apps it touches - or, when
migrations are pending on this database, on the applied ones, with ``run_before`` the first
pending migration of each app, so that one ``migrate`` repairs first and then runs them.
"""

from __future__ import annotations

import re
from pathlib import Path

from driftaudit.config.rules import fill
from driftaudit.explain.finding import Finding
from driftaudit.repair.names import backup_name
from driftaudit.repair.plan import AppRepair, Plan
from driftaudit.repair.planner import Planner
from driftaudit.repair.problem import Problem
from driftaudit.repair.row_plan import expected_rows, has_orphans, row_fixes_first
from driftaudit.repair.wording import words
from driftaudit.schema.catalog import RawObject
from driftaudit.schema.read import AuditInput


def local_apps(apps, root: Path) -> list[str]:
    """Migrated apps whose migrations package lives in the project (where a file can be written)."""
    from django.db.migrations.loader import MigrationLoader

    out = []
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(root):
            continue
        module, _ = MigrationLoader.migrations_module(config.label)
        if module and migrations_dir(module) is not None:
            out.append(config.label)
    return out


def migrations_dir(module_name: str) -> Path | None:
    from importlib import import_module

    try:
        module = import_module(module_name)
    except ImportError:
        return None
    paths = list(getattr(module, "__path__", []))
    return Path(paths[0]) if paths else None


def _touches(obj: RawObject, names: set) -> bool:
    text = obj.sql.lower()
    return obj.type in ("trigger", "view") and (
        obj.table.lower() in names or any(re.search(rf'(?<![\w$]){re.escape(n)}(?![\w$])', text) for n in names))


def baseline_apps(apps, root: Path, history) -> list[str]:
    """Project apps with models but no migrations package, on a database without records: they
    get a first migration (class 18's baseline), made in ``<app>/migrations/``."""
    from django.db.migrations.loader import MigrationLoader

    if history.has_records_table:
        return []
    out = []
    for config in apps.get_app_configs():
        module, _ = MigrationLoader.migrations_module(config.label)
        if (config.label in history.loader.unmigrated_apps and module == f"{config.name}.migrations"
                and Path(config.path).resolve().is_relative_to(root) and list(config.get_models())):
            out.append(config.label)
    return out


def build_plan(audit: AuditInput, findings: list[Finding], host: str | None = None,
               name: str | None = None) -> Plan:
    """The repair of everything ``findings`` report, as one migration per app.

    ``host`` (``--app``) puts every step into that app's migration; ``name`` (``--name``)
    replaces the default migration name's suffix.
    """
    from driftaudit.repair.history_steps import (
        ghost_records,
        history_blockers,
        squash_records,
    )
    from driftaudit.repair.state_ops import baseline_changes, merged, state_migrations

    apps, sources = audit.apps, audit.sources
    root, alias = audit.project.root, audit.project.database_alias
    planner = Planner(audit, findings)
    history = sources.history
    blockers = history_blockers(sources, lambda table: planner.owner(table)[0], alias)
    if blockers:
        return Plan((), tuple(blockers))
    steps = planner.steps()
    fixes = planner.row_fixes(steps)
    problems = planner.problems
    installed = {c.label for c in apps.get_app_configs()}
    baseline = baseline_apps(apps, root.resolve(), history)
    local = local_apps(apps, root.resolve()) + baseline
    if host is not None and host not in local:
        from driftaudit.errors import AuditError

        raise AuditError(f"--app {host}: no migrated app '{host}' with its migrations in {root}")

    touched = {n.lower() for s in steps for n in (s.table, s.old_name) if n and s.action not in ("create", "index")}
    raw = tuple(o for o in sources.d_cat.raw_objects.values() if _touches(o, touched))
    dropped = {s.old_name.lower() for s in steps if s.action in ("drop", "backup-drop")}
    removed = []
    for app in sorted({a for a, _ in history.records} - installed):
        left = [t for t in sources.d_cat.tables if planner.owner(t)[0] == app and t not in dropped]
        if not left:
            count = sum(1 for a, _ in history.records if a == app)
            removed.append((app, count, backup_name(f"django_migrations_{app}", planner.taken)))

    renamed_tables = {(old, new) for new, old in planner.renamed.items()}
    renamed_columns = {(d.detail["old_column"], d.column) for d in planner.diffs if d.kind == "renamed-column"}
    chunks = state_migrations(history, apps, renamed_tables, renamed_columns)
    later = {}  # app -> operations that run after the pending migrations
    if planner.pending:
        later, chunks = {app: merged(c) for app, c in chunks.items()}, {}
    # the app's first state migration goes with its repair; makemigrations' further ones follow it
    state = {app: c[0] for app, c in chunks.items()}
    for app, (ops, deps) in baseline_changes(history, apps, baseline).items():
        state[app] = (ops, deps, (app, ""))

    def home(app: str | None, table: str) -> str | None:
        if host is not None:
            return host if app not in local or app == host else None
        if app in local:
            return app
        fallback = sorted({s.app for s in steps if s.app in local}) or local
        if fallback:
            return fallback[0]
        problems.append(Problem(table, fill(words()["problem"]["host"], table=table, app=app)))
        return None

    grouped: dict[str, dict] = {}

    def bucket(app):
        return grouped.setdefault(app, {"steps": [], "fixes": [], "raw": [], "removed": [], "state": (),
                                        "ghosts": [], "squash": [], "replays": []})

    step_home = {}
    for step in steps:
        target = home(step.app, step.table)
        if target is not None:
            bucket(target)["steps"].append(step)
            step_home[step.table.lower()] = step_home[step.old_name.lower()] = target
    for fix in fixes:
        target = step_home.get(fix.table.lower()) or home(planner.owner(fix.table)[0], fix.table)
        if target is not None:
            bucket(target)["fixes"].append(fix)
    for replay in planner.replays:
        target = home(replay.app, sorted(replay.tables)[0])
        if target is not None:
            bucket(target)["replays"].append(replay)
    for obj in raw:
        target = step_home.get(obj.table.lower()) or next(iter(sorted(grouped)), None)
        if target is not None:
            bucket(target)["raw"].append(obj)
    for item in removed:
        target = home(item[0], item[0])
        if target is not None:
            bucket(target)["removed"].append(item)
    for app, names in ghost_records(history, installed).items():
        target = home(app, app)
        if target is not None:
            bucket(target)["ghosts"].append((app, names, backup_name(f"django_migrations_{app}", planner.taken)))
    squashes = squash_records(history)
    for app, (_squash, names) in squashes.items():
        if home(app, app) == app:
            bucket(app)["squash"].append((app, names))
    for app, (ops, _deps, _names) in state.items():
        if app in local and (host is None or app == host):
            bucket(app)["state"] = tuple(ops)
    graph = history.loader.graph
    migration_names = {}
    for app in grouped:
        leaves = graph.leaf_nodes(app)
        number = max((int(n[:4]) for _, n in leaves if n[:4].isdigit()), default=0) + 1
        default = "initial" if app in baseline else "driftaudit_rebuild"
        migration_names[app] = f"{number:04d}_{name or default}"
    rename = {}  # (app, name makemigrations would give) -> (app, the repair file's name)
    follow_ups = {}  # app -> [(name, operations, dependencies)] after its repair migration
    for app in grouped:
        if app in state and state[app][2][1]:
            rename[state[app][2]] = (app, migration_names[app])
        number = int(migration_names[app][:4])
        for k, (ops, deps, auto) in enumerate(chunks.get(app, [])[1:] if app in local else [], 1):
            later_name = f"{number + k:04d}_{name + '_state' if name else 'driftaudit_state'}" if k == 1 else \
                f"{number + k:04d}_{name + '_state' if name else 'driftaudit_state'}_{k}"
            rename[auto] = (app, later_name)
            follow_ups.setdefault(app, []).append((later_name, ops, deps))
    needs = {app: {dep[0] for dep in _resolve(state[app][1], rename)
                   if dep[0] != app and dep[0] in grouped and dep[1] == migration_names[dep[0]]}
             for app in grouped if app in state}
    for app, others in _tables_needed(grouped).items():
        needs.setdefault(app, set()).update(others)
    order = _order(grouped, needs)
    row_fixes_first(grouped, order, lambda table: has_orphans(planner.facts.conn, table))
    repairs = []
    previous = None
    applied = history.applied | {squash for squash, _ in squashes.values()}
    for app in order:
        g = grouped[app]
        apps_touched = {app} | {s.app for s in g["steps"] if s.app} | {planner.owner(f.table)[0] for f in g["fixes"]} \
            | {r.app for r in g["replays"]}
        deps = set()
        in_graph = {k[0] for k in graph.nodes}
        for other in sorted(a for a in apps_touched if a in in_graph):
            deps |= set(_leaves(graph, other, applied if planner.pending else None))
        if app in state:
            deps |= _resolve(state[app][1], rename)
        if previous:
            deps.add(previous)
        run_before = _first_pending(graph, history, planner.gaps) if planner.pending else ()
        path = _path(app, migration_names[app], apps)
        tables = {n.lower() for s in g["steps"] for n in (s.table, s.old_name) if n} | \
                 {f.table.lower() for f in g["fixes"]} | {t for r in g["replays"] for t in r.tables}
        mine = tuple(f for f in findings if (f.table and f.table.lower() in tables)
                     or (f.kind in ("pending-model-change",) and f.app == app and g["state"])
                     or (f.kind in ("ghost-migration", "rewritten-migration") and f.app in {a for a, *_ in g["removed"]} | {app})
                     or (f.kind == "inconsistent-history" and f.app == app and g["squash"]))
        repair = AppRepair(app, migration_names[app], path, tuple(sorted(deps)), run_before, tuple(g["steps"]),
                           tuple(g["fixes"]), tuple(g["raw"]), tuple(g["removed"]), g["state"], mine,
                           tuple(g["ghosts"]), tuple(g["squash"]), "baseline" if app in baseline else "repair",
                           tuple(g["replays"]))
        if not repair.empty:
            repairs.append(repair)
            previous = (app, migration_names[app])
    for app in order:
        previous_file = (app, migration_names[app])
        for later_name, ops, deps in follow_ups.get(app, []):
            repairs.append(AppRepair(app, later_name, _path(app, later_name, apps),
                                     tuple(sorted(_resolve(deps, rename) | {previous_file})), state_operations=tuple(ops),
                                     role="state"))
            previous_file = (app, later_name)
    repairs += _models_after_pending(later, planner, history, apps, local, host, name, repairs, findings)
    expected, changes = expected_rows(sources.d_cat, steps, fixes, planner.facts, planner.pending_tables)
    return Plan(tuple(repairs), tuple(problems), expected, changes)


def _tables_needed(grouped: dict) -> dict:
    """app -> the other apps whose migration must run first: it creates or renames a table that
    this app's rebuilt tables point at (a key to a table not there yet fails the foreign key
    check that ends each migration)."""
    made = {s.table.lower(): app for app, g in grouped.items() for s in g["steps"] if s.action in ("create", "rename")}
    out: dict[str, set] = {}
    for app, g in grouped.items():
        for step in g["steps"]:
            for fk in (step.target.foreign_keys if step.target is not None else ()):
                maker = made.get(fk.target_table.lower())
                if maker is not None and maker != app:
                    out.setdefault(app, set()).add(maker)
    return out


def _order(grouped: dict, needs: dict) -> list[str]:
    """The apps' migrations in the order they chain (each depends on the one before): after the
    planned migrations their state operations need, else by name. A chain by name alone made a
    cycle when a later name's models were needed first (CircularDependencyError in migrate)."""
    done, out, waiting = set(), [], sorted(grouped)
    while waiting:
        ready = next((a for a in waiting if needs.get(a, set()) <= done), waiting[0])
        out.append(ready)
        done.add(ready)
        waiting.remove(ready)
    return out


def _path(app: str, migration: str, apps) -> Path:
    from django.db.migrations.loader import MigrationLoader

    module, _ = MigrationLoader.migrations_module(app)
    folder = migrations_dir(module)
    if folder is None:  # a baseline: the package is created with it
        folder = Path(apps.get_app_config(app).path) / "migrations"
    return folder / f"{migration}.py"


def _resolve(deps: set, rename: dict) -> set:
    """Autodetector dependencies, those on a migration it would write renamed to the repair's file."""
    return {rename.get(tuple(dep), tuple(dep)) for dep in deps}


def _models_after_pending(later: dict, planner, history, apps, local, host, name, repairs, findings) -> list:
    """When migrations are pending and the models are ahead of the files too: one more migration
    per app, after its leaf (so after the pending ones), with what ``makemigrations`` would write."""
    from driftaudit.repair.state_ops import split_for_pending

    graph = history.loader.graph
    states = (history.leaf_state, history.applied_state)
    repaired = {r.app: r.name for r in repairs}
    names = {}
    for app in later:
        numbers = [int(n[:4]) for _, n in graph.leaf_nodes(app) if n[:4].isdigit()]
        if app in repaired and repaired[app][:4].isdigit():
            numbers.append(int(repaired[app][:4]))
        number = max(numbers, default=0) + 1
        names[app] = f"{number:04d}_{name + '_models' if name else 'driftaudit_models'}"
    out = []
    for app in sorted(later):
        if app not in local or (host is not None and app != host):
            continue
        ops, deps, _ = later[app]
        rename = {auto: (other, names[other]) for other in later for auto in later[other][2]}
        deps = _resolve(deps, rename) | set(graph.leaf_nodes(app))
        if app in repaired:
            deps.add((app, repaired[app]))
        mine = tuple(f for f in findings if f.kind == "pending-model-change" and f.app == app)
        operations = tuple(split_for_pending(ops, app, planner.pending_tables, states))
        out.append(AppRepair(app, names[app], _path(app, names[app], apps), tuple(sorted(deps)),
                             state_operations=operations, findings=mine, role="models"))
    return out


def _leaves(graph, app: str, applied: set | None) -> list:
    """The app's leaf migrations: among all files, or among the applied ones only."""
    nodes = [k for k in graph.nodes if k[0] == app and (applied is None or k in applied)]
    return [k for k in nodes if not any(c.key[0] == app and (applied is None or c.key in applied)
                                        for c in graph.node_map[k].children)]


def _first_pending(graph, history, gaps: set = frozenset()) -> tuple:
    """The first unapplied migration of each app: the repair runs before them (a squash it
    completes is not pending: the repair depends on it)."""
    out = []
    for key in history.unapplied:
        if key in gaps:
            continue
        parents = {p.key for p in graph.node_map[key].parents if p.key[0] == key[0]}
        if parents <= history.applied | gaps:
            out.append(key)
    return tuple(sorted(out))
