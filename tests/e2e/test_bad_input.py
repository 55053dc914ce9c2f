"""Bad input gets one clear line on stderr and exit code 2, never a traceback (issue 2, point 7)."""

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from conftest import driftaudit


def assert_clean_error(run, *phrases):
    assert run.code == 2, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert lines[0].startswith("driftaudit: error: ")
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def test_no_manage_py(tmp_path):
    assert_clean_error(driftaudit("report", cwd=tmp_path), "no manage.py", str(tmp_path))


def test_project_folder_missing(tmp_path):
    assert_clean_error(driftaudit("report", "--project", str(tmp_path / "nope")), "project folder not found")


def test_settings_module_not_found(sample_copy):
    project = sample_copy("seed_example")
    run = driftaudit("report", "--settings", "nosuch.settings", cwd=project)
    assert_clean_error(run, "settings module 'nosuch.settings' not found")


def test_settings_import_error(sample_copy):
    project = sample_copy("seed_example")
    settings = project / "seedproject" / "settings.py"
    settings.write_text(settings.read_text() + "\nimport not_installed_package\n")
    assert_clean_error(driftaudit("report", cwd=project), "cannot import settings 'seedproject.settings'",
                       "not_installed_package")


def test_settings_syntax_error(sample_copy):
    project = sample_copy("seed_example")
    settings = project / "seedproject" / "settings.py"
    settings.write_text(settings.read_text() + "\nDEBUG = = True\n")
    assert_clean_error(driftaudit("report", cwd=project), "SyntaxError")


def test_database_file_missing(sample_copy, tmp_path):
    project = sample_copy("seed_example")
    missing = tmp_path / "gone.sqlite3"
    assert_clean_error(driftaudit("report", "--db", str(missing), cwd=project), "database file not found")
    assert not missing.exists()


def test_configured_database_missing(sample_copy):
    project = sample_copy("seed_example")
    (project / "db.sqlite3").unlink()
    assert_clean_error(driftaudit("report", cwd=project), "database file not found")
    assert not (project / "db.sqlite3").exists()


def test_not_a_sqlite_file(sample_copy, tmp_path):
    project = sample_copy("seed_example")
    fake = tmp_path / "notes.sqlite3"
    fake.write_text("just some notes, not a database\n" * 10)
    assert_clean_error(driftaudit("report", "--db", str(fake), cwd=project), "is not a SQLite database")


def test_corrupt_database(sample_copy, tmp_path):
    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # the schema page (sqlite_master), header intact
    db.write_bytes(bytes(data))
    assert_clean_error(driftaudit("report", cwd=project), "corrupt")


def test_unknown_database_alias(sample_copy):
    project = sample_copy("seed_example")
    assert_clean_error(driftaudit("report", "--database", "replica", cwd=project), "no database alias 'replica'")


LOCKER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN " + sys.argv[2])
    conn.execute("INSERT INTO appname_exampleone (name) VALUES ('in flight')")
    print("locked", flush=True)
    time.sleep(60)
""")


@pytest.fixture
def locked_db(sample_copy):
    """A second process holding a write transaction on the sample's database."""
    procs = []

    def lock(mode):
        project = sample_copy("seed_example")
        proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(project / "db.sqlite3"), mode],
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return project

    yield lock
    for proc in procs:
        proc.kill()
        proc.wait()


def test_database_being_written_is_still_read(locked_db):
    """A writer holding only a RESERVED lock: SQLite lets readers in, so the audit runs."""
    project = locked_db("IMMEDIATE")
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    assert any(f["kind"] == "stale-table" for f in run.json["findings"])


def test_database_locked_exclusively(locked_db):
    project = locked_db("EXCLUSIVE")
    assert_clean_error(driftaudit("report", cwd=project), "database is locked")


def test_migration_file_with_syntax_error_is_a_finding(sample_copy):
    project = sample_copy("seed_example")
    broken = project / "appname" / "migrations" / "0002_broken.py"
    broken.write_text("from django.db import migrations\n\nclass Migration(migrations.Migration:\n    pass\n")
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    findings = [f for f in run.json["findings"] if f["kind"] == "broken-migration"]
    assert len(findings) == 1
    assert findings[0]["migration"] == "appname.0002_broken"
    assert "SyntaxError" in findings[0]["explanation"]
    # the rest of the audit still ran
    assert any(f["kind"] == "stale-table" for f in run.json["findings"])


def test_traceback_flag_shows_the_traceback(tmp_path):
    run = driftaudit("report", "--traceback", cwd=tmp_path)
    assert run.code == 2
    assert "Traceback" in run.stderr


def test_unknown_option_is_a_usage_error(tmp_path):
    run = driftaudit("report", "--bogus", cwd=tmp_path)
    assert run.code == 2
    assert "unrecognized arguments: --bogus" in run.stderr


def test_sqlite_file_held_open_by_django_is_fine(sample_copy):
    """Sanity: an open reader elsewhere does not disturb the audit."""
    project = sample_copy("seed_example")
    reader = sqlite3.connect(project / "db.sqlite3")
    reader.execute("SELECT count(*) FROM appname_exampleone").fetchone()
    try:
        assert driftaudit("report", cwd=project).code == 1
    finally:
        reader.close()


def test_a_closed_pipe_ends_quietly(built_samples):
    """`driftaudit report | head -1`: the reader stops early; no internal error, no traceback."""
    import subprocess
    import sys

    from conftest import clean_env

    for args in (["rules"], ["report", "--format", "html"]):
        run = subprocess.run(f"{sys.executable} -m driftaudit {' '.join(args)} | head -c 1",
                             shell=True, cwd=built_samples("seed_example"), capture_output=True, text=True,
                             env=clean_env(), timeout=300)
        assert run.stderr == "", run.stderr


def test_corrupt_table_page_is_reported_without_reading_rows(sample_copy):
    """--no-data reads no rows, yet a damaged table page must still end in the corrupt-file
    error (it reported the audit as if the file were sound)."""
    import sqlite3

    project = sample_copy("seed_example")
    db = project / "db.sqlite3"
    conn = sqlite3.connect(db)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'appname_exampletwo'").fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    start = (root - 1) * page_size
    data[start + 8:start + page_size - 8] = b"\xff" * (page_size - 16)  # cell pointers out of range
    db.write_bytes(bytes(data))
    assert_clean_error(driftaudit("report", "--no-data", cwd=project), "corrupt")
