"""The history's catalog (H): the applied state rendered, its ``RunSQL`` replayed, read back.

Rendering the state means Django's ``StateApps`` (every model class rebuilt) and a scratch
database made by the schema editor: on a Wagtail site ~0.15 s, on 400 models ~1 s, for a result
that only changes when the migration files do. So the catalog and the replay result are
pickled beside the replayed states, keyed by the state's key plus SQLite's version and the
code that renders, replays and reads them, and rendered again only when one of those changes.

Rendering the models' scratch database once for both M and H is not an option: even on a
clean project the history puts columns in another order (a field added by a later migration
comes last), and the history's DDL is what a repair of a pending table must recreate.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import replace

from driftaudit.errors import AuditError
from driftaudit.schema.introspect import read_catalog
from driftaudit.sources.models import render_models
from driftaudit.sources.runsql import replay_raw_sql


def history_apps(history):
    """The applied state as Django's ``StateApps`` (rendered once: a cached property of the state)."""
    try:
        return history.applied_state.apps
    except Exception as exc:  # a history so broken its state cannot render
        raise AuditError(f"cannot build the migration history state: {exc}") from None


def render_plan(history, plan, skip=frozenset()):
    """``(catalog, state)`` of the migrations of ``plan`` but ``skip``, in order, rendered from
    an empty state; None when a migration needs one that is skipped (or the state cannot render)."""
    from django.db.migrations.state import ProjectState

    state = ProjectState(real_apps=set(history.loader.unmigrated_apps))
    try:
        for key in plan:
            if key not in skip:
                state = history.loader.graph.nodes[key].mutate_state(state, preserve=False)
        return read_catalog(render_models(state.apps).connection), state
    except Exception:  # noqa: BLE001 - the migrations left in need the skipped ones
        return None


def history_catalog(history) -> tuple:
    """``(h_cat, replayed)``: the catalog of the applied state plus its replayed ``RunSQL``."""
    from driftaudit.sources import statecache

    key = _cache_key(history.state_key)
    cached = statecache.load(key, "hcat")
    if cached is not None:
        return cached
    rendered = render_models(history_apps(history))
    replayed = replay_raw_sql(history, rendered.connection)
    h_cat = replace(read_catalog(rendered.connection), declared_index_names=rendered.declared_index_names)
    statecache.store(key, (h_cat, replayed), "hcat")
    return h_cat, replayed


def _cache_key(state_key: str | None) -> str | None:
    """The state's key, SQLite's version and the modules that render, replay and read."""
    if state_key is None:
        return None
    from driftaudit.schema import catalog, ddl, introspect
    from driftaudit.sources import models, runsql

    stamps = []
    for module in (catalog, ddl, introspect, runsql, models):
        try:
            stat = os.stat(module.__file__)
        except OSError:
            return None
        stamps.append((stat.st_size, stat.st_mtime_ns))
    return hashlib.sha256(repr((state_key, sqlite3.sqlite_version, stamps)).encode()).hexdigest()
