"""Issue 4: git recovery - deleted and rewritten migration files found in the project's git log.

The samples are built with --into, so their build scripts make them git repositories (fixed
author, real commits). The same projects without .git, or without a git executable, must still
be explained (from names and modification times).
"""

import shutil
import subprocess

from conftest import clean_env, driftaudit


def json_report(project, env=None):
    run = driftaudit("report", "--format", "json", cwd=project, env=env)
    assert run.code == 1, run.stderr
    return run.json


def commits(project):
    out = subprocess.run(["git", "log", "--format=%h %s"], cwd=project, capture_output=True, text=True)
    return {subject: sha for sha, subject in (line.split(" ", 1) for line in out.stdout.splitlines())}


def words(finding):
    return " ".join(finding["explanation"].split())


def test_deleted_migration_is_recovered_from_git(built_samples):
    project = built_samples("history_deleted")
    log = commits(project)
    findings = json_report(project)["findings"]
    stale = next(f for f in findings if f["kind"] == "stale-column")
    assert stale["cause"] == "deleted-migration" and stale["migration"] == "appname.0002_exampletwo_rank"
    text = words(stale)
    assert "appname/migrations/0002_exampletwo_rank.py deleted in commit" in text
    assert log["Drop the rank feature"] in text and '"Drop the rank feature"' in text
    assert f"last version (commit {log['Add ExampleTwo.rank']}" in text
    assert "adds field rank to exampletwo" in text and "confidence: high" in text
    ghost = next(f for f in findings if f["kind"] == "ghost-migration")
    assert log["Drop the rank feature"] in words(ghost)


def test_without_git_executable_the_audit_degrades_to_names(built_samples, tmp_path):
    project = built_samples("history_deleted")
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {**clean_env(), "PATH": str(empty_bin)}
    stale = next(f for f in json_report(project, env)["findings"] if f["kind"] == "stale-column")
    assert stale["cause"] == "deleted-migration" and stale["migration"] == "appname.0002_exampletwo_rank"
    assert "read from the migration's name" in words(stale) and "commit" not in words(stale)


def test_rewritten_migration_cites_the_commit(built_samples):
    project = built_samples("history_rewritten")
    log = commits(project)
    findings = json_report(project)["findings"]
    missing = next(f for f in findings if f["kind"] == "missing-column")
    assert (missing["table"], missing["column"]) == ("appname_exampletwo", "rank")
    assert missing["cause"] == "rewritten-migration" and missing["migration"] == "appname.0001_initial"
    text = words(missing)
    assert f"rewritten in commit {log['Squash migrations into a fresh initial']}" in text
    assert f"most likely the one of commit {log['Start the project']}" in text
    rewritten = next(f for f in findings if f["kind"] == "rewritten-migration")
    assert rewritten["migration"] == "appname.0001_initial" and rewritten["cause"] == "rewritten-migration"
    assert "missing-column appname_exampletwo.rank" in words(rewritten)


def test_rewritten_without_git_uses_mtime_and_state_mismatch(sample_copy):
    project = sample_copy("history_rewritten")
    shutil.rmtree(project / ".git")
    missing = next(f for f in json_report(project)["findings"] if f["kind"] == "missing-column")
    assert missing["cause"] == "rewritten-migration" and missing["migration"] == "appname.0001_initial"
    # the content decides (the table the migration made lacks a column its file now makes);
    # the file's time only supports it
    assert "the migration ran from an older version of its file" in words(missing)
    assert "Its file was also last modified on" in words(missing)


def test_a_copied_project_is_not_called_a_rewrite(sample_copy):
    """`cp -r` (or a clone without git) gives every file a new mtime: a faked migration must stay
    faked, with no rewritten-migration finding beside it (issue 13)."""
    project = sample_copy("history_faked")
    for path in project.rglob("*.py"):
        path.touch()
    findings = json_report(project)["findings"]
    missing = next(f for f in findings if f["kind"] == "missing-column")
    assert missing["cause"] == "faked-migration", words(missing)
    assert not [f for f in findings if f["kind"] == "rewritten-migration"]


def test_a_fresh_checkout_is_not_called_a_rewrite(sample_copy, tmp_path):
    """A clone touches every file's mtime; with git the log decides, so the faked story stays faked."""
    project = sample_copy("history_faked")
    env = {**clean_env(), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "import"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)
    for path in (project / "appname" / "migrations").glob("*.py"):
        path.touch()  # what a checkout does
    missing = next(f for f in json_report(project)["findings"] if f["kind"] == "missing-column")
    assert missing["cause"] == "faked-migration", words(missing)
    assert missing["migration"] == "appname.0002_exampletwo_rank"
