"""The JSON report of the contract (``--format json``), and the JSON Schema it follows.

The schema (draft 2020-12) ships in the package, ``driftaudit/report/schemas/report.schema.json``,
so a CI script can validate what it reads; ``schema_version`` at the top says which shape it is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "report.schema.json"


def render_json(report) -> str:
    return json.dumps(report.to_json(), indent=2, default=str) + "\n"


@lru_cache(maxsize=1)
def report_schema() -> dict:
    """The JSON Schema of :func:`render_json`'s output."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
