"""Issue 2: the seed case end to end, through both entry points."""

from conftest import driftaudit, manage


def test_seed_json_reports_the_stale_join_table(built_samples):
    project = built_samples("seed_example")
    run = driftaudit("report", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    report = run.json
    stale = [f for f in report["findings"] if f["kind"] == "stale-table"]
    assert [f["table"] for f in stale] == ["appname_exampleone_exampletwos"]
    finding = stale[0]
    assert finding["severity"] == "error"
    assert finding["rule"] == "DA101"
    assert finding["signature"] == "M=H≠D"
    assert finding["cause"] == "rewritten-migration"
    assert finding["migration"] == "appname.0001_initial"
    blocked = {b["table"]: b for b in finding["impact"]["blocked_deletes"]}
    assert blocked["appname_exampleone"]["pks"] == [1, 2]
    assert blocked["appname_exampleone"]["count"] == 2
    assert blocked["appname_exampletwo"]["pks"] == [1, 2, 3]
    assert finding["impact"]["rows"] == 3
    # nothing else is wrong with this project; the history fact behind it is reported once
    assert [f["kind"] for f in report["findings"]] == ["stale-table", "rewritten-migration"]
    rewritten = report["findings"][1]
    assert rewritten["migration"] == "appname.0001_initial" and rewritten["cause"] == "rewritten-migration"


def test_seed_text_report_answers_the_users_question(built_samples):
    run = driftaudit("report", "--verbose", cwd=built_samples("seed_example"))
    assert run.code == 1
    text = " ".join(run.stdout.split())
    for phrase in (
        "Table appname_exampleone_exampletwos exists only in the database",
        "auto-created join table of a ManyToManyField `exampletwos`",
        "models and the migration files no longer have",
        "appname_exampleone (ExampleOne) ids 1 and 2",
        "appname_exampletwo (ExampleTwo) ids 1, 2 and 3",
        'fails with "FOREIGN KEY constraint failed" at commit',
        "rows it does not reference delete fine",
        "driftaudit propose",
        "backup table without foreign keys",
    ):
        assert phrase in text, phrase


def test_manage_py_command_gives_the_same_report(built_samples):
    project = built_samples("seed_example")
    direct = driftaudit("report", "--format", "json", cwd=project)
    via_manage = manage(project, "driftaudit", "report", "--format", "json")
    assert via_manage.code == 1, via_manage.stderr
    assert via_manage.json["findings"] == direct.json["findings"]


def test_fail_on_controls_the_exit_code(built_samples):
    project = built_samples("seed_example")
    assert driftaudit("report", "--fail-on", "never", cwd=project).code == 0
    assert driftaudit("report", "--fail-on", "error", cwd=project).code == 1


def test_json_findings_carry_every_contract_key(built_samples):
    report = driftaudit("report", "--format", "json", cwd=built_samples("seed_example")).json
    assert set(report) >= {"tool", "project", "summary", "findings", "history"}
    keys = {"id", "rule", "kind", "severity", "app", "model", "table", "column", "migration",
            "signature", "sources", "cause", "explanation", "impact", "count", "fix", "accepted"}
    for finding in report["findings"]:
        assert set(finding) == keys
    assert report["history"]["applied"]
    assert report["summary"]["by_severity"]["error"] == 1


def test_no_data_reports_the_table_without_reading_rows(built_samples):
    run = driftaudit("report", "--format", "json", "--no-data", cwd=built_samples("seed_example"))
    assert run.code == 1
    [stale] = [f for f in run.json["findings"] if f["kind"] == "stale-table"]
    assert stale["impact"] == {"rows": None, "blocked_deletes": []}
    assert stale["severity"] == "warning"  # no rows read, so no blocked delete to escalate it
    assert "were not read (--no-data)" in stale["explanation"]
