"""A feature's project built with real commands, and its golden: the DDL and driftaudit's reading.

The golden of a feature under one Django release is what ``migrate`` wrote into
``sqlite_master`` (every table, index and trigger of the feature's apps, verbatim) plus the
normalized schema driftaudit's reader makes of it (:func:`driftaudit.schema.introspect.read_catalog`).
The first shows when a Django upgrade writes other DDL; the second when driftaudit's reading of
the same DDL changes. Both are reviewed as a diff, then regenerated with ``regen.py``.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

from generator.spec import Features
from generator.workspace import Workspace
from golden.features import Feature

GOLDEN_DIR = Path(__file__).resolve().parent
REGEN = "python tests/schema/golden/regen.py"
#: tables every project has (the generator installs contenttypes and auth) and migrate's own
CONTRIB_PREFIXES = ("auth_", "django_content_type")
INFRASTRUCTURE = ("django_migrations", "sqlite_sequence")


def version_key(version) -> str:
    return f"{version[0]}.{version[1]}"


def golden_path(version, feature: str) -> Path:
    return GOLDEN_DIR / version_key(version) / f"{feature}.json"


def build(feature: Feature, root: Path, version) -> Workspace:
    """The feature's project, made by ``makemigrations`` and ``migrate`` of this Django."""
    ws = Workspace(root, Features(tuple(version)))
    ws.write_project(feature.apps)
    ws.makemigrations()
    ws.manage("migrate", "--noinput")
    if feature.sql:
        ws.sqlite(feature.sql)
    return ws


def _kept(table: str, feature: Feature) -> bool:
    lowered = table.lower()
    if lowered in INFRASTRUCTURE or lowered.startswith("sqlite_"):
        return False
    return feature.contrib or not lowered.startswith(CONTRIB_PREFIXES)


def snapshot(db: Path, feature: Feature, version) -> dict:
    """The golden of the database ``db``: its DDL as written, and driftaudit's reading of it."""
    from driftaudit.schema.introspect import read_catalog

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ddl = [{"type": t, "name": n, "table": tbl, "sql": sql} for t, n, tbl, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY tbl_name, type DESC, name")
            if _kept(tbl, feature)]
        catalog = read_catalog(conn)
    finally:
        conn.close()
    schema = {name: _plain(table) for name, table in sorted(catalog.tables.items()) if _kept(name, feature)}
    return {"django": version_key(version), "feature": feature.name, "ddl": ddl, "schema": schema}


def _plain(table) -> dict:
    """A catalog table as JSON data, without the DDL text the ``ddl`` part already holds.

    Declared types as the diff compares them (:func:`~driftaudit.schema.diff.normalize_type`):
    SQLite 3.37+ reports ``integer`` as ``INTEGER`` in PRAGMA, older releases verbatim, and the
    golden is about Django's DDL, not the SQLite library of the machine.
    """
    from driftaudit.schema.diff import normalize_type

    data = dataclasses.asdict(table)
    data.pop("sql")
    for column in data["columns"]:
        column["declared_type"] = normalize_type(column["declared_type"])
    for index in data["indexes"]:
        index.pop("sql")
    return json.loads(json.dumps(data))  # tuples as lists: what the JSON file reads back


def dumps(value, indent: str = "") -> str:
    """JSON with one line per leaf object (a column, a key, an index, a DDL statement): the
    golden's diff then shows which object changed."""
    inner = indent + "  "
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) and v for v in value.values()):
        items = [f"{inner}{json.dumps(k)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + f"\n{indent}]"
    return json.dumps(value)


def write(golden: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(golden) + "\n", encoding="utf-8")


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
