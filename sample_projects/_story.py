"""Helpers for the sample-project build scripts: each script reads as the story of its drift.

A build script replays, with real Django commands, what a user did to end up with a drifted
``db.sqlite3``: write models, ``makemigrations``, ``migrate``, ``--fake``, delete migration files,
create rows. ``--into DIR`` builds a copy in DIR (the tests do this), leaving the sample alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

GENERATED = ("db.sqlite3", "db.sqlite3-journal", "db.sqlite3-wal", "db.sqlite3-shm", ".built")
_NO_IMPORTS: dict[str, bool] = {}  # python executable -> has `shell --no-imports`


class Story:
    def __init__(self, sample_dir: Path, description: str, python: str | None = None):
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--into", metavar="DIR", help="build a copy of the sample in DIR")
        parser.add_argument("--quiet", action="store_true")
        args = parser.parse_args()
        self.quiet = args.quiet
        self.python = python or sys.executable
        self.root = Path(args.into).resolve() if args.into else sample_dir.resolve()
        self.sample_dir = sample_dir
        if args.into:
            if self.root.exists():
                shutil.rmtree(self.root)
            shutil.copytree(sample_dir, self.root, ignore=shutil.ignore_patterns(
                "__pycache__", "migrations", *GENERATED))
        self.story_dir = self.root / "story"
        self.step_no = 0

    # -- narration ---------------------------------------------------------------------
    def step(self, text: str) -> None:
        self.step_no += 1
        if not self.quiet:
            print(f"\n[{self.step_no}] " + textwrap.fill(textwrap.dedent(text).strip(), 96,
                                                       subsequent_indent="    "))

    # -- what the user did -----------------------------------------------------------------
    def reset(self, *apps: str) -> None:
        """Start from nothing: no database, no migration files."""
        for name in GENERATED:
            (self.root / name).unlink(missing_ok=True)
        for app in apps:
            self.delete_migrations(app)

    def use_models(self, app: str, version: str) -> None:
        """The user edits ``app/models.py`` to what ``story/<version>`` holds."""
        shutil.copyfile(self.story_dir / version, self.root / app / "models.py")
        shutil.rmtree(self.root / app / "__pycache__", ignore_errors=True)

    def delete_migrations(self, app: str, *names: str) -> None:
        """Delete the named migration files of ``app`` (all of them if none are named)."""
        folder = self.root / app / "migrations"
        if not names:
            shutil.rmtree(folder, ignore_errors=True)
            return
        for name in names:
            (folder / f"{name}.py").unlink()
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``python manage.py ARGS`` in the project, echoing the command and its output."""
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run([self.python, "manage.py", *args], cwd=self.root, env=env,
                                capture_output=True, text=True)
        if not self.quiet:
            shown = " ".join(a.splitlines()[1] + " ..." if "\n" in a else a for a in args)
            print(f"    $ python manage.py {shown}")
            for line in (result.stdout + result.stderr).strip().splitlines()[-12:]:
                print(f"      {line}")
        if check and result.returncode != 0:
            sys.exit(f"build failed at: manage.py {' '.join(args)}\n{result.stdout}{result.stderr}")
        return result

    def shell(self, code: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run Python in ``manage.py shell`` (the user working with their data)."""
        return self.manage("shell", "--no-imports", "-c", textwrap.dedent(code), check=check) \
            if self._shell_has_no_imports() else self.manage("shell", "-c", textwrap.dedent(code), check=check)

    def sqlite(self, script: str) -> None:
        """Run SQL on ``db.sqlite3`` as the user did in the ``sqlite3`` shell: autocommit, and
        foreign keys off (the shell's default), so nothing checks what the script does."""
        db = sqlite3.connect(self.root / "db.sqlite3", isolation_level=None)
        try:
            db.executescript(script)
        finally:
            db.close()

    def git(self, *args: str) -> bool:
        """Run ``git ARGS`` in the project, as a fixed author (works on CI with no git config).

        Only in a copy built with ``--into``: building in place would nest a repository inside
        the driftaudit checkout, so there the story runs without git (and says so).
        """
        if self.root == self.sample_dir.resolve() or shutil.which("git") is None:
            if not self.quiet:
                print(f"    (skipped: git {' '.join(args)} - build with --into DIR to include git)")
            return False
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
               "GIT_AUTHOR_NAME": "Sample Author", "GIT_AUTHOR_EMAIL": "author@example.com",
               "GIT_COMMITTER_NAME": "Sample Author", "GIT_COMMITTER_EMAIL": "author@example.com",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        result = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True)
        if not self.quiet:
            print(f"    $ git {' '.join(args)}")
        if result.returncode != 0:
            sys.exit(f"build failed at: git {' '.join(args)}\n{result.stdout}{result.stderr}")
        return True

    def _shell_has_no_imports(self) -> bool:
        """``shell --no-imports`` exists from Django 5.2 on; ask the Django that will run it
        (a legacy story switches ``self.python`` to an old release and back)."""
        if self.python not in _NO_IMPORTS:
            probe = subprocess.run([self.python, "-c", "import django; print(django.VERSION >= (5, 2))"],
                                   capture_output=True, text=True)
            _NO_IMPORTS[self.python] = probe.stdout.strip() == "True"
        return _NO_IMPORTS[self.python]

    def done(self) -> None:
        (self.root / ".built").write_text("built by build.py\n")
        if not self.quiet:
            print(f"\nBuilt {self.root / 'db.sqlite3'}")
