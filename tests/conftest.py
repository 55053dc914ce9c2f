"""Shared fixtures: sample projects built by their real build scripts into temp folders.

Every sample is built once per test session (real makemigrations/migrate runs take seconds)
and copied per test when a test needs to change it.
"""

from __future__ import annotations

import atexit
import compileall
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


def pytest_configure(config):
    """Byte-compile driftaudit once, as ``pip install`` does for a regular install: the suite's
    subprocesses run with PYTHONDONTWRITEBYTECODE (no ``__pycache__`` in the projects they
    audit), so without this each one compiled driftaudit's modules again (~0.1 s a process)."""
    compileall.compile_dir(str(REPO / "driftaudit"), quiet=1)


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory):
    """``built_samples(name)`` -> a session-wide built copy of that sample project.

    Under pytest-xdist the workers share one build of each sample (the first to ask builds it,
    under a file lock; the others wait) and each gets its own copy, as it would by building."""
    cache: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("samples")

    def get(name: str) -> Path:
        if name not in cache:
            shared = _shared_build(tmp_path_factory, name)
            cache[name] = (shutil.copytree(shared, base / name, symlinks=True) if shared
                           else build_sample(name, base / name))
        return cache[name]

    return get


def _shared_build(tmp_path_factory, name: str) -> Path | None:
    """The build of ``name`` the xdist workers of this run share (``None`` without xdist)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent / "shared-samples"  # this run's, all workers'
    shared.mkdir(exist_ok=True)
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / f"{name}.built").exists():
            shutil.rmtree(shared / name, ignore_errors=True)  # a build that failed half-way
            build_sample(name, shared / name)
            (shared / f"{name}.built").touch()
    return shared / name


@pytest.fixture
def sample_copy(built_samples, tmp_path):
    """``sample_copy(name)`` -> a private copy of a built sample, free to modify (``as_name``:
    a second copy of the same sample)."""

    def get(name: str, as_name: str | None = None) -> Path:
        target = tmp_path / (as_name or name)
        shutil.copytree(built_samples(name), target)
        return target

    return get
