"""Shared fixtures: sample projects built by their real build scripts into temp folders.

Every sample is built once per test session (real makemigrations/migrate runs take seconds)
and copied per test when a test needs to change it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_projects"
# The replayed-state cache (driftaudit/statecache.py) of this session: on, so every repeated
# audit of a sample runs through it, but never in the developer's own ~/.cache.
os.environ["DRIFTAUDIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="driftaudit-test-cache-")
atexit.register(shutil.rmtree, os.environ["DRIFTAUDIT_CACHE_DIR"], True)


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def clean_env() -> dict:
    """The environment of a user's shell: no settings module, and not a GitHub runner (there
    ``GITHUB_ACTIONS=true`` makes ``report`` default to the github format)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def driftaudit(*args: str, cwd: Path | str | None = None, env: dict | None = None) -> Run:
    """Run the installed ``driftaudit`` command line in a fresh process."""
    result = subprocess.run([sys.executable, "-m", "driftaudit", *args], cwd=cwd,
                            capture_output=True, text=True, env=env or clean_env(), timeout=300)
    return Run(result.returncode, result.stdout, result.stderr)


def manage(project: Path, *args: str) -> Run:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=project,
                            capture_output=True, text=True, env=clean_env(), timeout=300)
    return Run(result.returncode, result.stdout, result.stderr)


def build_sample(name: str, into: Path) -> Path:
    """Run ``sample_projects/<name>/build.py --into DIR``: the story of how its drift happened."""
    result = subprocess.run([sys.executable, str(SAMPLES / name / "build.py"), "--into", str(into), "--quiet"],
                            capture_output=True, text=True, env=clean_env(), timeout=600)
    assert result.returncode == 0, f"building {name} failed:\n{result.stdout}\n{result.stderr}"
    return into


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory):
    """``built_samples(name)`` -> a session-wide built copy of that sample project."""
    cache: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("samples")

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = build_sample(name, base / name)
        return cache[name]

    return get


@pytest.fixture
def sample_copy(built_samples, tmp_path):
    """``sample_copy(name)`` -> a private copy of a built sample, free to modify (``as_name``:
    a second copy of the same sample)."""

    def get(name: str, as_name: str | None = None) -> Path:
        target = tmp_path / (as_name or name)
        shutil.copytree(built_samples(name), target)
        return target

    return get
