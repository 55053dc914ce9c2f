"""Helpers for the tests of where driftaudit runs: Django's check, pytest, pre-commit."""

from __future__ import annotations

import hashlib
from pathlib import Path


def settings_file(project: Path) -> Path:
    (path,) = project.glob("*/settings.py")
    return path


def add_settings(project: Path, text: str) -> None:
    """Append ``text`` to the project's settings module."""
    path = settings_file(project)
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def with_driftaudit_app(project: Path) -> Path:
    """The project with ``"driftaudit"`` in ``INSTALLED_APPS`` (added when the sample lacks it)."""
    path = settings_file(project)
    text = path.read_text(encoding="utf-8")
    if '"driftaudit"' not in text:
        assert "INSTALLED_APPS = [\n" in text
        path.write_text(text.replace("INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "driftaudit",\n', 1),
                        encoding="utf-8")
    return project


def database_files(project: Path) -> dict[str, str]:
    """Every ``db.sqlite3*`` file of the project with the hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(project.glob("db.sqlite3*"))}
