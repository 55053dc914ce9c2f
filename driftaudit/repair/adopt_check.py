"""Proof, before anything is written, that an adoption leaves the audit clean.

The adopted models are the project's models with the adoption's state operations applied
(``AddIndex``, ``AddConstraint``, ``AlterField`` - the very operations the migration holds).
Their tables are rendered by Django's own schema editor into a scratch database and read by
the same reader as the audited file, then diffed against it with the audit's own three-way
diff: every adopted finding must be gone, and no difference may appear that the audit did
not already report (a DDL Django would write differently from the database's, such as a
partial index whose WHERE Django groups in other parentheses). The autodetector then says
whether ``makemigrations`` would still want anything for what was adopted.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftaudit.explain.finding import Finding
from driftaudit.repair.adopt_terms import CannotAdopt
from driftaudit.schema.catalog import Catalog
from driftaudit.schema.diff import ThreeWayDiff
from driftaudit.schema.introspect import read_catalog
from driftaudit.schema.read import Sources
from driftaudit.sources.models import declared_index_names, scratch_connection


@dataclass(frozen=True)
class ModelOps:
    """The state operations adopted for one model, and the findings they answer."""

    app: str
    model_name: str  # lower-case, as in ProjectState.models
    table: str
    operations: tuple
    findings: tuple[Finding, ...]


def adopted_state(apps, changes: list[ModelOps]):
    """The models' ProjectState with every adoption applied."""
    from django.db.migrations.state import ProjectState

    state = ProjectState.from_apps(apps)
    for change in changes:
        for operation in change.operations:
            operation.state_forwards(change.app, state)
    return state


def check_tables(sources: Sources, state, changes: list[ModelOps]) -> dict[str, str]:
    """``{table: why}`` for the tables the adopted models would still not match."""
    scratch = scratch_connection()
    scratch.ensure_connection()
    try:
        with scratch.schema_editor(atomic=False) as editor:
            for change in changes:
                editor.create_model(state.apps.get_model(change.app, change.model_name))
        rendered = read_catalog(scratch.connection)
    finally:
        scratch.close()
    declared = declared_index_names(state.apps)
    problems = {}
    for change in changes:
        key = change.table.lower()
        before = _differences(sources.m_cat, sources, key, sources.m_cat.declared_index_names)
        after = _differences(rendered, sources, key, declared)
        wanted = {(f.kind, (f.column or "").lower(), (f.sources or {}).get("database")) for f in change.findings}
        still = [d for d in after.values() if d[:3] in wanted]
        new = [d for d in after.values() if d[:3] not in before]
        if still or new:
            column = (new or still)[0][1]
            models = next((d[3] for d in new + still if d[3]), None)
            database = next((d[2] for d in still + new if d[2]), None)
            problems[change.table] = (
                f"for {change.table}{'.' + column if column else ''} Django would write {models or 'nothing'}, "
                f"the database has {database or 'nothing'}: the audit would still report {(new or still)[0][0]}")
    return problems


def _differences(catalog: Catalog, sources: Sources, key: str, declared) -> dict:
    table = catalog.tables.get(key)
    d_table = sources.d_cat.tables.get(key)
    h_table = sources.h_cat.tables.get(key)
    if table is None or d_table is None:
        return {}
    diffs = ThreeWayDiff(Catalog({key: table}, declared_index_names=declared),
                         Catalog({key: h_table} if h_table else {}), Catalog({key: d_table})).run()
    return {(d.kind, (d.column or "").lower(), d.database): (d.kind, (d.column or "").lower(), d.database, d.models)
            for d in diffs}


def check_autodetector(history, apps, state, migration_ops: dict[str, list]) -> None:
    """``makemigrations`` after the adoption (``migration_ops``, per app, applied to the files'
    state) must want nothing it did not want before for these apps."""
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.questioner import MigrationQuestioner
    from django.db.migrations.state import ProjectState

    def wanted(before, after) -> set:
        found = MigrationAutodetector(before, after, MigrationQuestioner(dry_run=True)).changes(
            graph=history.loader.graph)
        return {(app, op.describe()) for app, migrations in found.items() if app in migration_ops
                for migration in migrations for op in migration.operations}

    files_after = history.leaf_state.clone()
    for app, operations in migration_ops.items():
        for operation in operations:
            operation.state_forwards(app, files_after)
    new = wanted(files_after, state) - wanted(history.leaf_state.clone(), ProjectState.from_apps(apps))
    if new:
        app, what = sorted(new)[0]
        raise CannotAdopt(f"makemigrations would still write for app {app}: {what}")
