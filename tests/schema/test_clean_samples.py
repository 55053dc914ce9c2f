"""A clean, freshly migrated project must not report anything (no false positives)."""

from conftest import driftaudit


def test_clean_contrib_project_reports_no_finding(built_samples):
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built_samples("clean_contrib"))
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []
    assert "auth.0001_initial" in run.json["history"]["applied"]
    assert run.json["history"]["ghost"] == [] and run.json["history"]["unapplied"] == []


def test_runsql_objects_belong_to_history(built_samples):
    """FTS5 (and its shadow tables), a trigger and a view made by RunSQL migrations are not drift."""
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built_samples("clean_runsql"))
    assert run.code == 0, run.stdout + run.stderr
    assert run.json["findings"] == []
    assert run.stderr == ""


def test_hand_made_trigger_and_lost_trigger_are_raw_objects(sample_copy):
    """A trigger added by hand is reported (info); a RunSQL trigger lost from the DB is a warning."""
    import sqlite3

    project = sample_copy("clean_runsql")
    with sqlite3.connect(project / "db.sqlite3") as conn:
        conn.execute('CREATE TRIGGER "audit_touch" AFTER UPDATE ON "blog_article" '
                     'BEGIN UPDATE "blog_article" SET "updated" = CURRENT_TIMESTAMP WHERE "id" = new."id"; END')
        conn.execute('DROP TRIGGER "blog_article_ai"')
    conn.close()
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=project)
    raw = {(f["severity"], f["table"], f["migration"]): f for f in run.json["findings"] if f["kind"] == "raw-object"}
    assert set(raw) == {("info", "blog_article", None), ("warning", "blog_article", "blog.0003_longer_title")}
    assert "audit_touch" in raw[("info", "blog_article", None)]["explanation"]
    assert "blog_article_ai" in raw[("warning", "blog_article", "blog.0003_longer_title")]["explanation"]
    assert [f["kind"] for f in run.json["findings"]] == ["raw-object", "raw-object"]
