"""The audit never writes to the audited database (issue 2, point 6)."""

import hashlib
import sqlite3

from conftest import driftaudit


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("db.sqlite3-"))


def test_report_leaves_the_database_byte_identical(sample_copy):
    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    before, stat_before = digest(db), db.stat()
    for fmt in ("text", "json"):
        assert driftaudit("report", "--format", fmt, cwd=project).code == 1
    assert digest(db) == before
    assert db.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert sidecars(project) == []


def test_database_without_history_table_gets_none_created(sample_copy):
    """A database never migrated by Django: django_migrations must not appear."""
    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.execute('CREATE TABLE "appname_exampleone" ("id" integer NOT NULL PRIMARY KEY, "name" varchar(100) NOT NULL)')
    conn.close()
    before = digest(db)
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    assert digest(db) == before
    assert sidecars(project) == []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "django_migrations" not in names
    kinds = {(f["kind"], f["table"]) for f in run.json["findings"]}
    assert ("missing-table", "appname_exampletwo") in kinds


def test_wal_database_is_read_without_leaving_files(sample_copy):
    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    before = digest(db)
    assert sidecars(project) == []
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    assert digest(db) == before
    assert sidecars(project) == []
