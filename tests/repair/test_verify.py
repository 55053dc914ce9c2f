"""Issue 6: ``driftaudit verify`` proves the proposal on a copy and never touches the real files."""

from conftest import driftaudit
from test_propose_data import POLICY


def _snapshot(project):
    return {p.relative_to(project): p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}


def test_verify_seed_on_a_copy(sample_copy):
    project = sample_copy("seed_example")
    files = _snapshot(project)
    run = driftaudit("verify", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    lines = {line.split()[0]: line.split()[1:3] for line in run.stdout.splitlines()
             if line.startswith(("appname_", "driftaudit_backup_"))}
    assert lines["appname_exampleone"] == ["4", "4"]
    assert lines["appname_exampleone_exampletwos"] == ["3", "-"]
    assert lines["driftaudit_backup_appname_exampleone_exampletwos"] == ["-", "3"]
    assert "applies cleanly" in run.stdout
    assert _snapshot(project) == files  # no migration written, the database byte-identical


def test_verify_fails_under_the_fail_policy(sample_copy):
    project = sample_copy("data_library")
    (project / "driftaudit.yaml").write_text("fix:\n  orphans: fail\n  duplicates: fail\n")
    run = driftaudit("verify", cwd=project)
    assert run.code == 1
    assert "cannot be done safely" in run.stdout and "library_member" in run.stdout


def test_verify_counts_quarantined_rows_under_the_default_policy(sample_copy):
    project = sample_copy("data_library")
    run = driftaudit("verify", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    rows = {line.split()[0]: line.split()[1:3] for line in run.stdout.splitlines()
            if line.startswith(("library_", "driftaudit_"))}
    assert rows["library_book"] == ["5", "3"] and rows["driftaudit_quarantine_library_book"] == ["-", "2"]
    assert rows["library_member"] == ["6", "3"] and rows["driftaudit_quarantine_library_member"] == ["-", "3"]


def test_verify_reports_rows_changed_by_policy(sample_copy):
    project = sample_copy("data_library")
    (project / "driftaudit.yaml").write_text(POLICY)
    run = driftaudit("verify", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    book = next(line for line in run.stdout.splitlines() if line.startswith("library_book "))
    assert book.split()[1:3] == ["5", "3"] and "orphans-delete" in book
