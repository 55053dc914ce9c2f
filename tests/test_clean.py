"""A clean, freshly migrated project must not report anything (no false positives)."""

from conftest import driftaudit


def test_clean_contrib_project_reports_no_finding(built_samples):
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built_samples("clean_contrib"))
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []
    assert "auth.0001_initial" in run.json["history"]["applied"]
    assert run.json["history"]["ghost"] == [] and run.json["history"]["unapplied"] == []
