"""One story per cause: the findings of a sample are grouped by what happened, each group told
once, in the JSON report (``groups``) and in the text and markdown reports."""

from __future__ import annotations

from conftest import driftaudit


def _by_id(report: dict) -> dict:
    return {f["id"]: f for f in report["findings"]}


def test_a_removed_app_is_one_group_with_its_tables_records_and_blocked_deletes(built_samples):
    project = built_samples("drift_removed_app")
    report = driftaudit("report", "--format", "json", cwd=project).json
    assert len(report["findings"]) == 3
    [group] = report["groups"]
    assert group["id"] == "G1" and group["cause"] == "removed-app" and group["app"] == "blog"
    assert group["severity"] == "error"
    assert group["findings"] == [f["id"] for f in report["findings"]]
    assert {left["kind"]: left["objects"] for left in group["left"]} == {
        "stale-table": ["blog_comment", "blog_post"], "ghost-migration": ["blog.0001_initial"]}
    assert {(b["table"], b["via"]) for b in group["blocks"]} == {
        ("blog_post", "blog_comment.post_id"), ("auth_user", "blog_post.author_id")}
    assert "INSTALLED_APPS" in group["title"] and "app 'blog'" in group["to_do"]
    assert "2 table(s)" in group["to_do"]

    text = driftaudit("report", cwd=project).stdout
    assert text.count("G1 ERROR") == 1
    header = text.index("G1 ERROR")
    assert all(text.index(f"{f} ") > header for f in group["findings"])
    markdown = driftaudit("report", "--format", "markdown", cwd=project).stdout
    assert markdown.count("### G1 ") == 1 and "from 1 cause(s)" in markdown


def test_a_faked_migration_is_one_group_and_takes_in_the_duplicates_it_let_in(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("data_library")).json
    findings = _by_id(report)
    groups = {g["cause"]: g for g in report["groups"]}
    assert len(groups) == len(report["groups"]), "one group per cause in this sample"

    faked = groups["faked-migration"]
    assert faked["migration"] == "library.0002_remove_book_editor_book_editor_id_alter_member_email"
    kinds = sorted(findings[i]["kind"] for i in faked["findings"])
    assert kinds == ["duplicate-rows", "fk-extra", "index-extra", "unique-missing"]
    duplicates = next(findings[i] for i in faked["findings"] if findings[i]["kind"] == "duplicate-rows")
    assert duplicates["cause"] == "unknown", "the finding keeps its own cause; the group knows the story"
    assert faked["migration"] in faked["to_do"]

    assert sorted(findings[i]["kind"] for i in groups["legacy-immediate-fk"]["findings"]) == ["fk-deferrable"] * 2
    assert sorted(findings[i]["kind"] for i in groups["fk-checks-disabled"]["findings"]) == ["orphan-rows"] * 2
    [do_nothing] = groups["unknown"]["findings"]
    assert findings[do_nothing]["kind"] == "do-nothing-fk"
    assert groups["unknown"]["to_do"] == " ".join(findings[do_nothing]["fix"].split()), \
        "no repair migration does it: the group's one thing to do is the finding's own fix"

    # ids follow the report: the worst severity first, then where each group's first finding is
    assert [g["id"] for g in report["groups"]] == [f"G{i}" for i in range(1, len(report["groups"]) + 1)]
    assert report["groups"][-1]["severity"] == "info"


def test_each_unapplied_migration_is_its_own_group_and_says_migrate(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("history_unapplied")).json
    [group] = report["groups"]
    assert group["cause"] == "unapplied-migration" and group["migration"] == "appname.0002_exampletwo_rank"
    assert "`migrate`" in group["to_do"] and "propose" not in group["to_do"]
