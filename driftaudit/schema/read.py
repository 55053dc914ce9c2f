"""Read the three sources into the one normalized model: the catalogs of M, H and D.

``read_sources`` is where each source meets the schema model: the models rendered into a
scratch database (:mod:`driftaudit.sources.models`), the applied history rendered and its
``RunSQL`` replayed (:mod:`driftaudit.schema.history_catalog`), and the audited file - all
three read by the same reader (:mod:`driftaudit.schema.introspect`). It also decides which
tables are not models' tables at all (unmanaged, made by ``RunSQL``, virtual tables and their
shadows, driftaudit's own backups), so that no later stage mistakes them for drift.

:class:`AuditInput` bundles what every later stage reads: the project, its open read-only
database, Django's app registry and these sources.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass, replace

from driftaudit.schema.catalog import Catalog
from driftaudit.schema.ddl import load_ddl_facts, save_ddl_facts
from driftaudit.schema.history_catalog import history_apps, history_catalog
from driftaudit.schema.introspect import read_catalog
from driftaudit.sources.database import touch_tables
from driftaudit.sources.history import History, history_from_records, read_records, records_key, with_records
from driftaudit.sources.models import render_models
from driftaudit.sources.project import Project
from driftaudit.sources.runsql import ReplayResult

#: Shadow tables SQLite's virtual table modules create beside ``x``.
SHADOW_SUFFIXES = {
    "fts5": ("_data", "_idx", "_content", "_docsize", "_config"),
    "fts4": ("_content", "_segments", "_segdir", "_docsize", "_stat"),
    "fts3": ("_content", "_segments", "_segdir", "_docsize", "_stat"),
    "rtree": ("_node", "_rowid", "_parent"),
    "rtree_i32": ("_node", "_rowid", "_parent"),
}


_MODULE_RE = re.compile(r"\bUSING\s+(\w+)", re.IGNORECASE)


def shadow_tables(catalog: Catalog) -> frozenset:
    names = set()
    for obj in catalog.raw_objects.values():
        if obj.type != "virtual-table":
            continue
        match = _MODULE_RE.search(obj.sql)
        for suffix in SHADOW_SUFFIXES.get(match.group(1).lower() if match else "", ()):
            names.add((obj.name + suffix).lower())
    return frozenset(names)


def virtual_tables(catalog: Catalog) -> frozenset:
    """Names of the virtual tables: raw SQL objects, whatever model may sit on top of them."""
    return frozenset(name for name, obj in catalog.raw_objects.items() if obj.type == "virtual-table")



#: Tables ``driftaudit propose`` fills with the rows a repair removed (its backups): kept on
#: purpose for the user, never drift.
BACKUP_PREFIX = "driftaudit_backup_"
#: Tables the repair moves rows into that the new schema rejects (orphans, duplicates), with
#: the reason for each row: kept for the user, never drift.
QUARANTINE_PREFIX = "driftaudit_quarantine_"


@dataclass(frozen=True)
class Sources:
    """The three sources read once: history, the catalogs of M, H (applied) and D."""

    history: History
    #: what replaying the applied ``RunSQL`` made (objects and the migration that made each)
    replayed: ReplayResult
    #: the models (M), the applied history (H) and the database (D), in one normalized form
    m_cat: Catalog
    h_cat: Catalog
    d_cat: Catalog
    #: lower-cased tables that are not models' tables: never compared as model tables
    not_model_tables: frozenset

    @property
    def history_apps(self):
        """The applied state as Django's ``StateApps``, rendered on first use only (``propose``)."""
        return history_apps(self.history)


class SharedSources:
    """What does not depend on the audited database, rendered once for any number of them.

    The models' catalog depends on the code alone. The history depends on the database only
    through the migrations ``django_migrations`` records (:func:`records_key`), so it is
    loaded, replayed and rendered once per distinct set of records; each database then gets a
    view with its own record times (:func:`with_records`). The DB catalog and the rows are the
    database's own, read per database by :func:`read_sources`. One audit uses a fresh instance;
    ``report --db 'backups/*.sqlite3'`` fills one in the parent process and its forked workers
    inherit it (:mod:`driftaudit.many`).
    """

    def __init__(self, apps):
        self.apps = apps
        self._models = None
        self._histories: dict = {}

    def models(self) -> tuple[Catalog, frozenset]:
        """The models (M) rendered and read: their catalog and their unmanaged tables."""
        if self._models is None:
            _load_ddl_facts()
            models = render_models(self.apps)
            m_cat = replace(read_catalog(models.connection), declared_index_names=models.declared_index_names)
            models.connection.close()
            self._models = (m_cat, models.unmanaged_tables)
        return self._models

    def history(self, has_table: bool, records: dict) -> tuple[History, Catalog, ReplayResult]:
        """The history of a database with these records, its catalog (H) and replayed ``RunSQL``."""
        key = records_key(has_table, records)
        if key not in self._histories:
            _load_ddl_facts()
            history = history_from_records(has_table, records)
            self._histories[key] = (history, *history_catalog(history))
        history, h_cat, replayed = self._histories[key]
        return with_records(history, records), h_cat, replayed


def _load_ddl_facts() -> None:
    from django.conf import settings

    module = sys.modules.get(settings.SETTINGS_MODULE or "")
    load_ddl_facts(f"{settings.SETTINGS_MODULE} {getattr(module, '__file__', '')}")


def read_sources(conn: sqlite3.Connection, apps, shared: SharedSources | None = None) -> Sources:
    """Models, history and database read into catalogs (shared by the audit and ``propose``);
    ``shared`` holds what several databases' audits share (a fresh one when not given)."""
    shared = shared or SharedSources(apps)
    history, h_cat, replayed = shared.history(*read_records(conn))
    m_cat, unmanaged = shared.models()
    _load_ddl_facts()
    d_cat = read_catalog(conn)
    touch_tables(conn, (t.name for t in d_cat.tables.values()))
    save_ddl_facts()
    backups = frozenset(name for name in d_cat.tables if name.startswith((BACKUP_PREFIX, QUARANTINE_PREFIX)))
    not_model_tables = (unmanaged | replayed.raw_tables | shadow_tables(d_cat) | backups
                        | virtual_tables(h_cat) | virtual_tables(d_cat))
    return Sources(history, replayed, m_cat, h_cat, d_cat, not_model_tables)



@dataclass(frozen=True)
class AuditInput:
    """Everything an audit reads, read once: what explain and repair are handed."""

    project: Project
    #: the audited database, opened read-only (:func:`driftaudit.sources.database.open_readonly`)
    conn: sqlite3.Connection
    #: Django's app registry of the project's models
    apps: object
    sources: Sources


def read_input(project: Project, conn: sqlite3.Connection, shared: SharedSources | None = None) -> AuditInput:
    """The project's sources read from ``conn``, with Django's (already set up) registry;
    ``shared``: the sources several databases share (:class:`SharedSources`)."""
    from django.apps import apps

    return AuditInput(project, conn, apps, read_sources(conn, apps, shared))
