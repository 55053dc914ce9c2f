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
    assert markdown.count("### G1 ") == 1 and "from 1 cause" in markdown


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
    # rows the missing unique index lets in take that index's cause (the faked migration)
    assert duplicates["cause"] == "faked-migration"
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


def test_grouping_keys_on_plain_findings():
    """The keys in one place: per migration, per app, per database, per hand-changed table; a
    finding of unknown cause alone unless a known story covers its column."""
    from driftaudit.explain.finding import Finding
    from driftaudit.explain.groups import group_findings

    def finding(i, kind, cause, table=None, column=None, migration=None, severity="warning"):
        return Finding(rule="DA000", kind=kind, severity=severity, signature=None, cause=cause,
                       explanation="", app="shop", table=table, column=column, migration=migration, id=f"F{i}")

    findings = [
        finding(1, "stale-column", "deleted-migration", "shop_item", "old"),          # no migration known
        finding(2, "stale-table", "deleted-migration", "shop_old"),
        finding(3, "index-extra", "manual-sql", "shop_item", "name"),
        finding(4, "check-extra", "manual-sql", "shop_order", "total", severity="error"),
        finding(5, "duplicate-rows", "unknown", "shop_item", "sku"),
        finding(6, "orphan-rows", "unknown", "shop_order", "item_id"),
        finding(7, "missing-column", "faked-migration", "shop_item", "sku", "shop.0002_sku"),
        finding(8, "missing-column", "faked-migration", "shop_order", "note", "shop.0003_note"),
    ]
    groups = group_findings(findings)
    assert [g.finding_ids for g in groups] == [("F4",), ("F1", "F2"), ("F3",), ("F5", "F7"), ("F6",), ("F8",)]
    assert [g.id for g in groups] == ["G1", "G2", "G3", "G4", "G5", "G6"]
    by_ids = {g.finding_ids: g for g in groups}
    assert by_ids[("F1", "F2")].migration is None and by_ids[("F1", "F2")].app == "shop"
    assert by_ids[("F5", "F7")].migration == "shop.0002_sku" and by_ids[("F5", "F7")].cause == "faked-migration"
    assert by_ids[("F6",)].cause == "unknown"
