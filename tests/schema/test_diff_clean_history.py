"""Zero false positives on a long, honest history (AlterField, RenameField, RenameModel,
unique_together -> UniqueConstraint, CheckConstraint, index changes, M2M)."""

from conftest import driftaudit


def test_clean_history_reports_no_finding(built_samples):
    project = built_samples("clean_history")
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []
    assert "journal.0004_constraints_and_tags" in run.json["history"]["applied"]
