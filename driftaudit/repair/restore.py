"""A deleted migration file brought back: ``driftaudit restore APP.NAME``.

Another migration depends on it, so Django's loader stops every command with
``NodeNotFoundError``, and no repair migration can run. Git usually has the file: its last
committed text is written back, as it was. Without git, a stand-in with the same name, the
app's previous migration as its dependency and no operations lets the graph load again; the
audit then compares the database with the models, and ``propose`` writes what is still needed
(the stand-in's operations are not guessed: a wrong guess would run).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from driftaudit import __version__
from driftaudit.errors import AuditError
from driftaudit.sources.git import GitRepository
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
    #: where the text came from: "git <sha>" or "stand-in"
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


def restore(history: History, label: str, write: bool = True) -> Restoration:
    """Bring ``label``'s file back (git's last text, else a stand-in)."""
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
    source, text = _from_git(path) or ("stand-in", _stub(history, key))
    if write:
        path.write_text(text, encoding="utf-8")
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
