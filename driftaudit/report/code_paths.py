"""Paths of the code a finding points at, relative to the folder CI tools resolve them from.

SARIF viewers (``%SRCROOT%``) and GitHub annotations (``file=``) want paths relative to the
repository root. driftaudit assumes the project folder (the one with ``manage.py``) is that
root, unless ``GITHUB_WORKSPACE`` (the checkout on a GitHub runner) says otherwise. A location
outside that folder - a model of an installed package - is skipped for the next candidate
(:mod:`driftaudit.explain.locations` gives each finding several, best first).
"""

from __future__ import annotations

import os
from pathlib import Path

#: folders of installed packages: never the project's code, even inside the checkout (.venv)
_INSTALLED = {"site-packages", "dist-packages"}


def source_root(report, environ=None) -> Path:
    """The folder paths are relative to: ``GITHUB_WORKSPACE`` when set, else the project folder."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("GITHUB_WORKSPACE") or report.root or ".").resolve()


def code_location(report, finding_id: str, root: Path) -> tuple[str, int] | None:
    """``(posix path relative to root, line)`` of the finding's best location inside ``root``."""
    for location in report.locations.get(finding_id, ()):
        path = Path(location.path)
        try:
            relative = path.relative_to(root)
        except ValueError:
            continue
        if not _INSTALLED & set(relative.parts):
            return relative.as_posix(), location.line
    return None
