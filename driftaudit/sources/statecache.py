"""Replayed history states, kept between runs and keyed by everything they are made of.

Replaying a long history is the audit's biggest cost, and Django's own replay is quadratic:
every ``AlterField`` and ``RenameField`` scans every field of every model for references
(2000 migrations: ~4 s, as much as ``makemigrations --check`` spends in all). The replay is
a pure function of the migration files, the plans replayed, the installed Django/Python and
the swappable-model settings, so its result is pickled under a hash of exactly those and
reused while none of them changes. A state that cannot be pickled (a lambda default in a
migration) is simply not cached.

The cache lives in ``$DRIFTAUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/driftaudit``, else
``~/.cache/driftaudit`` - never next to the project or the audited database.
``DRIFTAUDIT_CACHE=off`` disables it. Only the newest :data:`KEEP` entries of each kind are
kept: ``state-`` (the replayed states), ``hcat-`` (the history catalog derived from them,
:mod:`driftaudit.historycatalog`) and ``ddl-`` (facts read from DDL texts, :mod:`driftaudit.ddl`).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

from driftaudit import __version__

KEEP = 16
FORMAT = 3  # bump when what is pickled changes shape or moves (3: storages by reference)


def cache_dir() -> Path | None:
    if os.environ.get("DRIFTAUDIT_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    if os.environ.get("DRIFTAUDIT_CACHE_DIR"):
        return Path(os.environ["DRIFTAUDIT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "driftaudit"


def state_key(history_files: dict, plans: tuple, real_apps) -> str | None:
    """Hash of what the replayed states depend on; ``None`` when a migration has no file to read.

    ``history_files`` maps each migration key to its file path.
    """
    import django
    from django.conf import settings

    digest = hashlib.sha256()
    swappable = sorted((name, value) for name in dir(settings) if name.endswith("_MODEL")
                       and isinstance(value := getattr(settings, name, None), str))
    digest.update(repr((FORMAT, __version__, django.__version__, sys.version, swappable,
                        plans, sorted(real_apps))).encode())
    for key in sorted(history_files):
        path = history_files[key]
        try:
            data = Path(path).read_bytes() if path else None
        except OSError:
            data = None
        if data is None:
            return None
        digest.update(repr(key).encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def load(key: str | None, kind: str = "state"):
    """The value stored under ``key``; ``kind`` names the file family (``state-``, ``hcat-``...)."""
    folder = cache_dir()
    if key is None or folder is None:
        return None
    path = folder / f"{kind}-{key}.pickle"
    try:
        with open(path, "rb") as handle:
            value = pickle.load(handle)
        os.utime(path)  # most recently used: kept by the pruning
        return value
    except Exception:  # noqa: BLE001 - missing, truncated or from another setup: replay instead
        return None


def store(key: str | None, value, kind: str = "state") -> None:
    folder = cache_dir()
    if key is None or folder is None:
        return
    try:
        buffer = io.BytesIO()
        _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        data = buffer.getvalue()
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / f"{kind}-{key}.pickle")
        entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - unpicklable state, read-only home: the audit goes on uncached
        return


def _db_on_delete(name: str):
    from django.db.models import deletion
    return getattr(deletion, name)


def _default_storage():
    from django.core.files.storage import default_storage
    return default_storage


class _StatePickler(pickle.Pickler):
    """Pickles by reference what Django compares by identity.

    Django 6.1's DB_CASCADE / DB_SET_NULL / DB_SET_DEFAULT are module-level *instances*
    (``on_delete == DB_CASCADE``), and a FileField leaves its storage out of ``deconstruct()``
    only when it *is* ``default_storage``. Pickled by value, both come back as copies: the
    autodetector then sees every such field altered, and a cached state reports a false
    pending-model-change.
    """

    def __init__(self, *args, **kwargs):
        from django.core.files.storage import default_storage
        from django.db.models import deletion
        super().__init__(*args, **kwargs)
        self.db_on_delete = getattr(deletion, "DatabaseOnDelete", None)  # Django >= 6.1
        self.default_storage = default_storage

    def reducer_override(self, obj):
        if self.db_on_delete is not None and isinstance(obj, self.db_on_delete):
            return _db_on_delete, (obj.__name__,)
        if obj is self.default_storage:
            return _default_storage, ()
        return NotImplemented
