"""The shortcuts that keep a warm audit cheap (issue 8) must never change what it says.

- DDL facts and the history catalog (H) kept between runs (``ddl-*``/``hcat-*`` in the
  cache folder): a warm run gives the same report without importing sqlglot or rendering the
  history state, and damaged entries are recomputed;
- orphans counted and sampled in one pass over the child table.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from conftest import clean_env, driftaudit

def _imports_sqlglot(project, env) -> bool:
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "driftaudit", "report", "--format", "json"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stderr
    return any(line.rstrip().endswith("| sqlglot") for line in run.stderr.splitlines())


@pytest.mark.parametrize("sample", ["clean_runsql", "drift_regenerated"])
def test_kept_facts_and_history_catalog_give_the_same_report(sample_copy, tmp_path, sample):
    project = sample_copy(sample)
    # a table only sqlglot can read (its CHECK is not one of Django's), so the first run parses
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.execute('CREATE TABLE "handmade_checked" ("a" integer CHECK ("a" > 0 AND "a" < 9))')
    db.close()
    off = {**clean_env(), "DRIFTAUDIT_CACHE": "off"}
    on = {**clean_env(), "DRIFTAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    uncached = driftaudit("report", "--format", "json", cwd=project, env=off).json["findings"]

    assert _imports_sqlglot(project, on)  # first run: parses, stores
    assert len(list((tmp_path / "cache").glob("ddl-*.pickle"))) == 1
    assert len(list((tmp_path / "cache").glob("hcat-*.pickle"))) == 1
    assert not _imports_sqlglot(project, on)  # warm: every text is known
    assert driftaudit("report", "--format", "json", cwd=project, env=on).json["findings"] == uncached

    for entry in (tmp_path / "cache").glob("*.pickle"):  # damaged entries: parsed and rendered again
        entry.write_bytes(b"not a pickle")
    assert driftaudit("report", "--format", "json", cwd=project, env=on).json["findings"] == uncached


def test_orphans_beyond_the_sample_are_all_counted(sample_copy):
    project = sample_copy("seed_example")
    with sqlite3.connect(project / "db.sqlite3") as db:
        db.executemany("INSERT INTO appname_exampletwo (id, name, example_one_id) VALUES (?, 'x', ?)",
                       [(81, 1234), (82, 1235), (83, 1234)])
    db.close()
    (project / "driftaudit.yaml").write_text("data:\n  sample_size: 2\n")
    report = driftaudit("report", "--format", "json", cwd=project).json
    (orphan,) = [f for f in report["findings"] if f["kind"] == "orphan-rows"]
    assert (orphan["count"], orphan["impact"]["pks"], orphan["impact"]["missing_parents"]["values"]) == (
        3, [81, 82], [1234, 1235])
