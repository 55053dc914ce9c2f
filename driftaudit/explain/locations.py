"""Where in the project's code each finding points: the lines SARIF and GitHub annotations show.

A finding about a migration points at its file; a finding about a column at the model field
that declares it (``ForeignKey`` of an auto-created join table: the ``ManyToManyField``), else at
the model's ``class`` line, else at the migration that made the object. What has no code left
(a ghost record, a removed app's table) points at the app's migrations package or the settings
(``INSTALLED_APPS``, ``DATABASES``). Each finding gets these candidates in that order, all
absolute; an output keeps the first one inside the folder its paths are relative to (a model
of a third-party package lives outside the repository).
"""

from __future__ import annotations

import sys

from driftaudit.explain.finding import MIGRATION_KINDS, Finding
from driftaudit.sources.code import CodeIndex, CodeLocation
from driftaudit.sources.history import History


class Locator:
    def __init__(self, apps, history: History, settings_module: str):
        self.apps, self.history, self.settings_module = apps, history, settings_module
        self.code = CodeIndex()

    def locate(self, findings: list[Finding]) -> dict[str, tuple[CodeLocation, ...]]:
        """Finding id -> candidate locations, best first."""
        return {f.id: tuple(dict.fromkeys(loc for loc in self._candidates(f) if loc)) for f in findings}

    def _candidates(self, f: Finding):
        migration = self._migration_file(f.migration)
        if f.kind == "pending-model-change":  # the models are ahead: their module, not a migration yet
            yield self._models_module(f.app)
        elif f.kind in MIGRATION_KINDS:
            yield migration
        model = self._model(f.model)
        if model is not None:
            yield self._field(model, f.column)
            yield self.code.class_location(model if not model._meta.auto_created else model._meta.auto_created)
        yield migration
        yield self._migrations_package(f.app)
        yield self._settings("INSTALLED_APPS" if f.cause == "removed-app" else "DATABASES")

    def _model(self, label: str | None):
        if not label:
            return None
        try:
            return self.apps.get_model(label)
        except (LookupError, ValueError):
            return None

    def _field(self, model, column: str | None) -> CodeLocation | None:
        """The field declaring ``column`` (one column only: a constraint over several is the class's)."""
        if not column or "," in column:
            return None
        meta = model._meta
        if meta.auto_created:  # a join table: its keys are declared by the ManyToManyField
            owner = meta.auto_created
            for field in owner._meta.local_many_to_many:
                if field.remote_field.through is model:
                    return self.code.attribute_location(owner, field.name)
            return None
        for field in meta.get_fields(include_hidden=False):
            if getattr(field, "column", None) == column and not field.auto_created:
                return self.code.attribute_location(model, field.name)
        return None

    def _migration_file(self, label: str | None) -> CodeLocation | None:
        if not label or "." not in label:
            return None
        key = tuple(label.split(".", 1))
        path = self.history.migration_file(key)
        if path is None:
            path = next((b.path for b in self.history.broken_files if (b.app, b.name) == key), None)
        return self.code.file_location(path, class_name="Migration") if path else None

    def _models_module(self, app: str | None) -> CodeLocation | None:
        try:
            module = self.apps.get_app_config(app).models_module if app else None
        except LookupError:
            return None
        path = getattr(module, "__file__", None)
        return self.code.file_location(path) if path else None

    def _migrations_package(self, app: str | None) -> CodeLocation | None:
        """The app's migrations package (a ghost's file is gone; an installed app's folder is not)."""
        try:
            module_name, _ = self.history.loader.migrations_module(app) if app else (None, None)
        except LookupError:  # the app is not installed (any more)
            return None
        path = getattr(sys.modules.get(module_name or ""), "__file__", None)
        return self.code.file_location(path) if path else None

    def _settings(self, name: str) -> CodeLocation | None:
        path = getattr(sys.modules.get(self.settings_module), "__file__", None)
        return self.code.file_location(path, assigned=name) if path else None
