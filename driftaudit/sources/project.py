"""Find the Django project, its settings, configuration and database, and set Django up.

A :class:`Selection` is what the user asked for (the contract's selection options);
:func:`open_project` turns it, once, into a :class:`Project` that every later stage reads.
Settings discovery follows the contract: ``--settings``, else ``DJANGO_SETTINGS_MODULE``, else
the ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`` line of ``manage.py`` (read as
text, never executed). Every failure becomes one :class:`AuditError` line.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from driftaudit.config.options import Config, config_path
from driftaudit.errors import AuditError

_SETDEFAULT_RE = re.compile(
    r"""os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)"""
)


@dataclass(frozen=True)
class Selection:
    """Which project and database to audit: the contract's selection options, as given."""

    project: str | None = None
    settings: str | None = None
    database: str = "default"
    db: str | None = None
    config: str | None = None
    #: this run's fix policies, (name, policy) pairs (``--on-orphans=delete``): over the config's
    fix: tuple[tuple[str, str], ...] = ()

    def argv(self) -> tuple[str, ...]:
        """The options that select this database again, for a command printed to run from the
        project folder (``--project`` is not repeated: the commands run there)."""
        out = []
        for flag, value in (("--settings", self.settings), ("--db", self.db), ("--config", self.config)):
            if value:
                out += [flag, str(value)]
        if self.database != "default":
            out += ["--database", self.database]
        for name, policy in self.fix:
            out.append(f"--on-{name.replace('_', '-')}={policy}")
        return tuple(out)


@dataclass(frozen=True)
class Project:
    """The project to audit, found and set up: where it is, how it is configured, which file."""

    root: Path
    settings_module: str
    config: Config
    #: the alias in ``settings.DATABASES`` (also with ``--db``: the alias whose migrations run)
    database_alias: str
    #: how the report names the database: the alias, or ``--db`` for a file given directly
    database_label: str
    #: ``None`` when no database was asked for (``report --no-db``)
    database_path: str | None


def open_project(selection: Selection, with_database: bool = True) -> Project:
    """Find the project, read its configuration, set Django up and locate the database file.

    When Django is already set up (``manage.py driftaudit``, a system check, a test session),
    the running settings are used and the project folder is ``--project`` or the current one.
    The configuration is read before Django is set up, so a bad YAML file fails fast.
    ``with_database=False`` locates no database file (the checks that need none).
    """
    from django.apps import apps

    if apps.ready:
        from django.conf import settings

        root = Path(selection.project or os.getcwd())
        config = load_config(selection.config, root)
        module = settings.SETTINGS_MODULE or ""
        root = root.resolve()
    else:
        root, module = discover(selection.project, selection.settings)
        config = load_config(selection.config, root)
        setup_django(root, module)
    label, path = database_file(selection.database, selection.db) if with_database else ("--no-db", None)
    return Project(root, module, config.with_fix(dict(selection.fix)), selection.database, label, path)


def load_config(explicit: str | None, root: Path) -> Config:
    """The project's ``driftaudit.yaml`` (or ``--config FILE``), else the defaults."""
    path = config_path(explicit, root)
    if path is None:
        return Config()
    from driftaudit.config.config_file import read_config  # PyYAML: only when there is a file

    return read_config(path)


def discover(project_dir: str | None, settings: str | None) -> tuple[Path, str]:
    """Locate the project folder and decide which settings module to use."""
    root = Path(project_dir or os.getcwd()).resolve()
    if not root.is_dir():
        raise AuditError(f"project folder not found: {root} (pass --project DIR, the folder with manage.py)")
    module = settings or os.environ.get("DJANGO_SETTINGS_MODULE")
    manage = root / "manage.py"
    if not module:
        if not manage.is_file():
            raise AuditError(
                f"no manage.py in {root} and no settings given; run driftaudit from the project "
                "folder, or pass --project DIR or --settings MODULE"
            )
        module = manage_py_settings(root)
        if not module:
            raise AuditError(
                f"cannot find DJANGO_SETTINGS_MODULE in {manage}; pass --settings MODULE"
            )
    return root, module


def manage_py_settings(root: Path) -> str | None:
    """The settings module ``root/manage.py`` sets by default (its text, never run), if any."""
    try:
        text = (root / "manage.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = _SETDEFAULT_RE.search(text)
    return match.group(1) if match else None


def setup_django(root: Path, settings_module: str) -> None:
    """Import the settings and populate the app registry, or explain why it failed."""
    sys.dont_write_bytecode = True  # never leave __pycache__ behind in the user's project
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - forces the settings import
    except ModuleNotFoundError as exc:
        if exc.name and settings_module.startswith(exc.name):
            raise AuditError(
                f"settings module '{settings_module}' not found (looked from {root}); "
                "pass --settings MODULE or --project DIR"
            ) from None
        raise AuditError(
            f"cannot import settings '{settings_module}': {_brief(exc)}"
        ) from None
    except Exception as exc:
        raise AuditError(f"cannot import settings '{settings_module}': {_brief(exc)}") from None
    try:
        django.setup()
    except Exception as exc:
        raise AuditError(f"Django setup failed for settings '{settings_module}': {_brief(exc)}") from None


def _brief(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError in {exc.filename} line {exc.lineno}: {exc.msg}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def database_file(alias: str, db_override: str | None) -> tuple[str, str]:
    """``(label, path)`` of the database to audit: ``--db FILE`` or the alias's SQLite NAME."""
    if db_override:
        return "--db", str(Path(db_override).resolve())
    from django.conf import settings

    databases = getattr(settings, "DATABASES", {}) or {}
    if alias not in databases:
        known = ", ".join(sorted(databases)) or "none"
        raise AuditError(f"no database alias '{alias}' in settings.DATABASES (known: {known})")
    config = databases[alias]
    engine = config.get("ENGINE", "")
    if "sqlite3" not in engine:
        raise AuditError(
            f"database '{alias}' uses {engine or 'no ENGINE'}, not SQLite; driftaudit audits SQLite "
            "files only (pass --db FILE for a SQLite copy)"
        )
    name = str(config.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        raise AuditError(f"database '{alias}' is an in-memory database; there is no file to audit")
    if name.startswith("file:"):
        name = name[5:].split("?", 1)[0]
    return alias, str(Path(name).resolve())
