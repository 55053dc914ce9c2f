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


def test_verify_after_propose_tries_the_written_files(sample_copy):
    """The printed workflow is propose -> verify -> migrate: verify used to refuse once the
    repair file existed ("an unapplied driftaudit repair is already in the project")."""
    project = sample_copy("data_rejected")
    written = driftaudit("propose", "--on-check-violations=delete", cwd=project)
    assert written.code == 0, written.stderr
    files = _snapshot(project)
    run = driftaudit("verify", cwd=project)
    assert run.code == 0, run.stdout + run.stderr
    assert "written, not applied yet: shop/migrations/0003_driftaudit_rebuild.py" in run.stdout
    # the policy chosen for propose is the one the file runs, and its counts are checked
    rows = {line.split()[0]: line.split()[1:3] for line in run.stdout.splitlines() if line.startswith(("shop_", "driftaudit_"))}
    assert rows == {"shop_product": ["6", "2"], "driftaudit_quarantine_shop_product": ["-", "2"],
                    "driftaudit_backup_shop_product__checks": ["-", "2"]}
    assert _snapshot(project) == files


def test_verify_says_when_the_database_changed_since_propose(sample_copy):
    """A row written after propose that the repair also sets aside: the counts the file recorded
    no longer hold, and verify says which table and how."""
    import sqlite3

    project = sample_copy("data_rejected")
    assert driftaudit("propose", cwd=project).code == 0
    db = sqlite3.connect(project / "db.sqlite3")
    db.execute("INSERT INTO shop_product (name, sku, stock, price, weight) VALUES ('late', 'L', 1, 2, NULL)")
    db.commit()
    db.close()
    run = driftaudit("verify", cwd=project)
    assert run.code == 1
    text = " ".join(run.stdout.split())
    assert "driftaudit_quarantine_shop_product - 3 EXPECTED 2" in text
