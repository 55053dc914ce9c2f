"""The history half of the repair: the state operations ``makemigrations`` would write.

``MigrationAutodetector`` compares the leaf migration files with the models, as
``makemigrations`` does. Where the schema diff found a table or column renamed (same shape,
new name), the questioner answers Django's "did you rename?" question with yes, so the state
gets ``RenameModel`` / ``RenameField`` - the database half keeps the data the same way.
"""

from __future__ import annotations

from django.db.migrations.questioner import MigrationQuestioner


class RepairQuestioner(MigrationQuestioner):
    """Answers from the schema diff instead of a prompt; every other question: no default."""

    def __init__(self, tables: set, columns: set):
        super().__init__(specified_apps=None, dry_run=True)
        self.tables = {(old.lower(), new.lower()) for old, new in tables}
        self.columns = {(old.lower(), new.lower()) for old, new in columns}

    def ask_rename_model(self, old_model_state, new_model_state):
        def table(state):
            return (state.options.get("db_table") or f"{state.app_label}_{state.name_lower}").lower()

        return (table(old_model_state), table(new_model_state)) in self.tables

    def ask_rename(self, model_name, old_name, new_name, field_instance):
        column = (field_instance.db_column or field_instance.get_attname_column()[1] or new_name).lower()
        old = {old_name.lower(), f"{old_name.lower()}_id"}
        return any((o, column) in self.columns for o in old)


def state_changes(history, apps, renamed_tables: set, renamed_columns: set) -> dict:
    """``{app: (operations, dependencies, autodetector names)}`` that bring the files to the models."""
    return {app: merged(chunks) for app, chunks in state_migrations(history, apps, renamed_tables,
                                                                       renamed_columns).items()}


def merged(chunks: list) -> tuple:
    """One app's migrations as one: ``(operations, dependencies outside them, their names)``."""
    names = {chunk[2] for chunk in chunks}
    operations = [op for chunk in chunks for op in chunk[0]]
    deps = {dep for chunk in chunks for dep in chunk[1]} - names
    return operations, deps, names


def state_migrations(history, apps, renamed_tables: set, renamed_columns: set) -> dict:
    """``{app: [(operations, dependencies, (app, autodetector name)), ...]}``, migration by
    migration as ``makemigrations`` would write them: it splits an app's changes in two when
    another app's changes must come in between (a key each way), and so must the repair."""
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.state import ProjectState

    if history.leaf_state is None:
        return {}
    changes = MigrationAutodetector(
        history.leaf_state.clone(), ProjectState.from_apps(apps), RepairQuestioner(renamed_tables, renamed_columns),
    ).changes(graph=history.loader.graph)
    return {app: [(list(m.operations), {tuple(d) for d in m.dependencies}, (app, m.name)) for m in migrations]
            for app, migrations in changes.items()}


def baseline_changes(history, apps, labels: list) -> dict:
    """``{app: (operations, dependencies)}``: the first migration ``makemigrations APP`` would write
    for apps that have models but no migrations (their tables were made by ``--run-syncdb``)."""
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.state import ProjectState

    if not labels or history.leaf_state is None:
        return {}
    before = history.leaf_state.clone()
    before.real_apps = set(before.real_apps) - set(labels)
    changes = MigrationAutodetector(
        before, ProjectState.from_apps(apps), MigrationQuestioner(specified_apps=set(labels), dry_run=True),
    ).changes(graph=history.loader.graph, trim_to_apps=set(labels), convert_apps=set(labels))
    out = {}
    for app, migrations in changes.items():
        names = {(app, m.name) for m in migrations}
        deps = {tuple(d) for m in migrations for d in m.dependencies} - names
        out[app] = ([op for m in migrations for op in m.operations], deps)
    return out


def operation_tables(operation, app: str, states: tuple) -> set:
    """Lower-case table names an autodetector operation changes (via the models in ``states``)."""
    names = {getattr(operation, attr, None) for attr in ("model_name", "name", "old_name", "new_name")}
    out = set()
    for state in states:
        for name in names - {None}:
            model = state.models.get((app, str(name).lower()))
            if model is not None:
                out.add((model.options.get("db_table") or f"{app}_{model.name_lower}").lower())
    return out


def split_for_pending(operations: list, app: str, pending_tables: set, states: tuple) -> list:
    """The models migration that runs after pending migrations: operations on tables those
    migrations change run for real (the repair left them as applied); the others are state
    only, wrapped in ``SeparateDatabaseAndState`` - the repair already brought them to the models."""
    from django.db.migrations.operations import SeparateDatabaseAndState

    out, run = [], []
    for operation in operations:
        if operation_tables(operation, app, states) & pending_tables:
            if run:
                out.append(SeparateDatabaseAndState(state_operations=run))
                run = []
            out.append(operation)
        else:
            run.append(operation)
    if run:
        out.append(SeparateDatabaseAndState(state_operations=run))
    return out
