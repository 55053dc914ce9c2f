"""Open the audited database strictly read-only, or say clearly why it cannot be read.

The audit must never change the user's file: no journal, no WAL, no ``django_migrations``.
SQLite's ``mode=ro`` URI guarantees that at the library level, and ``PRAGMA query_only``
guards against any statement of ours that would try to write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from driftaudit.errors import AuditError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_SECONDS = 2.0


def open_readonly(path: str | Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """A read-only connection to ``path``, after checking it is a readable SQLite file."""
    file = Path(path)
    if not file.exists():
        raise AuditError(
            f"database file not found: {file} (check DATABASES['NAME'] in settings, or pass --db FILE)"
        )
    if not file.is_file():
        raise AuditError(f"database path is not a file: {file} (pass the SQLite file with --db FILE)")
    try:
        with file.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise AuditError(f"cannot read database file {file}: {exc.strerror} (check its permissions)") from None
    if header and not header.startswith(SQLITE_HEADER):
        raise AuditError(
            f"{file} is not a SQLite database (it does not start with the SQLite header); "
            "point --db at the project's SQLite file"
        )
    conn = sqlite3.connect(readonly_uri(file, header), uri=True, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        _register_django_functions(conn)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise database_error(file, exc) from None
    return conn


def _register_django_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions Django's SQLite backend adds to each of its connections
    (``django_date_extract``, ``SHA256``, ...). A VIRTUAL generated column
    (``GeneratedField(db_persist=False)``) calls them on every read of its table, and SQLite
    refuses the read ("unknown function") on a connection without them. Registering a function
    writes nothing to the file."""
    try:
        from django.db.backends.sqlite3._functions import register
    except ImportError:  # a Django without the module: its DDL cannot call these functions either
        return
    register(conn)


def readonly_uri(file: Path, header: bytes | None = None) -> str:
    """The ``file:`` URI that reads ``file`` without ever writing next to it.

    A WAL database opened even read-only creates -wal and -shm files. With no -wal file there
    is nothing beyond the main file to read, so it is opened immutable: SQLite then takes no
    locks and creates no files (a writer starting mid-audit is not seen).
    """
    if header is None:
        with file.open("rb") as handle:
            header = handle.read(100)
    uri = f"file:{quote(str(file.resolve()))}?mode=ro"
    return uri + "&immutable=1" if _wal_without_log(file, header) else uri


def _wal_without_log(file: Path, header: bytes) -> bool:
    """WAL mode (header bytes 18-19 are 2) and no non-empty ``-wal`` file beside it."""
    if len(header) < 20 or header[18] != 2 or header[19] != 2:
        return False
    log = file.with_name(file.name + "-wal")
    return not log.exists() or log.stat().st_size == 0


def touch_tables(conn: sqlite3.Connection, tables) -> None:
    """Read the first row of every table: a damaged root page raises here, also under
    ``--no-data``, which reads no rows otherwise. One page per table, whatever the file's size;
    ``PRAGMA integrity_check`` is the full check."""
    from driftaudit.sql import quote_identifier as q

    for name in tables:
        conn.execute(f"SELECT * FROM {q(name)} LIMIT 1").fetchall()


def database_error(file: Path | str, exc: sqlite3.Error) -> AuditError:
    """Translate an SQLite error met while reading the audited file into one clear line."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return AuditError(
            f"database is locked: another process is writing to {file} and SQLite does not allow "
            f"reading it now (waited {BUSY_TIMEOUT_SECONDS:g} s); retry when it finishes, "
            "or audit a copy with --db"
        )
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return AuditError(
            f"database file is corrupt: {file} ({message}); restore it from a backup "
            "or run 'sqlite3 FILE .recover' on a copy"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return AuditError(
            f"cannot open {file} read-only: it has a hot journal from an interrupted write "
            f"({message}); open it once with sqlite3 or Django to let SQLite recover, then audit"
        )
    if "unable to open" in lowered:
        return AuditError(f"cannot open database file {file} ({message}); check the path and permissions")
    return AuditError(f"cannot read database {file}: {message}")
