"""A throwaway Django project that installs one real app, driven with real ``manage.py`` commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.workspace import read_rows, read_schema

from realapps.catalog import CONTRIB, RealApp

MANAGE = """#!/usr/bin/env python
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raproject.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
"""

SETTINGS = """from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "realapps-not-secret"
DEBUG = True
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "raproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}}}
INSTALLED_APPS = {installed!r}
MIDDLEWARE = {middleware!r}
TEMPLATES = [{{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
              "OPTIONS": {{"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}}}]
STATIC_URL = "static/"
{extra}
"""

#: the project's own app: every real project has one, and the repair of a third-party app's
#: tables is written into it (a package's own migrations folder is never written to)
SHOP_MODELS = """from django.conf import settings
from django.db import models


class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.CharField(max_length=80, blank=True)
"""

BASE_MIDDLEWARE = ("django.contrib.sessions.middleware.SessionMiddleware",
                   "django.middleware.common.CommonMiddleware",
                   "django.contrib.auth.middleware.AuthenticationMiddleware",
                   "django.contrib.messages.middleware.MessageMiddleware")


#: older releases, one folder per ``name-version`` (``pip install --target``, no dependencies:
#: the newer release's dependencies serve the older one)
OLDER_CACHE = Path(os.environ.get("DRIFTAUDIT_REALAPPS_CACHE", Path(__file__).resolve().parents[2] / ".cache" / "realapps"))


def older_release(app: RealApp) -> Path:
    """The folder holding ``app``'s older release (installed from PyPI on first use)."""
    folder = OLDER_CACHE / f"{app.package}-{app.older}"
    if not (folder / ".complete").exists():
        # installed under a private name and renamed at the end: test workers running at once
        # (pytest -n) never see a half-installed folder
        staging = OLDER_CACHE / f".{folder.name}.{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        run = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(staging),
                              f"{app.package}=={app.older}"], capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"pip install {app.package}=={app.older}: {run.stderr[-2000:]}"
        (staging / ".complete").touch()
        try:
            staging.rename(folder)
        except OSError:  # another worker finished first (or a stale incomplete folder): keep one
            if not (folder / ".complete").exists():
                shutil.rmtree(folder, ignore_errors=True)
                staging.rename(folder)
            else:
                shutil.rmtree(staging, ignore_errors=True)
    return folder



class Failed(AssertionError):
    """A command the scenario needs failed: its output is the message."""


class RealProject:
    def __init__(self, root: Path, app: RealApp):
        self.root, self.app = root, app
        self.db = root / "db.sqlite3"
        #: a folder holding an older release of the package, put first on the path (or None)
        self.older: Path | None = None

    def write(self, installed: bool = True, older: bool = False) -> "RealProject":
        pkg = self.root / "raproject"
        pkg.mkdir(parents=True, exist_ok=True)
        (self.root / "manage.py").write_text(MANAGE)
        (pkg / "__init__.py").write_text("")
        (pkg / "urls.py").write_text("urlpatterns = []\n")
        shop = self.root / "shop"
        (shop / "migrations").mkdir(parents=True, exist_ok=True)
        for path, text in (("__init__.py", ""), ("models.py", SHOP_MODELS), ("migrations/__init__.py", "")):
            if not (shop / path).exists():
                (shop / path).write_text(text)
        apps = CONTRIB + (self.app.installed_for(older) if installed else ()) + ("shop",)
        middleware = BASE_MIDDLEWARE + (self.app.middleware if installed else ())
        extra = "\n".join(f"{k} = {v!r}" for k, v in self.app.settings.items())
        (pkg / "settings.py").write_text(SETTINGS.format(installed=list(apps), middleware=list(middleware), extra=extra))
        return self

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, *args], cwd=self.root, capture_output=True, text=True,
                                env=_env(self.older), timeout=900)
        if check and result.returncode != 0:
            raise Failed(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("manage.py", *args, check=check)

    def driftaudit(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("-m", "driftaudit", *args, check=False)

    def report(self) -> dict:
        run = self.driftaudit("report", "--format", "json")
        if run.returncode not in (0, 1):
            raise Failed(f"report exited {run.returncode}: {run.stderr[-3000:]}")
        return json.loads(run.stdout)

    def migrations(self, label: str) -> list[str]:
        """The package's migration names for ``label``, in the order ``migrate`` applies them."""
        code = ("import django, json; django.setup();"
                "from django.db.migrations.loader import MigrationLoader;"
                "l = MigrationLoader(None, ignore_no_migrations=True);"
                f"print(json.dumps([n for a, n in l.graph.forwards_plan(l.graph.leaf_nodes({label!r})[0]) if a == {label!r}]))")
        run = self.run("-c", code)
        return json.loads(run.stdout)

    def fill(self) -> dict:
        """Rows in the app's tables (``fill_real``), as ``{table: count}``; skipped models aside."""
        folders = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent / "generator")]
        code = f"import sys; sys.path[:0] = {folders!r}; import fill_real; fill_real.fill({list(self.app.labels)!r})"
        made = json.loads(self.manage("shell", "-c", code).stdout.strip().splitlines()[-1])
        return {t: n for t, n in made.items() if isinstance(n, int)}

    def schema(self) -> dict:
        return read_schema(self.db, index_names=True)

    def rows(self) -> dict:
        return read_rows(self.db)


def _env(older: Path | None) -> dict:
    """The project's environment: the older release first when there is one, then this very
    driftaudit (a worktree's code, not only the installed one)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DJANGO_SETTINGS_MODULE": "raproject.settings"}
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(([str(older)] if older is not None else []) + [here])
    return env
