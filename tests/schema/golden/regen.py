#!/usr/bin/env python
"""Regenerate the DDL goldens of the Django that runs this script.

    python tests/schema/golden/regen.py                    # every feature, this Django
    python tests/schema/golden/regen.py generated unique   # only these features
    .venv-dj42/bin/python tests/schema/golden/regen.py     # the goldens of another release

Each feature's project is built with real ``makemigrations``/``migrate`` in a temporary folder
and its golden written to ``tests/schema/golden/<major.minor>/<feature>.json``. Review the diff
(``git diff tests/schema/golden``) before committing: a changed DDL is a change in what Django
writes, which driftaudit must still audit clean (``tests/schema/test_golden_ddl.py``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(TESTS), str(TESTS / "schema")]

import django  # noqa: E402

from golden.features import for_version  # noqa: E402
from golden.snapshot import build, golden_path, snapshot, write  # noqa: E402


def main(argv: list[str]) -> int:
    version = django.VERSION[:2]
    features = {f.name: f for f in for_version(version)}
    unknown = [name for name in argv if name not in features]
    if unknown:
        print(f"regen.py: no feature {', '.join(unknown)} for Django {version[0]}.{version[1]} "
              f"(features: {', '.join(features)})", file=sys.stderr)
        return 2
    for name in argv or list(features):
        with tempfile.TemporaryDirectory(prefix=f"golden-{name}-") as tmp:
            ws = build(features[name], Path(tmp) / "project", version)
            path = golden_path(version, name)
            write(snapshot(ws.db, features[name], version), path)
        print(f"wrote {path.relative_to(TESTS.parent)}")
    if not argv:  # a feature no longer in the catalog leaves no golden behind
        for stale in golden_path(version, "x").parent.glob("*.json"):
            if stale.stem not in features:
                stale.unlink()
                print(f"removed {stale.relative_to(TESTS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
