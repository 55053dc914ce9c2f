"""Render the schema Django *would* create, into a private in-memory SQLite database.

Models (M) and the history state (H) are turned into real SQLite DDL by the project's own
Django schema editor, so the expected text is exactly what this Django version writes
(5.2 and 6.1 render the same model differently). The scratch database is then read by the
same reader as the audited file. The audited database is never involved.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    """A state's models created in an in-memory SQLite database, to be read like the real one."""

    connection: sqlite3.Connection
    #: tables that models declare but Django does not manage (``managed = False``):
    #: present in the database on purpose, never drift by absence or presence.
    unmanaged_tables: frozenset
    #: lower-cased names of indexes and constraints the models name (``Meta.indexes``,
    #: ``Meta.constraints``): the names ``RemoveIndex``/``RenameIndex`` will look for.
    declared_index_names: frozenset = frozenset()


def scratch_connection():
    """A fresh Django SQLite ``DatabaseWrapper`` on ``:memory:``, never the project's."""
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    return handler["default"]


def concrete_models(apps):
    """Models whose tables Django creates: managed, not proxy, not swapped out."""
    for model in apps.get_models():
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            yield model


def unmanaged_tables(apps) -> frozenset:
    names = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed and not meta.proxy:
            names.add(meta.db_table.lower())
        for field in meta.local_many_to_many:
            through = field.remote_field.through
            if not meta.managed and getattr(through, "_meta", None) and through._meta.auto_created:
                names.add(through._meta.db_table.lower())
    return frozenset(names)


def declared_index_names(apps) -> frozenset:
    names = set()
    for model in concrete_models(apps):
        for item in (*model._meta.indexes, *model._meta.constraints):
            if getattr(item, "name", None):
                names.add(item.name.lower())
    return frozenset(names)


def render_models(apps) -> Rendered:
    """Create every concrete model of ``apps`` (a registry or ``StateApps``) in a scratch DB."""
    wrapper = scratch_connection()
    wrapper.ensure_connection()
    with wrapper.schema_editor(atomic=False) as editor:
        for model in concrete_models(apps):
            _drop_repeated_indexes(model)
            editor.create_model(model)
    return Rendered(wrapper.connection, unmanaged_tables(apps), declared_index_names(apps))


def _drop_repeated_indexes(model) -> None:
    """Keep one index per name: a history state can hold the same named index twice.

    django-taggit's 0002 ``AddIndex`` and 0006 ``RenameIndex(old_fields=...)`` both put
    ``taggit_tagg_content_8fc721_idx`` into the state; ``migrate`` made one index (the rename
    found it already named), so creating both would fail on a database that has no drift.
    """
    seen, kept = set(), []
    for index in model._meta.indexes:
        if index.name not in seen:
            seen.add(index.name)
            kept.append(index)
    if len(kept) != len(model._meta.indexes):
        model._meta.indexes = kept
