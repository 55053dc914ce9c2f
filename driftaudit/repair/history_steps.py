"""What no migration can repair in the history, and the records a repair migration cleans up.

Django checks the history before it runs any migration: a dependency whose file is gone
(``NodeNotFoundError``) or a migration recorded before its dependency
(``InconsistentMigrationHistory``) stops every ``migrate``, so a repair migration would never
run. Neither can a database whose tables were made without ``django_migrations``: ``migrate``
would start with the initial migrations and fail on tables that exist. For these, ``propose``
writes nothing and says, command by command, what to do first (exit 1); after that step a new
``propose`` repairs whatever still differs. What a migration can fix is planned here too:
ghost records (files gone) are deleted once the repair has undone what they left, and a squash
whose replaced files were deleted part-way is completed by recording the replaced migrations
it still lacks.
"""

from __future__ import annotations

import shlex

from driftaudit.explain.ghosts import objects_in_database
from driftaudit.repair.problem import Problem
from driftaudit.repair.wording import say
from driftaudit.sources.history import migration_label


def history_blockers(sources, owner, alias: str) -> list[Problem]:
    """Problems (kind "history") that stop every ``migrate`` on this database, with the fix.

    ``owner(table)`` is the app label a table belongs to (or ``None``)."""
    history = sources.history
    out = []
    graph = history.loader.graph
    if history.missing_dependencies:  # git and the writer: only for a missing file
        from driftaudit.repair.restore import restorable
    for dep in dict.fromkeys(m.dependency for m in history.missing_dependencies):
        dependents = [m.migration for m in history.missing_dependencies if m.dependency == dep]
        earlier = sorted(k for k in graph.nodes if k[0] == dep[0] and k[1] < dep[1])
        path = history.migration_file(dependents[0])
        repoint = say("problem", "repoint", replacement=repr(earlier[-1]), path=path) if earlier else ""
        argv = ("driftaudit", "restore", migration_label(dep)) if restorable(history, dep) else ()
        restore = say("problem", "restore", command=shlex.join(argv)) if argv else ""
        out.append(Problem("", say("problem", "missing_dependency",
                                   migration=", ".join(migration_label(k) for k in dependents),
                                   dependency=migration_label(dep), repoint=repoint, restore=restore),
                           "history", argv))
    for record in history.inconsistent:
        argv = record_command(record.dependency, alias)
        out.append(Problem("", say("problem", "inconsistent", migration=migration_label(record.migration),
                                   dependency=migration_label(record.dependency), command=shlex.join(argv)),
                           "history", argv))
    dependencies = {record.dependency for record in history.inconsistent}
    gaps = {gap.squash for gap in history.squash_gaps}
    for key in history.unapplied if history.has_records_table else ():
        made = objects_in_database(history, sources.d_cat, key) if key not in dependencies | gaps else []
        if made:
            argv = record_command(key, alias)
            out.append(Problem("", say("problem", "unrecorded", migration=migration_label(key), objects=", ".join(made),
                                       command=shlex.join(argv)), "history", argv))
    if not history.has_records_table:
        migrated = history.loader.migrated_apps
        tables = sorted(t.name for t in sources.d_cat.tables.values()
                        if owner(t.name) in migrated and t.name not in sources.not_model_tables)
        if tables:
            out.append(Problem("", say("problem", "no_records", tables=", ".join(tables[:10]),
                                       more=f" (+{len(tables) - 10})" if len(tables) > 10 else "",
                                       database="" if alias == "default" else f" --database {alias}"),
                               "history", ("driftaudit", "stamp", *(("--database", alias) if alias != "default" else ()),
                                           "--apply")))
    return out


def record_command(key: tuple, alias: str) -> tuple[str, ...]:
    """The command that records one migration (``driftaudit record``: a backup first)."""
    database = ("--database", alias) if alias != "default" else ()
    return ("driftaudit", "record", migration_label(key), *database, "--apply")


def ghost_records(history, installed: set) -> dict:
    """``{app: (names, ...)}`` of recorded migrations of installed apps whose files are gone."""
    out: dict = {}
    for app, name in history.ghosts:
        if app in installed:
            out.setdefault(app, []).append(name)
    return {app: tuple(sorted(names)) for app, names in out.items()}


def squash_records(history) -> dict:
    """``{app: (squash key, replaced names to record)}`` for squashes applied part-way."""
    return {gap.squash[0]: (gap.squash, tuple(name for _, name in gap.unapplied)) for gap in history.squash_gaps}
