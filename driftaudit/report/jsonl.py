"""JSON Lines (``--format jsonl``): one JSON object per line, for ``jq``, log shippers and
databases that load a line at a time.

One object per finding - the report's FINDING with ``"type": "finding"`` and its
``database`` - then one per row of the aggregate (``"type": "aggregate"``: rule, kind, table,
column, the databases that have it and their count). A database that could not be audited is
one ``"type": "error"`` object with its one-line error. With several databases the lines of
each are written as soon as it is audited (in the order they finish); the aggregate comes last.
"""

from __future__ import annotations

import json

from driftaudit.explain.many import aggregate, database_json


def line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str) + "\n"


def database_lines(entry: dict) -> str:
    """The lines of one database's entry of the multi-database report (a report or an error)."""
    if "error" in entry:
        return line({"type": "error", "database": entry["database"], "error": entry["error"]})
    return "".join(line({"type": "finding", **f}) for f in entry["findings"])


def aggregate_lines(rows: list[dict]) -> str:
    return "".join(line({"type": "aggregate", **row}) for row in rows)


def render_jsonl(report) -> str:
    """One database's report as JSON Lines (its aggregate counts the one database)."""
    entry = database_json(report.to_json(), report.database_path)
    return database_lines(entry) + aggregate_lines(aggregate([entry]))
