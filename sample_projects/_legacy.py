"""An old Django release in its own virtualenv, for the legacy drift samples.

The legacy drift classes (``__old`` keys, renames not propagated, immediate keys) were made by
real old Django releases running on a modern SQLite. The build scripts replay that with the
real release: a Python 3.7 virtualenv with the exact old Django from PyPI. Creating it takes
seconds and needs the network, so it is cached in ``sample_projects/.legacy-venvs/`` (ignored
by git) and reused by every later build, including the test suite's ``--into`` builds.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

VENVS = Path(__file__).resolve().parent / ".legacy-venvs"


def find_python(version: str) -> str:
    """An interpreter for ``version`` (e.g. "3.7"): on PATH, else installed by pyenv."""
    candidates = [f"python{version}", *sorted(glob.glob(os.path.expanduser(
        f"~/.pyenv/versions/{version}.*/bin/python")), reverse=True)]
    for candidate in candidates:
        # A pyenv shim exists for every installed version but fails unless it is selected,
        # so ask each candidate for its real executable instead of trusting `which`.
        probe = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"],
                               capture_output=True, text=True) if shutil.which(candidate) else None
        if probe and probe.returncode == 0:
            return probe.stdout.strip()
    sys.exit(f"build failed: Python {version} is needed to run the old Django release "
             f"(install it, e.g. `pyenv install {version}`)")


def legacy_django(django_version: str, python_version: str = "3.7") -> str:
    """The ``python`` of a cached virtualenv holding Django ``django_version``; made if missing."""
    target = VENVS / f"django-{django_version}-py{python_version}"
    python = target / "bin" / "python"
    if python.exists():
        return str(python)
    VENVS.mkdir(parents=True, exist_ok=True)
    # Build under a private name and rename at the end: an interrupted or concurrent build
    # never leaves a half-installed virtualenv under the cached name.
    staging = VENVS / f".{target.name}.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    steps = [
        [find_python(python_version), "-m", "venv", str(staging)],
        [str(staging / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"django=={django_version}"],
    ]
    for command in steps:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            sys.exit(f"build failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    try:
        staging.rename(target)
    except OSError:  # another build finished first: use its virtualenv
        shutil.rmtree(staging, ignore_errors=True)
    return str(python)
