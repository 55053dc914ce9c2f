"""A generated project on disk, driven with real commands: ``manage.py``, the sqlite3 shell's
way of writing SQL, and the ``driftaudit`` command line.

Nothing here decides anything about a case; it only writes files, runs commands and reads the
database back, independently of driftaudit's own reader (PRAGMA only), so the invariants never
check driftaudit with driftaudit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from generator.spec import App, Features, render_app

SETTINGS = """from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "generated-project-not-secret"
INSTALLED_APPS = {apps!r}
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""
MANAGE = """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""
CONTRIB = ["django.contrib.contenttypes", "django.contrib.auth"]
#: rows: a generic filler run inside ``manage.py shell``: real ORM inserts, values from the row number
FILL = Path(__file__).with_name("fill.py")


class CommandFailed(Exception):
    """A command of the story failed; the message carries its last lines (picklable)."""

    @classmethod
    def of(cls, what: str, result: subprocess.CompletedProcess) -> "CommandFailed":
        tail = (result.stdout + result.stderr).strip().splitlines()[-6:]
        return cls(f"{what} exited {result.returncode}:\n    " + "\n    ".join(tail))


class Workspace:
    def __init__(self, root: Path, features: Features, python: str = sys.executable):
        self.root, self.features, self.python = root, features, python
        self.db = root / "db.sqlite3"
        self.log: list[str] = []

    # -- files -----------------------------------------------------------------------------
    def write_project(self, apps: tuple[App, ...], installed: tuple[str, ...] | None = None) -> None:
        package = self.root / "genproject"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        labels = list(installed if installed is not None else [a.label for a in apps])
        (package / "settings.py").write_text(SETTINGS.format(apps=CONTRIB + labels))
        (self.root / "manage.py").write_text(MANAGE)
        shutil.copyfile(FILL, self.root / "genfill.py")
        for app in apps:
            self.write_app(app)

    def write_app(self, app: App) -> None:
        folder = self.root / app.label
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text("")
        (folder / "models.py").write_text(render_app(app, self.features))
        (folder / "migrations").mkdir(exist_ok=True)
        (folder / "migrations" / "__init__.py").touch()
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)

    def set_installed(self, labels: list[str]) -> None:
        (self.root / "genproject" / "settings.py").write_text(SETTINGS.format(apps=CONTRIB + labels))

    def migration_files(self, app: str) -> list[Path]:
        folder = self.root / app / "migrations"
        return sorted(p for p in folder.glob("[0-9]*.py")) if folder.is_dir() else []

    # -- commands --------------------------------------------------------------------------
    def _env(self) -> dict:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return env

    def run(self, *args: str, stdin: str | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
        self.log.append(" ".join(args))
        return subprocess.run([self.python, *args], cwd=self.root, env=self._env(), input=stdin,
                              capture_output=True, text=True, timeout=timeout)

    def manage(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = self.run("manage.py", *args, stdin=stdin)
        if check and result.returncode != 0:
            raise CommandFailed.of("manage.py " + " ".join(args), result)
        return result

    def makemigrations(self, *apps: str, renames: bool = False) -> None:
        # Rename questions are answered "yes", like a developer who meant the rename.
        if renames:
            self.manage("makemigrations", *apps, stdin="y\n" * 40)
        else:
            self.manage("makemigrations", "--noinput", *apps)

    def driftaudit(self, *args: str) -> subprocess.CompletedProcess:
        return self.run("-m", "driftaudit", *args)

    def fill(self, seed: int, rows: int = 4) -> None:
        self.manage("shell", "-c", f"import genfill; genfill.fill({seed}, {rows})")

    def sqlite(self, script: str) -> None:
        """SQL as the user types it in the sqlite3 shell: autocommit, foreign keys off."""
        self.log.append("sqlite3 db.sqlite3 <<< " + " ".join(script.split()))
        db = sqlite3.connect(self.db, isolation_level=None)
        try:
            db.executescript(script)
        finally:
            db.close()

    # -- reading the database back (PRAGMA only, never driftaudit) ------------------------
    def query(self, sql: str, *params) -> list[tuple]:
        """Rows of ``sql`` on the project's database, read-only."""
        conn = _connect_ro(self.db)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def digest(self) -> str:
        return hashlib.sha256(self.db.read_bytes()).hexdigest()

    def side_files(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("db.sqlite3-*"))

    def schema(self, path: Path | None = None) -> dict:
        return read_schema(path or self.db)

    def rows(self) -> dict:
        return read_rows(self.db)


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def read_schema(path: Path, index_names: bool = False) -> dict:
    """Table -> columns (as sets: a rebuild may reorder them), keys, indexes; no driftaudit tables.

    ``index_names``: indexes made by CREATE INDEX carry their names (migrations remove and rename
    them by name); off for generated projects, whose honest renames keep old auto-made names."""
    conn = _connect_ro(path)
    try:
        out = {}
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for t in tables:
            if t.lower().startswith("driftaudit_"):
                continue
            cols = frozenset((c[1].lower(), c[2].lower(), c[3], _default(c[4]), c[5], c[6])
                             for c in conn.execute(f'SELECT * FROM pragma_table_xinfo("{_q(t)}")'))
            fks = frozenset((f[2].lower(), f[3].lower(), (f[4] or "").lower(), f[5], f[6])
                            for f in conn.execute(f'SELECT * FROM pragma_foreign_key_list("{_q(t)}")'))
            indexes = set()
            for ix in conn.execute(f'SELECT name, "unique", origin, partial FROM pragma_index_list("{_q(t)}")'):
                terms = tuple((c[2] or "<expr>").lower() + (" desc" if c[3] else "")
                              for c in conn.execute(f'SELECT * FROM pragma_index_xinfo("{_q(ix[0])}")') if c[5])
                where = ""
                if ix[3]:
                    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (ix[0],)).fetchone()
                    where = " ".join(sql.split(" WHERE ", 1)[1].split()).lower() if " WHERE " in sql else ""
                name = ix[0].lower() if index_names and ix[2] == "c" else ""
                indexes.add((terms, ix[1], where, name))
            (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()
            checks = frozenset(" ".join(c.split()).lower() for c in _checks(sql))
            out[t.lower()] = {"columns": cols, "fks": fks, "indexes": frozenset(indexes), "checks": checks}
        return out
    finally:
        conn.close()


def _default(value):
    return None if value is None else " ".join(str(value).split()).strip("()").lower()


def _checks(sql: str) -> list[str]:
    """The parenthesised body of every CHECK in a CREATE TABLE (a column such as "last_checked"
    or a quoted name is not a CHECK: the keyword must stand alone, outside quotes)."""
    out = []
    for match in re.finditer(r'"(?:[^"]|"")*"|\bCHECK\s*\(', sql, flags=re.I):
        if match.group().startswith('"'):
            continue
        j = match.end() - 1
        depth, k = 0, j
        while k < len(sql):
            depth += sql[k] == "("
            depth -= sql[k] == ")"
            if depth == 0:
                break
            k += 1
        out.append(sql[j:k + 1])
    return out


def _q(name: str) -> str:
    return name.replace('"', '""')


def read_rows(path: Path) -> dict:
    """Table -> sorted JSON lines of every row (all tables, backups included)."""
    conn = _connect_ro(path)
    try:
        out = {}
        for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                 "AND sql NOT LIKE 'CREATE VIRTUAL%'"):
            cur = conn.execute(f'SELECT * FROM "{_q(t)}"')
            names = [d[0].lower() for d in cur.description]
            out[t.lower()] = [dict(zip(names, map(_plain, row))) for row in cur]
        return out
    finally:
        conn.close()


def _plain(value):
    return value.hex() if isinstance(value, bytes) else value


def dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str)
