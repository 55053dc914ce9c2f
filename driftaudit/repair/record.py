"""Record migrations as applied without running them: ``driftaudit record APP.NAME --apply``.

Django's answer to a migration whose work the database already has is ``migrate APP NAME
--fake``, which also fakes every unapplied migration that one depends on, in any app. This
records exactly the migrations named, with Django's own ``MigrationRecorder``, and only with
``--apply``, after a copy of the database is taken with SQLite's backup API: the one write
driftaudit itself makes to a database, always asked for by name.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from driftaudit.errors import AuditError
from driftaudit.sources.history import History, migration_label
from driftaudit.sources.project import Project


@dataclass(frozen=True)
class Recording:
    """What ``record`` did, or (without ``--apply``) would do."""

    migrations: tuple[tuple[str, str], ...]
    applied: bool
    #: the copy of the database taken before the records were written
    backup: Path | None = None
    #: what the recorded migrations make that the database lacks (``propose`` creates it)
    missing: tuple[str, ...] = ()


def resolve(history: History, labels: list[str]) -> tuple[tuple[str, str], ...]:
    """``app.name`` (or a unique prefix of the name, as ``migrate`` takes) -> migration keys on disk
    that are not recorded yet."""
    keys = []
    for label in labels:
        app, _, prefix = label.partition(".")
        if not app or not prefix:
            raise AuditError(f"'{label}': name a migration as APP.NAME (e.g. shop.0002_order_note)")
        nodes = sorted(k for k in history.loader.graph.nodes if k[0] == app)
        found = [k for k in nodes if k[1] == prefix] or [k for k in nodes if k[1].startswith(prefix)]
        if not found:
            raise AuditError(f"no migration {label} on disk (app '{app}' has: "
                             f"{', '.join(n for _, n in nodes) or 'no migrations'})")
        if len(found) > 1:
            raise AuditError(f"'{label}' names several migrations: {', '.join(migration_label(k) for k in found)}")
        if found[0] in history.records:
            raise AuditError(f"{migration_label(found[0])} is already recorded as applied")
        keys.append(found[0])
    return tuple(dict.fromkeys(keys))


def unmade(history: History, d_cat, keys: tuple) -> tuple[str, ...]:
    """The tables and columns the migrations make that the database lacks, for ``record`` to
    name. A migration none of whose tables or columns is in the database is refused: nothing of
    it ran, the record would hide it (``migrate`` runs it instead). One with some of them is
    recorded - a file regenerated to hold an applied change and a new one (seed 12457: the
    applied AddField's column is there, the new CreateModel's table is not); ``migrate`` would
    fail on what is there, and ``driftaudit propose`` creates the rest. What a migration alters
    cannot be checked here."""
    from driftaudit.explain.ghosts import objects_in_database

    lacking = []
    for key in keys:
        missing = _missing_objects(history, d_cat, key)
        if missing and not objects_in_database(history, d_cat, key):
            raise AuditError(f"will not record {migration_label(key)}: the database lacks what it makes "
                             f"({', '.join(missing)}); `python manage.py migrate` runs it instead")
        lacking += missing
    return tuple(lacking)


def _missing_objects(history: History, d_cat, key: tuple) -> list[str]:
    from django.db.migrations.operations import AddField, CreateModel

    state = history.leaf_state
    app = key[0]

    def table_of(model: str, options: dict | None = None) -> str:
        later = state.models.get((app, model)) if state is not None else None
        return ((later.options if later else options or {}).get("db_table")) or f"{app}_{model}"

    missing = []
    for op in history.loader.graph.nodes[key].operations:
        if isinstance(op, CreateModel) and makes_a_table(op.options) \
                and d_cat.table(table_of(op.name_lower, op.options)) is None:
            missing.append(f"table {table_of(op.name_lower, op.options)}")
        elif isinstance(op, AddField) and not op.field.many_to_many:
            table = d_cat.table(table_of(op.model_name_lower))
            column = op.field.db_column or (f"{op.name}_id" if op.field.is_relation else op.name)
            if table is not None and table.column(column) is None:
                missing.append(f"column {table.name}.{column}")
    return missing


def makes_a_table(options: dict) -> bool:
    """A proxy or unmanaged model's ``CreateModel`` creates nothing in the database."""
    return not options.get("proxy") and options.get("managed", True)


def record(project: Project, keys: tuple, apply: bool) -> Recording:
    """Write the records (``apply``), after backing the database up; else say what it would do."""
    if not apply:
        return Recording(keys, False)
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[project.database_alias]
    configured = Path(str(connection.settings_dict["NAME"])).resolve()
    if configured != Path(project.database_path).resolve():
        raise AuditError(f"record writes through Django's connection '{project.database_alias}' "
                         f"({configured}), not {project.database_path}: run it without --db")
    backup = backup_copy(Path(project.database_path))
    recorder = MigrationRecorder(connection)
    for app, name in keys:
        recorder.record_applied(app, name)
    connection.close()
    return Recording(keys, True, backup)


def backup_copy(path: Path) -> Path:
    """A consistent copy beside ``path`` (SQLite's backup API, read-only source)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.driftaudit-backup-{stamp}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    except sqlite3.Error as exc:
        copy.close()
        target.unlink(missing_ok=True)
        raise AuditError(f"cannot back up {path} before writing: {exc}; nothing was recorded") from None
    finally:
        source.close()
        copy.close()
    return target
