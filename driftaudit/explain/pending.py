"""What ``makemigrations`` would write now: the ``pending-model-change`` findings (M vs H files)."""

from __future__ import annotations

import sys

from driftaudit.config.rules import fill, rule_for
from driftaudit.explain.finding import Finding
from driftaudit.sources.history import History, migration_label


def pending_model_changes(history: History, apps) -> list[Finding]:
    """What ``makemigrations`` would write now: the autodetector on leaf files vs models.

    When the leaf state equals the models' (Django's own ``ModelState`` equality, which compares
    every field's ``deconstruct()``, the options, bases and managers: :func:`_same_models`) the
    autodetector has nothing to find and is not run. The answer depends on the files and the
    models alone, so several databases with the same records (``history.derived``) get it
    computed once.
    """
    if "pending" not in history.derived:
        history.derived["pending"] = _pending_model_changes(history, apps)
    return list(history.derived["pending"])


def _pending_model_changes(history: History, apps) -> list[Finding]:
    from django.db.migrations.state import ProjectState

    if history.leaf_state is None:
        return []
    models_state = ProjectState.from_apps(apps)
    if _same_models(models_state, history.leaf_state):
        return []  # (the autodetector's modules are not even imported: a cold run saves ~10 ms)
    from django.db.migrations.autodetector import MigrationAutodetector

    # The base questioner answers every question with "no default" and never logs or exits;
    # NonInteractiveMigrationQuestioner calls sys.exit(3) on a new NOT NULL field.
    from django.db.migrations.questioner import MigrationQuestioner
    try:
        changes = MigrationAutodetector(
            history.leaf_state.clone(), models_state,  # the autodetector may change its from_state
            MigrationQuestioner(specified_apps=None, dry_run=True),
        ).changes(graph=history.loader.graph)
    except Exception as exc:  # noqa: BLE001 - broken history: the other findings say why
        print(f"driftaudit: could not compute pending model changes: {exc}", file=sys.stderr)
        return []
    rule = rule_for("pending-model-change")
    out = []
    for app, migrations in sorted(changes.items()):
        operations = [op for migration in migrations for op in migration.operations]
        described = [op.describe() for op in operations]
        text = fill(rule.template("default"), app=app, operations="; ".join(described))
        out.append(Finding(
            rule=rule.id, kind="pending-model-change", severity=rule.severity, signature="M≠H",
            cause="pending-model-change", explanation=text, fix=rule.fix, app=app,
            migration=migration_label((app, migrations[0].name)) if migrations else None,
            sources={"models": "changed", "history": "; ".join(described), "database": None,
                     "tables": _tables(app, operations, apps, history.leaf_state)},
        ))
    return out


#: options whose empty value means the same as no value at all, to the autodetector
_EMPTY_IS_ABSENT = ("abstract", "unique_together", "index_together")


def _same_models(models_state, leaf_state) -> bool:
    """Django's ``ModelState`` equality, with an empty ``abstract``, ``unique_together`` or
    ``index_together`` counted as none at all, as the autodetector counts them.

    A model whose Meta inherits an abstract parent's (``auth.User``: ``class Meta(AbstractUser.Meta)``)
    has ``abstract: False`` in its options when read from the models, never in its migrations'
    state, and a ``unique_together`` taken away leaves ``set()`` in the migrations' state. So
    every project with ``django.contrib.auth`` ran the autodetector on every cold audit only to
    find nothing."""
    import copy

    if models_state.models.keys() != leaf_state.models.keys():
        return False
    for key, model in models_state.models.items():
        leaf = leaf_state.models[key]
        if model == leaf:
            continue
        if _meaningful(model.options) != _meaningful(leaf.options):
            return False
        same_options = copy.copy(model)  # the rest compared as Django does
        same_options.options = leaf.options
        if same_options != leaf:
            return False
    return True


def _meaningful(options: dict) -> dict:
    return {k: v for k, v in options.items() if v or k not in _EMPTY_IS_ABSENT}


def _tables(app: str, operations, apps, leaf_state) -> list[str]:
    """The tables of the models the operations change (the models' and the migration files'
    names, when they differ), so a reader (a CI annotation, a script, the generated cases'
    invariants) can tie the app's finding to a table whatever its ``db_table`` is (seed 14902:
    ``t_appmu_book``, a column widened in the model only)."""
    tables = []
    for op in operations:
        # a field, index or constraint operation names its model in model_name (its own name is
        # the field's); a model operation in name; RenameModel in old_name and new_name
        names = ([op.model_name_lower] if hasattr(op, "model_name_lower")
                 else [op.old_name_lower, op.new_name_lower] if hasattr(op, "old_name_lower")
                 else [op.name_lower] if hasattr(op, "name_lower") else [])
        for name in names:
            try:
                found = [apps.get_model(app, name)._meta.db_table]
            except LookupError:  # gone from the models
                found = []
            state = leaf_state.models.get((app, name))
            if state is not None:  # the table the files gave it (a moved db_table: both)
                found.append(state.options.get("db_table") or f"{app}_{name}")
            tables += [table for table in dict.fromkeys(found) if table not in tables]
    return tables

