"""The replayed-state cache (driftaudit/sources/statecache.py) must never change a report.

Each sample is audited with the cache off, then twice with a fresh cache folder (the first
run replays and stores, the second reads the pickled states): all three reports must be the
same, and the cache must really have been written and used.
"""

from __future__ import annotations

import os

import pytest

from conftest import clean_env, driftaudit


def _findings(run):
    assert run.code in (0, 1), run.stderr
    return run.json["findings"], run.json["history"]


# clean_contrib: FileFields, whose default storage must come back as itself (a false DA305 did)
@pytest.mark.parametrize("sample", ["clean_history", "clean_contrib", "drift_pending", "drift_regenerated"])
def test_cached_states_give_the_same_report(built_samples, tmp_path, sample):
    project = built_samples(sample)
    off = {**clean_env(), "DRIFTAUDIT_CACHE": "off"}
    on = {**clean_env(), "DRIFTAUDIT_CACHE_DIR": str(tmp_path / "cache")}

    uncached = _findings(driftaudit("report", "--format", "json", cwd=project, env=off))
    assert not (tmp_path / "cache").exists()
    stored = _findings(driftaudit("report", "--format", "json", cwd=project, env=on))
    entries = list((tmp_path / "cache").glob("state-*.pickle"))
    assert len(entries) == 1
    os.utime(entries[0], (0, 0))  # a successful load marks the entry as just used
    reused = _findings(driftaudit("report", "--format", "json", cwd=project, env=on))
    assert entries[0].stat().st_mtime > 0

    assert stored == uncached
    assert reused == uncached


def test_a_changed_migration_file_is_a_new_cache_entry(sample_copy, tmp_path):
    project = sample_copy("clean_history")
    env = {**clean_env(), "DRIFTAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    driftaudit("report", cwd=project, env=env)
    migration = sorted((project / "journal" / "migrations").glob("0*.py"))[-1]
    migration.write_text(migration.read_text() + "\n# edited\n")
    driftaudit("report", cwd=project, env=env)
    assert len(list((tmp_path / "cache").glob("state-*.pickle"))) == 2
