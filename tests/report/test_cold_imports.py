"""What a cold ``report`` imports: only what its project and its format need (issue 16).

Read from ``python -X importtime``'s trace of a real run, so a module-level import added
anywhere on the path fails here, not in a benchmark weeks later."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import clean_env


def imported_by_report(project, *args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "driftaudit", "report", *args], cwd=project,
                            capture_output=True, text=True, env={**clean_env(), "DRIFTAUDIT_CACHE": "off"},
                            timeout=300)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "driftaudit.explain.audit" in imported  # the trace is there
    return imported


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_pyyaml_only_for_a_project_with_driftaudit_yaml(built_samples, sample_copy):
    """The rule catalogs come from rules/compiled.json; PyYAML reads a project's own file."""
    without = built_samples("clean_history")
    assert not (without / "driftaudit.yaml").exists()
    assert "yaml" not in top_level(imported_by_report(without))
    project = sample_copy("clean_history")
    (project / "driftaudit.yaml").write_text("fail_on: error\n")
    assert "yaml" in top_level(imported_by_report(project))


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "jsonl"])
def test_formats_for_machines_do_not_import_rich(built_samples, fmt):
    assert "rich" not in top_level(imported_by_report(built_samples("history_faked"), "--format", fmt))


def test_the_text_report_of_a_drifted_project_loads_no_repair_planner(built_samples):
    """Its next steps name the history problems without the plan, the SQL or the writer."""
    imported = imported_by_report(built_samples("history_faked"))
    assert "rich" in top_level(imported)
    assert "driftaudit.repair.history_steps" in imported  # the next steps were asked for
    assert not {"driftaudit.repair.plan", "driftaudit.repair.writer", "driftaudit.repair.rebuild_sql"} & imported


def test_a_project_without_model_changes_does_not_run_the_autodetector(built_samples):
    """clean_history's states differ only as the autodetector ignores (auth.User's inherited
    ``abstract: False``, a ``unique_together`` taken away leaving ``set()``): nothing pending,
    so Django's autodetector is not even imported."""
    project = built_samples("clean_history")
    assert "django.db.migrations.autodetector" not in imported_by_report(project)
