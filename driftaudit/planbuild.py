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

from .audit import Sources
from .catalog import Catalog, RawObject
from .findings import Finding
from .plan import AppRepair, Plan, Planner, Problem, _words, backup_name
from .rules import fill
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


def build_plan(conn, apps, sources: Sources, config, findings: list[Finding], root: Path,
               host: str | None = None, name: str | None = None) -> Plan:
    from django.db.migrations.loader import MigrationLoader

    from .planstate import state_changes

    planner = Planner(conn, apps, sources, config, findings)
    steps = planner.steps()
    fixes = planner.row_fixes(steps)
    problems = planner.problems
    history = sources.history
    installed = {c.label for c in apps.get_app_configs()}
    local = local_apps(apps, root.resolve())
    if host is not None and host not in local:
        from .errors import AuditError

        raise AuditError(f"--app {host}: no migrated app '{host}' with its migrations in {root}")

    touched = {n.lower() for s in steps for n in (s.table, s.old_name) if n and s.action != "create"}
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
    state = state_changes(history, apps, renamed_tables, renamed_columns)
    if state and planner.pending:
        problems.append(Problem("", fill(_words("problem", "pending_state"), pending=", ".join(
            f"{a}.{n}" for a, n in history.unapplied))))
        state = {}

    def home(app: str | None, table: str) -> str | None:
        if host is not None:
            return host if app not in local or app == host else None
        if app in local:
            return app
        fallback = sorted({s.app for s in steps if s.app in local}) or local
        if fallback:
            return fallback[0]
        problems.append(Problem(table, fill(_words("problem", "host"), table=table, app=app)))
        return None

    grouped: dict[str, dict] = {}

    def bucket(app):
        return grouped.setdefault(app, {"steps": [], "fixes": [], "raw": [], "removed": [], "state": ()})

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
    for obj in raw:
        target = step_home.get(obj.table.lower()) or next(iter(sorted(grouped)), None)
        if target is not None:
            bucket(target)["raw"].append(obj)
    for item in removed:
        target = home(item[0], item[0])
        if target is not None:
            bucket(target)["removed"].append(item)
    for app, (ops, _deps, _names) in state.items():
        if app in local and (host is None or app == host):
            bucket(app)["state"] = tuple(ops)

    graph = history.loader.graph
    migration_names = {}
    for app in grouped:
        leaves = graph.leaf_nodes(app)
        number = max((int(n[:4]) for _, n in leaves if n[:4].isdigit()), default=0) + 1
        migration_names[app] = f"{number:04d}_{name or 'driftaudit_rebuild'}"
    repairs = []
    previous = None
    for app in sorted(grouped):
        g = grouped[app]
        apps_touched = {app} | {s.app for s in g["steps"] if s.app} | {planner.owner(f.table)[0] for f in g["fixes"]}
        deps = set()
        in_graph = {k[0] for k in graph.nodes}
        for other in sorted(a for a in apps_touched if a in in_graph):
            deps |= set(_leaves(graph, other, history.applied if planner.pending else None))
        if app in state:
            for dep in state[app][1]:
                other = state.get(dep[0])
                if other and dep in other[2] and dep[0] in migration_names:
                    dep = (dep[0], migration_names[dep[0]])
                deps.add(dep)
        if previous:
            deps.add(previous)
        run_before = _first_pending(graph, history) if planner.pending else ()
        module, _ = MigrationLoader.migrations_module(app)
        path = migrations_dir(module) / f"{migration_names[app]}.py"
        tables = {n.lower() for s in g["steps"] for n in (s.table, s.old_name) if n} | \
                 {f.table.lower() for f in g["fixes"]}
        mine = tuple(f for f in findings if (f.table and f.table.lower() in tables)
                     or (f.kind in ("pending-model-change",) and f.app == app and g["state"])
                     or (f.kind in ("ghost-migration", "rewritten-migration") and f.app in {a for a, *_ in g["removed"]} | {app}))
        repair = AppRepair(app, migration_names[app], path, tuple(sorted(deps)), run_before, tuple(g["steps"]),
                           tuple(g["fixes"]), tuple(g["raw"]), tuple(g["removed"]), g["state"], mine)
        if not repair.empty:
            repairs.append(repair)
            previous = (app, migration_names[app])
    expected, changes = _expected_rows(sources.d_cat, steps, fixes, planner.facts)
    return Plan(tuple(repairs), tuple(problems), expected, changes)


def _leaves(graph, app: str, applied: set | None) -> list:
    """The app's leaf migrations: among all files, or among the applied ones only."""
    nodes = [k for k in graph.nodes if k[0] == app and (applied is None or k in applied)]
    return [k for k in nodes if not any(c.key[0] == app and (applied is None or c.key in applied)
                                        for c in graph.node_map[k].children)]


def _first_pending(graph, history) -> tuple:
    """The first unapplied migration of each app: the repair runs before them."""
    out = []
    for key in history.unapplied:
        parents = {p.key for p in graph.node_map[key].parents if p.key[0] == key[0]}
        if parents <= history.applied:
            out.append(key)
    return tuple(sorted(out))


def _expected_rows(d_cat: Catalog, steps, fixes, facts) -> tuple[dict, dict]:
    """Rows per table after the repair, per policy, and why a count changes."""
    expected, why = {}, {}
    names = {s.old_name.lower(): s for s in steps if s.old_name}
    for name, table in d_cat.tables.items():
        rows = facts.count(table.name)
        step = names.get(name)
        if step is not None and step.action in ("drop", "backup-drop"):
            why[table.name] = f"dropped ({step.action})"
            expected[table.name] = None
            if step.backup:
                expected[step.backup] = rows
            continue
        new = table.name
        if step is not None and step.action == "rename":
            new, expected[table.name] = step.table, None
            why[table.name] = why[step.table] = f"renamed to {step.table}"
        for fix in fixes:
            if fix.table.lower() == name and fix.kind != "orphans-set-null":
                rows -= fix.count
                why[new] = f"{fix.kind}: {fix.count} row(s) moved to {fix.backup}"
                expected[fix.backup] = fix.count
        expected[new] = rows
    return expected, why
