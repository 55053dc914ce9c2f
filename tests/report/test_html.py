"""``report --format html``: one self-contained page per report, checked as a DOM (parsed with
``html.parser``, no browser) on real built samples: every finding with its three sources, the
filter controls, the story as a timeline, the rows, the next steps and the repair SQL, nothing
loaded from anywhere, and report text that cannot become markup. The same pages in a real
browser: test_html_browser.py."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import driftaudit
from html_dom import parse

from driftaudit.report.html import asset

SAMPLES = ["seed_example", "data_library", "legacy_old_keys", "history_unapplied", "drift_removed_app",
           "drift_pending", "data_rejected"]
SOURCES = ("models", "history", "database")


def page_of(project, *extra) -> tuple[str, object]:
    run = driftaudit("report", "--format", "html", *extra, cwd=project)
    assert run.code in (0, 1), run.stderr
    document, errors = parse(run.stdout)
    assert errors == [], errors
    return run.stdout, document


def report_json(project) -> dict:
    return driftaudit("report", "--format", "json", cwd=project).json


def source_boxes(article) -> dict:
    return {box.find("h4").text: box for box in article.find_all("div", cls="source")}


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_finding_with_its_three_sources_and_the_filters(built_samples, sample):
    project = built_samples(sample)
    data = report_json(project)
    page, document = page_of(project)
    assert data["findings"], f"{sample} has drift"
    for f in data["findings"]:
        article = document.by_id(f["id"])
        assert article is not None and "finding" in article.classes, f["id"]
        assert article.attrs["data-severity"] == f["severity"] and article.attrs["data-app"] == (f["app"] or "-")
        assert f["rule"] in article.find("h3").text and f["kind"] in article.find("h3").text
        group = next(g for g in data["groups"] if f["id"] in g["findings"])
        assert article.parent.attrs["id"] == group["id"], "a finding sits in its root cause's section"
        shown = [s for s in SOURCES if (f["sources"] or {}).get(s) is not None]
        if shown:
            boxes = source_boxes(article)
            assert list(boxes) == list(SOURCES), f["id"]
            for name in SOURCES:
                value = f["sources"][name]
                if value is None:
                    assert boxes[name].find(cls="absent") is not None
                else:  # the source's text whole, whatever is marked inside it
                    assert boxes[name].find("pre").text == value
        row = next(r for r in document.find_all("tr", cls="index-row") if r.find("a").text == f["id"])
        assert row.attrs["data-severity"] == f["severity"]
    form = document.by_id("filters")
    assert form is not None and form.hidden, "the filter bar waits for the script (useless without it)"
    assert [e.attrs.get("id") for e in document.iter() if e.hidden] == ["filters"], \
        "with JavaScript off (the page as served) every finding and cause shows"
    boxes = {(i.attrs["name"], i.attrs["value"]) for i in form.find_all("input")}
    apps = {f["app"] or "-" for f in data["findings"]}
    assert boxes == {("severity", s) for s in ("error", "warning", "info")} | {("app", a) for a in apps}
    assert all("checked" in i.attrs and i.attrs["type"] == "checkbox" for i in form.find_all("input"))
    summary = document.by_id("summary")
    for severity, count in data["summary"]["by_severity"].items():
        assert summary.find(cls=severity).find("b").text == str(count)
    self_contained(page, document)


def self_contained(page: str, document) -> None:
    """Nothing is loaded from anywhere, no data runs as script: one script, ours, allowed by hash."""
    for element in document.iter():
        for name, value in element.attrs.items():
            assert not name.startswith("on"), f"inline event handler <{element.tag} {name}>"
            if name in ("src", "href", "action", "srcset", "poster", "data"):
                assert value.startswith(("#", "data:")), f"<{element.tag} {name}={value!r}>"
        assert element.tag not in ("link", "img", "iframe", "object", "embed", "base"), element.tag
    scripts = document.find_all("script")
    assert len(scripts) == 1 and scripts[0].text == asset("report.js") and not scripts[0].attrs
    [style] = document.find_all("style")
    assert style.text == asset("report.css") and "url(" not in style.text and "@import" not in style.text
    policy = document.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy and "unsafe" not in policy


def test_the_ddl_difference_is_marked_word_by_word(built_samples):
    project = built_samples("legacy_old_keys")
    f = next(f for f in report_json(project)["findings"] if f["kind"] == "fk-target")
    boxes = source_boxes(parse(page_of(project)[0])[0].by_id(f["id"]))
    assert f["sources"]["models"] != f["sources"]["database"]
    models = [m.text for m in boxes["models"].find_all("mark", cls="m")]
    database = [m.text for m in boxes["database"].find_all("mark", cls="d")]
    assert models == [f["sources"]["models"].split("(")[0]] and database == [f["sources"]["database"].split("(")[0]]
    assert boxes["history"].find("mark") is None, "only models and database are compared"


def test_the_story_is_a_timeline_of_migrations_with_utc_times(built_samples):
    removed = built_samples("drift_removed_app")
    data = report_json(removed)
    [ghost] = data["history"]["ghost"]
    assert data["history"]["recorded_at"][ghost].endswith(" UTC")
    document = page_of(removed)[1]
    finding = next(f for f in data["findings"] if f["migration"] == ghost)
    group = document.by_id(next(g["id"] for g in data["groups"] if finding["id"] in g["findings"]))
    [entry] = [li for li in group.find("ol", cls="timeline").find_all("li") if ghost in li.text]
    assert entry.classes == {"ghost", "marked"} and entry.find("time").text == data["history"]["recorded_at"][ghost]
    assert entry.find("mark", cls="this").text == ghost and finding["id"] in entry.text
    history = document.by_id("history").find("ol", cls="timeline").find_all("li")
    assert len(history) == sum(len(data["history"][k]) for k in ("applied", "ghost", "unapplied"))
    times = [li.find("time").text for li in history]
    assert times == sorted(times) and all(t.endswith(" UTC") for t in times), "in the order they were recorded"

    unapplied = built_samples("history_unapplied")
    data = report_json(unapplied)
    [label] = data["history"]["unapplied"]
    story = page_of(unapplied)[1].find("ol", cls="timeline")
    entries = story.find_all("li")
    assert entries[-1].classes == {"unapplied", "marked"} and label in entries[-1].text
    assert all(li.classes == {"applied"} for li in entries[:-1]) and entries[:-1]
    makes = page_of(unapplied)[1].find("table", cls="makes")
    assert makes is not None and "missing-column" in makes.text, "what the unapplied migration makes"


def test_blocked_orphan_duplicate_and_rejected_rows_with_counts_and_samples(built_samples):
    cases = {"data_library": {"duplicate-rows", "orphan-rows", "fk-extra"}, "data_rejected": {"check-violation-rows", "null-rows"}}
    for sample, kinds in cases.items():
        project = built_samples(sample)
        document = page_of(project)[1]
        for f in report_json(project)["findings"]:
            if f["kind"] not in kinds:
                continue
            rows = document.by_id(f["id"]).find("table", cls="rows").find_all("tr")[1:]
            impact = f["impact"]
            samples = {r.find_all("td")[3].text for r in rows}
            if f["kind"] == "duplicate-rows":
                assert samples == {", ".join(map(str, d["pks"])) for d in impact["duplicates"]}
            elif f["kind"] == "fk-extra":
                assert samples == {", ".join(map(str, b["pks"])) for b in impact["blocked_deletes"]}
            else:
                [row] = rows
                assert row.find_all("td")[2].text == str(impact["rows"]) and samples == {", ".join(map(str, impact["pks"]))}


def test_next_steps_as_commands_and_the_repair_sql_as_propose_prints_it(built_samples):
    project = built_samples("data_library")
    document = page_of(project)[1]
    steps = [pre.text for pre in document.by_id("next-steps").find_all("pre", cls="cmd")]
    assert steps[0] == "$ driftaudit propose" and "$ python manage.py migrate" in steps
    assert document.by_id("repair").find("pre") is None
    assert "driftaudit propose --sql" in document.by_id("repair").text, "says how to get the SQL"

    sql = driftaudit("propose", "--sql", cwd=project)
    assert sql.code == 0 and "CREATE TABLE" in sql.stdout
    with_repair = page_of(project, "--with-repair")[1]
    assert with_repair.by_id("repair").find("pre", cls="sql").text == sql.stdout.rstrip("\n")
    assert not list((project / "library" / "migrations").glob("*driftaudit*")), "nothing written"


def test_a_repair_with_problems_shows_them_instead_of_sql(built_samples):
    project = built_samples("history_inconsistent")
    proposal = driftaudit("propose", "--format", "json", cwd=project)
    assert proposal.code == 1 and proposal.json["problems"]
    repair = page_of(project, "--with-repair")[1].by_id("repair")
    assert repair.find("pre", cls="sql") is None
    items = repair.find("ul", cls="problems").find_all("li")
    assert [li.text.split("$ ")[0] for li in items] == [p["text"] for p in proposal.json["problems"]]


def test_with_repair_is_for_the_html_format_only(built_samples):
    run = driftaudit("report", "--with-repair", "--format", "json", cwd=built_samples("seed_example"))
    assert run.code == 2 and run.stdout == "" and len(run.stderr.strip().splitlines()) == 1
    assert "--format html" in run.stderr


def test_findings_no_group_tells_are_shown_too(built_samples):
    """``report --no-db`` groups nothing: its findings still each get their article."""
    project = built_samples("drift_pending")
    run = driftaudit("report", "--no-db", "--format", "html", cwd=project)
    assert run.code == 1
    findings = driftaudit("report", "--no-db", "--format", "json", cwd=project).json["findings"]
    document, errors = parse(run.stdout)
    assert errors == [] and findings
    section = document.by_id("ungrouped")
    assert [a.attrs["id"] for a in section.find_all("article")] == [f["id"] for f in findings]
    assert "no database (--no-db)" in document.find("p", cls="meta").text
    self_contained(run.stdout, document)


def test_a_clean_project_says_so_without_filters(built_samples):
    page, document = page_of(built_samples("clean_history"))
    assert "No drift" in document.by_id("summary").text and document.by_id("filters") is None
    assert document.find_all("article") == [] and document.find("ol", cls="timeline") is not None
    self_contained(page, document)


SCRIPT_NAME = "x<script>alert(1)</script>"
QUOTES_NAME = "y'\"><img src=x onerror=alert(2)>"


def hostile_copy(sample_copy):
    """The seed sample with two stale tables whose names are markup."""
    project = sample_copy("seed_example")
    with sqlite3.connect(project / "db.sqlite3") as conn:
        for name in (SCRIPT_NAME, QUOTES_NAME):
            conn.execute(f'CREATE TABLE "{name.replace(chr(34), chr(34) * 2)}" (id integer)')
    conn.close()
    return project


def test_names_that_are_markup_stay_text(sample_copy):
    project = hostile_copy(sample_copy)
    findings = report_json(project)["findings"]
    stale = {f["table"]: f["id"] for f in findings if f["kind"] == "stale-table"}
    assert SCRIPT_NAME in stale and QUOTES_NAME in stale
    page, document = page_of(project)
    assert SCRIPT_NAME not in page and "<img" not in page
    assert "x&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for name, finding_id in stale.items():
        article = document.by_id(finding_id)
        assert name in article.find("h3").text and name in article.text
    self_contained(page, document)
