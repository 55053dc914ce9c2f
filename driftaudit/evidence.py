"""How did it happen? Evidence from the history for one drifted object, turned into a cause.

The signature says which source moved; the history facts (ghost records, files modified
after they were recorded, the migration that should have made a change, removed apps) say
how. Every cause comes with the sentence that states its evidence (from ``rules/causes.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from django.db.migrations import operations as ops

from .history import History
from .rules import fill, load_causes


@dataclass(frozen=True)
class RewrittenMigration:
    key: tuple
    applied: datetime
    modified: datetime


@dataclass(frozen=True)
class Evidence:
    cause: str
    migration: tuple | None
    sentence: str
    applied: str | None = None


def parse_applied(text) -> datetime | None:
    if isinstance(text, datetime):
        return text.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(text).replace("T", " ").split("+")[0])
    except ValueError:
        return None


def fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "an unknown date"


def migration_label(key: tuple | None) -> str | None:
    return f"{key[0]}.{key[1]}" if key else None


def rewritten_migrations(history: History, use_tz: bool) -> list[RewrittenMigration]:
    """Applied migrations whose file changed after they were recorded.

    A modification time alone is weak evidence (a git checkout touches every file), so callers
    only use it to explain drift the history cannot otherwise account for.
    """
    found = []
    for key in history.applied_plan:
        applied = parse_applied(history.records.get(key))
        path = history.migration_file(key)
        if applied is None or not path or not Path(path).is_file():
            continue
        mtime = Path(path).stat().st_mtime
        modified = (
            datetime.fromtimestamp(mtime, tz=timezone.utc).replace(tzinfo=None)
            if use_tz else datetime.fromtimestamp(mtime)
        )
        if modified > applied:
            found.append(RewrittenMigration(key, applied, modified))
    return found


class EvidenceFinder:
    def __init__(self, history: History, installed_apps: set, use_tz: bool):
        self.history = history
        self.installed = installed_apps
        self.rewritten = rewritten_migrations(history, use_tz)
        self.causes = load_causes()

    def _sentence(self, cause: str, **values) -> str:
        template = self.causes.get(cause, {}).get("evidence", "")
        return fill(template, **values)

    def _evidence(self, cause: str, key: tuple | None = None, **values) -> Evidence:
        applied = self.history.records.get(key) if key else None
        values.setdefault("migration", migration_label(key) or "")
        values.setdefault("applied", fmt_time(parse_applied(applied)) if applied else "")
        return Evidence(cause, key, self._sentence(cause, **values), str(applied) if applied else None)

    def removed_app(self, app: str) -> Evidence | None:
        if not app or app in self.installed:
            return None
        records = sorted(name for (label, name) in self.history.records if label == app)
        if not records:
            return None
        return self._evidence("removed-app", (app, records[-1]), app=app, records=", ".join(records))

    def explain(self, signature: str, app: str | None, model: str | None = None,
                field: str | None = None, present_in_models: bool = False) -> Evidence:
        """The most likely cause for a difference with ``signature`` in ``app``."""
        if signature == "M≠H=D":
            return self._evidence("pending-model-change")
        if signature != "M=H≠D":
            return self._evidence("unknown")
        removed = self.removed_app(app)
        if removed:
            return removed
        rewritten = [r for r in self.rewritten if r.key[0] == app]
        if rewritten:
            first = rewritten[0]
            return self._evidence(
                "rewritten-migration", first.key, modified=fmt_time(first.modified),
                applied=fmt_time(first.applied),
            )
        ghosts = [key for key in self.history.ghosts if key[0] == app]
        if ghosts:
            return self._evidence("deleted-migration", ghosts[-1])
        if present_in_models and model:
            maker = self.applied_migration_making(app, model, field)
            if maker:
                return self._evidence("faked-migration", maker)
        return self._evidence("manual-sql")

    def applied_migration_making(self, app: str, model: str, field: str | None) -> tuple | None:
        """The applied migration whose operations create ``model`` (or add ``field`` to it)."""
        model_l = model.lower()
        for key in self.history.applied_plan:
            if key[0] != app:
                continue
            for op in self.history.loader.graph.nodes[key].operations:
                if field is None and isinstance(op, ops.CreateModel) and op.name_lower == model_l:
                    return key
                if field is not None and isinstance(op, ops.AddField) and op.model_name_lower == model_l \
                        and op.name_lower == field.lower():
                    return key
                if field is not None and isinstance(op, ops.CreateModel) and op.name_lower == model_l \
                        and any(name.lower() == field.lower() for name, _ in op.fields):
                    return key
        return None
