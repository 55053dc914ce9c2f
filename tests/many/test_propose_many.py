"""``propose`` against several databases (issue 16, point 2): one repair is written only when
every database needs exactly the same SQL; otherwise nothing is written, exit 1, and the
databases are listed by the repair each needs. The written repair is then applied to each
database with a real ``migrate`` and each audits clean."""

from __future__ import annotations

import shutil
import sqlite3

from conftest import driftaudit, manage
from test_report_many import DRIFTS, digests, make_fleet


def test_one_repair_for_databases_that_need_the_same(sample_copy):
    project = sample_copy("clean_history")
    dbs = make_fleet(project, {"north": DRIFTS["dropped"], "south": DRIFTS["dropped"]})
    conn = sqlite3.connect(dbs["south"])  # other rows, the same repair
    conn.execute("INSERT INTO journal_author (name) VALUES ('only in south')")
    conn.commit()
    conn.close()
    before = digests(dbs.values())
    migrations = project / "journal" / "migrations"
    files = sorted(p.name for p in migrations.glob("*.py"))
    run = driftaudit("propose", "--db", "fleet/*.sqlite3", "--jobs", "2", cwd=project)
    assert run.code == 0, run.stderr
    written = sorted(set(p.name for p in migrations.glob("*.py")) - set(files))
    assert written == ["0005_driftaudit_rebuild.py"], run.stdout
    assert "one repair for all 2 databases" in run.stdout
    text = (migrations / written[0]).read_text()
    assert "DRIFTAUDIT_EXPECTED_ROWS" not in text and 'CREATE TABLE "journal_comment"' in text
    assert digests(dbs.values()) == before, "propose changed a database"
    for db in dbs.values():  # the one file repairs each of them
        shutil.copyfile(db, project / "db.sqlite3")
        assert manage(project, "migrate").code == 0
        after = driftaudit("report", "--format", "json", cwd=project)
        assert after.code == 0 and after.json["findings"] == [], after.stdout


def test_databases_that_need_different_repairs_get_none(sample_copy):
    project = sample_copy("clean_history")
    dbs = make_fleet(project, {"a": DRIFTS["dropped"], "b": DRIFTS["dropped"], "c": DRIFTS["index"],
                               "d": None})
    before = digests(dbs.values())
    migrations = project / "journal" / "migrations"
    files = sorted(migrations.iterdir())
    for jobs in ("1", "2"):
        run = driftaudit("propose", *[x for name in "abcd" for x in ("--db", f"fleet/{name}.sqlite3")],
                         "--jobs", jobs, cwd=project)
        assert run.code == 1 and run.stdout == "", run.stderr
        assert sorted(migrations.iterdir()) == files, "something was written"
        lines = run.stderr.splitlines()
        assert lines[0] == "driftaudit: the 4 databases need 3 different repairs; nothing written."
        groups = "\n".join(lines)
        assert "repair 1, for 2 of 4 databases:\n    fleet/a.sqlite3\n    fleet/b.sqlite3\n" in groups
        assert "repair 2, for 1 of 4 databases:\n    fleet/c.sqlite3\n" in groups
        assert "drop handmade_ix" in groups
        assert "repair 3, for 1 of 4 databases:\n    fleet/d.sqlite3\n  nothing to repair" in groups
    assert digests(dbs.values()) == before


def test_a_database_that_cannot_be_read_stops_the_proposal(sample_copy):
    project = sample_copy("clean_history")
    make_fleet(project, {"a": DRIFTS["dropped"]})
    (project / "fleet" / "broken.sqlite3").write_text("not a database")
    migrations = sorted((project / "journal" / "migrations").iterdir())
    run = driftaudit("propose", "--db", "fleet/*.sqlite3", cwd=project)
    assert run.code == 2 and "is not a SQLite database" in run.stderr
    assert "nothing written: 1 of 2 databases could not be read" in run.stderr
    assert sorted((project / "journal" / "migrations").iterdir()) == migrations
