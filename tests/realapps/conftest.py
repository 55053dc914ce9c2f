"""Fixtures for the real-app set: each package's project, migrated fresh once per session, and the
older release a project upgrades from, installed from PyPI into a cache folder on first use.

The packages come from pyproject's ``realapps`` extra (``make test`` installs it); an interpreter
without them (the Django 4.2 / 6.x matrix) skips this folder and says so.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from realapps.catalog import APPS, RealApp
from realapps.project import RealProject

HERE = Path(__file__).resolve().parent

MISSING = [a.name for a in APPS if importlib.util.find_spec(a.installed[-1].split(".")[0]) is None]


def pytest_collection_modifyitems(items):
    if not MISSING:
        return
    skip = pytest.mark.skip(reason=f"realapps extra not installed ({', '.join(MISSING)}): "
                                   "pip install -e '.[test,realapps]' (make test does)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fresh_project(tmp_path_factory):
    """``fresh_project(app)``: a project with the current release migrated fresh (built once)."""
    cache: dict[str, RealProject] = {}

    def get(app: RealApp) -> RealProject:
        if app.name not in cache:
            project = RealProject(tmp_path_factory.mktemp("fresh") / app.name, app).write()
            project.manage("makemigrations", "shop")
            project.manage("migrate", "--noinput")
            cache[app.name] = project
        return cache[app.name]

    return get


@pytest.fixture
def new_project(tmp_path):
    """``new_project(app)``: an empty project of ``app`` in this test's own folder."""
    def make(app: RealApp) -> RealProject:
        project = RealProject(tmp_path / app.name, app).write()
        project.manage("makemigrations", "shop")
        return project

    return make

