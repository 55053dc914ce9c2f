"""Every name a migration file ever gave a database object: indexes, constraints, columns,
and the tables of apps no longer installed.

A name no migration file holds was not made by a migration. That is evidence (with the DDL)
that an object was made by hand, and how the tables of a removed app are still recognized:
its migrations package is usually still importable although the app left ``INSTALLED_APPS``.
"""

from __future__ import annotations

import ast
import pkgutil
from dataclasses import dataclass, field
from importlib import import_module


@dataclass(frozen=True)
class HistoryNames:
    """Every name a migration file ever gave: a name the history knows is part of the schema even
    when the models no longer say it."""

    #: lower-cased index and constraint names (``AddIndex``, ``AddConstraint``, ``RenameIndex``,
    #: ``CreateModel`` options)
    indexes: frozenset = frozenset()
    #: lower-cased ``(model name, column or field name)`` pairs every operation named
    columns: frozenset = frozenset()
    #: lower-cased table -> (app label, lower-cased model name), for every table a migration file
    #: made for a model (its default name or ``db_table``) or for a ManyToManyField (the join
    #: table's auto-created model is ``<model>_<field>``) - removed apps' included
    tables: dict = field(default_factory=dict)


def history_names(history, installed: set) -> HistoryNames:
    from django.db.migrations import operations as ops

    indexes, columns, tables = set(), set(), {}
    model_tables = {}  # (app, model) -> its table, as the operations so far left it
    many = {}  # (app, model) -> its ManyToManyFields' names (their join tables follow its table)
    migrations = [node for node in history.loader.graph.nodes.values() if node is not None]
    for app in sorted({a for a, _ in history.records} - set(installed)):
        migrations += _removed_app_migrations(app)
    for migration in migrations:
        app = migration.app_label
        for op in _flat(migration.operations):
            if isinstance(op, ops.CreateModel):
                table = (op.options.get("db_table") or f"{app}_{op.name_lower}").lower()
                model_tables[(app, op.name_lower)] = table
                tables[table] = (app, op.name_lower)
                for name, f in op.fields:
                    columns |= _column_names(op.name_lower, name, f)
                    _join_table(tables, app, op.name_lower, table, name, f)
                    if auto_join(f):
                        many.setdefault((app, op.name_lower), []).append(name)
                for item in list(op.options.get("indexes", [])) + list(op.options.get("constraints", [])):
                    if getattr(item, "name", None):
                        indexes.add(item.name.lower())
            elif isinstance(op, (ops.AddField, ops.AlterField)):
                columns |= _column_names(op.model_name_lower, op.name, op.field)
                table = model_tables.get((app, op.model_name_lower), f"{app}_{op.model_name_lower}")
                _join_table(tables, app, op.model_name_lower, table, op.name, op.field)
                if auto_join(op.field):
                    many.setdefault((app, op.model_name_lower), []).append(op.name)
            elif isinstance(op, ops.RenameField):
                columns |= {(op.model_name_lower, op.old_name_lower), (op.model_name_lower, op.new_name_lower)}
            elif isinstance(op, (ops.AddIndex, ops.AddConstraint)):
                item = getattr(op, "index", None) or getattr(op, "constraint", None)
                if getattr(item, "name", None):
                    indexes.add(item.name.lower())
            elif isinstance(op, ops.RenameIndex):
                indexes |= {n.lower() for n in (op.new_name, op.old_name) if n}
            elif isinstance(op, ops.AlterModelTable) and op.table:
                model_tables[(app, op.name_lower)] = op.table.lower()
                tables[op.table.lower()] = (app, op.name_lower)
                for name in many.get((app, op.name_lower), ()):  # AlterModelTable renames them too
                    tables[f"{op.table}_{name}".lower()] = (app, f"{op.name_lower}_{name.lower()}")
    return HistoryNames(frozenset(indexes), frozenset(columns), tables)


def auto_join(f) -> bool:
    """A ManyToManyField whose join table Django makes (no ``through`` model)."""
    return getattr(f, "many_to_many", False) and not getattr(f.remote_field, "through", None)


def _join_table(tables: dict, app: str, model: str, table: str, name: str, f) -> None:
    if auto_join(f):
        tables[f"{table}_{name}".lower()] = (app, f"{model}_{name.lower()}")


def _flat(operations):
    from django.db.migrations.operations import SeparateDatabaseAndState

    for op in operations:
        if isinstance(op, SeparateDatabaseAndState):
            yield from _flat(op.state_operations)
            yield from _flat(op.database_operations)
        else:
            yield op


def _column_names(model: str, name: str, f) -> set:
    names = {name.lower(), f"{name.lower()}_id"}
    if getattr(f, "db_column", None):
        names.add(f.db_column.lower())
    return {(model, n) for n in names}


def _removed_app_migrations(app: str) -> list:
    """The migrations of an app that left INSTALLED_APPS, when its package still imports.

    Only the label is left (in django_migrations): its package is looked for where a label
    usually comes from - ``MIGRATION_MODULES``, a top-level package, a contrib app (``sites``
    keeps its table ``django_site``, which no label prefix finds).
    """
    from django.conf import settings

    candidates = [getattr(settings, "MIGRATION_MODULES", {}).get(app), f"{app}.migrations",
                  f"django.contrib.{app}.migrations"]
    for name in filter(None, candidates):
        try:
            package = import_module(name)
        except Exception:  # noqa: BLE001 - not there: the next candidate
            continue
        return _migrations_in(package, name, app)
    return []  # the app is gone for good: nothing to read


def _migrations_in(package, name: str, app: str) -> list:
    found = []
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        try:
            module = import_module(f"{name}.{info.name}")
        except Exception:  # noqa: BLE001 - it imports models of an app no longer installed
            found += _read_statically(package, info.name, app)
            continue
        migration = getattr(module, "Migration", None)
        if migration is not None:
            found.append(migration(info.name, app))
    return found


def _read_statically(package, name: str, app: str) -> list:
    """The tables a migration file creates, read from its text (never run): importing it fails
    when it imports the models of the uninstalled app (``django.contrib.sites``' 0001)."""
    from pathlib import Path

    from django.db.migrations import CreateModel, Migration

    for folder in getattr(package, "__path__", []):
        path = Path(folder) / f"{name}.py"
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        operations = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "CreateModel":
                values = {k.arg: k.value for k in node.keywords}
                model = values.get("name", node.args[0] if node.args else None)
                if isinstance(model, ast.Constant) and isinstance(model.value, str):
                    table = _db_table(values.get("options"))
                    operations.append(CreateModel(model.value, [], {"db_table": table} if table else {}))
        migration = Migration(name, app)
        migration.operations = operations
        return [migration]
    return []


def _db_table(options) -> str | None:
    """``options={"db_table": "..."}`` of a CreateModel call, whatever else the dict holds."""
    if not isinstance(options, ast.Dict):
        return None
    for key, value in zip(options.keys, options.values):
        if isinstance(key, ast.Constant) and key.value == "db_table" and isinstance(value, ast.Constant):
            return value.value if isinstance(value.value, str) else None
    return None
