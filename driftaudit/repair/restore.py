"""A deleted migration file brought back: ``driftaudit restore APP.NAME``.

Another migration depends on it, so Django's loader stops every command with
``NodeNotFoundError``, and no repair migration can run. Git usually has the file: its last
committed text is written back, as it was. Without git, for a migration recorded as applied (its
operations never run again: they only give the history its state), a replacement is
synthesized: what ``makemigrations`` would write for the app now, placed at the missing
migration's position - the models and the later migrations say what it must have done, and the
database confirms it or not (the confidence says which). Otherwise (never applied: a guess
would run) a stand-in with the same name, the app's previous migration as its dependency and no
operations lets the graph load again; the audit then compares the database with the models,
and ``propose`` writes what is still needed.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from driftaudit import __version__
from driftaudit.errors import AuditError
from driftaudit.sources.git import GitRepository
from driftaudit.repair.writer import run_formatters
from driftaudit.sources.history import History, migration_label

STUB = '''"""Stand-in for {label}, whose file was deleted.

{why}
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [{dependencies}]

    operations = []
'''


@dataclass(frozen=True)
class Restoration:
    """One file ``restore`` wrote (or, ``written=False``, would write)."""

    key: tuple[str, str]
    path: Path
    #: where the text came from: "git <sha>", "synthesized (confidence: ...)" or "stand-in"
    source: str
    text: str
    written: bool = False


def restorable(history: History, key: tuple) -> Path | None:
    """Where ``key``'s file goes back, when it can: its app installed, its package on disk."""
    from importlib import import_module

    from django.apps import apps

    if key[0] not in {config.label for config in apps.get_app_configs()}:
        return None
    module_name, _ = history.loader.migrations_module(key[0])
    try:
        folder = Path(next(iter(import_module(module_name).__path__)))
    except Exception:  # noqa: BLE001 - no migrations package to write into
        return None
    path = folder / f"{key[1]}.py"
    return None if path.exists() else path


def restore(history: History, label: str, write: bool = True, database=None) -> Restoration:
    """Bring ``label``'s file back (git's last text, else a synthesized replacement, else a
    stand-in). ``database``: the audited database's catalog, to weigh a synthesized one."""
    app, _, name = label.partition(".")
    key = (app, name)
    wanted = {m.dependency for m in history.missing_dependencies} | set(history.ghosts)
    if key not in wanted:
        raise AuditError(f"{label} is neither a missing dependency nor a recorded migration whose file is "
                         "gone; `driftaudit report` lists those")
    path = restorable(history, key)
    if path is None:
        raise AuditError(f"cannot restore {label}: app '{app}' is not installed or has no migrations package "
                         "in this project")
    source, text = _from_git(path) or _synthesized(history, key, database) or ("stand-in", _stub(history, key))
    if write:
        path.write_text(text, encoding="utf-8")
        if not source.startswith("git"):  # git's text stays as committed; a written one is formatted like makemigrations'
            run_formatters([path])
    return Restoration(key, path, source, text, write)


def _from_git(path: Path) -> tuple[str, str] | None:
    repo = GitRepository.find(path.parent)
    if repo is None:
        return None
    relpath = repo.relative(path)
    tracked = repo.show("HEAD", relpath) if relpath else None
    if tracked is not None:
        return "git HEAD", tracked
    deleted = repo.deleted(path)
    if deleted is not None:
        return f"git {deleted.last.commit.short}", deleted.last.text
    return None


def _stub(history: History, key: tuple) -> str:
    graph = history.loader.graph
    earlier = sorted(k for k in graph.nodes if k[0] == key[0] and k[1] < key[1])
    dependents = sorted({migration_label(m.migration) for m in history.missing_dependencies
                         if m.dependency == key}) or ["no migration on disk"]
    why = (f"Written by `driftaudit restore` {__version__} on "
           f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}. {', '.join(dependents)} "
           "depend(s) on it, and Django's loader needs a migration of this name. No git history holds "
           "the original file, so its operations are not known and this file has none. `driftaudit "
           "report` compares the database with the models; `driftaudit propose` writes what is still needed.")
    return STUB.format(label=migration_label(key), why="\n".join(textwrap.wrap(why, 96)),
                       dependencies=repr(earlier[-1]) if earlier else "")


def _synthesized(history: History, key: tuple, database) -> tuple[str, str] | None:
    """A recorded migration's replacement whose operations bring the app's history state to the
    models, at its own place in the graph (state only in effect: ``migrate`` never runs a
    recorded migration). None when it was never applied, or the history cannot be read."""
    from django.apps import apps
    from django.db.migrations import Migration
    from django.db.migrations.writer import MigrationWriter

    from driftaudit.repair.state_ops import merged, state_migrations

    if key not in history.records or history.leaf_state is None:
        return None
    try:
        chunks = state_migrations(history, apps, set(), set()).get(key[0])
    except Exception:  # noqa: BLE001 - the autodetector cannot compare this history: no guess
        return None
    if not chunks:
        return None  # the other migrations already give the models' state: a stand-in is exact
    operations, deps, _ = merged(chunks)
    graph = history.loader.graph
    after = set()  # migrations that depend on the missing one: it cannot depend on them
    for m in history.missing_dependencies:
        if m.dependency == key and m.migration in graph.nodes:
            after |= set(graph.backwards_plan(m.migration))
    earlier = sorted(k for k in graph.nodes if k[0] == key[0] and k[1] < key[1])
    keep = {d for d in deps if d[0] != key[0] and d not in after and (d in graph.nodes or d[1] in ("__first__",))}
    migration = Migration(key[1], key[0])
    migration.dependencies = sorted(keep | ({earlier[-1]} if earlier else set()))
    migration.operations = operations
    text = MigrationWriter(migration).as_string()
    confidence = "medium" if _database_agrees(database, key[0]) else "low"
    why = (f"Rebuilt by `driftaudit restore` {__version__} on {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} "
           f"(confidence: {confidence}). {migration_label(key)} is recorded as applied but its file was "
           "deleted and no git history holds it. These operations are what makemigrations would write "
           "for the app now: the models and the migrations around it say this migration must have done "
           + ("it, and the database's tables agree." if confidence == "medium" else
              "it; the database's tables do not all agree, so `driftaudit report` will show what differs.")
           + " Being recorded, it is never run: it only gives the history its state.")
    header = '"""' + "\n".join(textwrap.wrap(why, 96)) + '\n"""\n\n'
    return f"synthesized (confidence: {confidence})", header + text


def _database_agrees(database, app: str) -> bool:
    """Do the app's tables in the database equal what its models render (the synthesized
    migration's claims, confirmed by the third source)?"""
    from django.apps import apps

    from driftaudit.schema.diff import same_table
    from driftaudit.schema.introspect import read_catalog
    from driftaudit.sources.models import render_models

    if database is None:
        return False
    models = read_catalog(render_models(apps).connection)
    tables = {m._meta.db_table.lower() for m in apps.get_app_config(app).get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy}
    return all(same_table(models.table(t), database.table(t)) for t in tables)
