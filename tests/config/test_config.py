"""Issue 7: driftaudit.yaml changes the report as documented, and bad configs fail precisely."""

import re
import textwrap

import pytest

from conftest import REPO, driftaudit

STALE = "appname_exampleone_exampletwos"


def report_with(project, text, *extra, only_da101=True):
    """Report with ``text`` as driftaudit.yaml; by default narrowed to the stale-table rule so
    that the assertions are about the key under test, not about other findings of the seed."""
    text = textwrap.dedent(text)
    if only_da101 and "select:" not in text:
        text = "select: [DA101]\n" + text
    (project / "driftaudit.yaml").write_text(text)
    return driftaudit("report", "--format", "json", *extra, cwd=project)


def rules_of(run):
    return [f["rule"] for f in run.json["findings"]]


@pytest.fixture
def seed(sample_copy):
    return sample_copy("seed_example")


def test_no_config_is_the_default_report(seed):
    run = driftaudit("report", "--format", "json", cwd=seed)
    assert run.code == 1 and "DA101" in rules_of(run)


def test_ignore_removes_the_rule(seed):
    run = report_with(seed, "ignore: [DA101]\n", only_da101=False)
    assert run.code in (0, 1), run.stderr
    assert "DA101" not in rules_of(run)
    assert report_with(seed, "ignore: [DA101]\n").code == 0


def test_select_keeps_only_selected_prefixes(seed):
    history_only = report_with(seed, "select: [DA3]\n")
    assert history_only.code in (0, 1), history_only.stderr
    assert all(r.startswith("DA3") for r in rules_of(history_only))
    assert rules_of(report_with(seed, "select: [DA1]\n")) == ["DA101"]


def test_severity_override_changes_severity_and_exit(seed):
    run = report_with(seed, "severity:\n  DA101: info\n")
    assert run.code == 0
    assert run.json["findings"][0]["severity"] == "info"


def test_per_table_severity_override(seed):
    run = report_with(seed, """
        tables:
          "appname_*":
            severity: {DA101: info}
          "other_*":
            severity: {DA101: error}
    """)
    assert run.json["findings"][0]["severity"] == "info"


def test_exclude_tables_and_apps(seed):
    assert report_with(seed, "exclude:\n  tables: ['appname_*_exampletwos']\n").json["findings"] == []
    assert report_with(seed, "exclude:\n  apps: [appname]\n", only_da101=False).json["findings"] == []
    assert rules_of(report_with(seed, "exclude:\n  tables: ['other_*']\n")) == ["DA101"]


def test_fail_on_from_config_and_cli_wins(seed):
    assert report_with(seed, "fail_on: never\n").code == 0
    assert report_with(seed, "fail_on: never\n", "--fail-on", "error").code == 1


def test_sample_size_bounds_the_pks(seed):
    run = report_with(seed, "data:\n  sample_size: 1\n")
    blocked = {b["table"]: b for b in run.json["findings"][0]["impact"]["blocked_deletes"]}
    assert blocked["appname_exampleone"]["pks"] == [1]
    assert blocked["appname_exampleone"]["count"] == 2


def test_accept_keeps_the_finding_visible_but_passes(seed):
    run = report_with(seed, f"""
        accept:
          - rule: DA101
            table: {STALE}
            reason: kept until the export is done
    """)
    assert run.code == 0, run.stderr
    [finding] = run.json["findings"]
    assert finding["accepted"] == "kept until the export is done"
    assert run.json["summary"]["accepted"] == 1
    text = driftaudit("report", "--fail-on", "never", cwd=seed).stdout
    assert "(accepted)" in text and "kept until the export is done" in text
    assert re.search(r"accepted +kept until the export is done", text)  # not "acceptedkept"


def test_accept_for_another_table_does_not_hide_new_drift(seed):
    run = report_with(seed, """
        accept:
          - rule: DA101
            table: some_other_table
            reason: old news
    """)
    assert run.code == 1
    assert run.json["findings"][0]["accepted"] is None


def test_explicit_config_path(seed, tmp_path):
    config = tmp_path / "ci.yaml"
    config.write_text("select: [DA1]\nignore: [DA101]\n")
    assert driftaudit("report", "--config", str(config), cwd=seed).code == 0


def test_fix_policies_are_read(seed):
    """Fix policies feed `propose`; here: valid ones load, and per-table ones win."""
    from driftaudit.config.config_file import parse_config

    config = parse_config(textwrap.dedent("""
        fix: {orphans: set-null}
        tables:
          "audit_*": {fix: {stale_tables: keep}}
    """), REPO / "x.yaml", {"DA101"})
    assert config.fix_policy("orphans") == "set-null"
    assert config.fix_policy("stale_tables", "audit_log") == "keep"
    assert config.fix_policy("stale_tables", "shop_item") == "backup-drop"
    assert config.fix_policy("duplicates") == "quarantine"  # the default: nothing is lost


BAD_CONFIGS = [
    ("colour: red\n", 1, "unknown key 'colour' in the configuration"),
    ("ignore: DA101\n", 1, "ignore must be a list"),
    ("ignore: [DA999]\n", 1, "unknown rule 'DA999'"),
    ("select:\n  - DA1\n  - XX1\n", 3, "unknown rule 'XX1'"),
    ("severity:\n  DA101: fatal\n", 2, "severity of DA101 must be one of info, warning, error"),
    ("fail_on: sometimes\n", 1, "fail_on must be one of"),
    ("exclude:\n  tables: ['legacy_[']\n", 2, "bad glob 'legacy_['"),
    ("exclude:\n  schemas: [x]\n", 2, "unknown key 'schemas' in exclude"),
    ("data:\n  sample_size: many\n", 2, "data.sample_size must be an integer"),
    ("data:\n  sample_size: 0\n", 2, "data.sample_size must be at least 1"),
    ("data:\n  enabled: maybe\n", 2, "data.enabled must be true or false"),
    ("fix:\n  orphans: ignore\n", 2, "fix.orphans must be one of quarantine, set-null, delete, fail"),
    ("fix:\n  views: keep\n", 2, "unknown key 'views' in fix"),
    ("accept:\n  - rule: DA101\n    table: x\n", 2, "an accept entry needs 'reason'"),
    ("accept:\n  - rule: DA101\n    reason: ''\n", 3, "accept.reason must say why"),
    ("ignore: [DA101\n", 2, "invalid YAML"),
    ("severity: [DA101]\n", 1, "severity must be a mapping"),
    ("select: [DA1]\nselect: [DA2]\n", 2, "duplicate key 'select'"),
    ("!!python/object:os.system {}\n", 1, "invalid YAML"),
]


@pytest.mark.parametrize("text,line,message", BAD_CONFIGS, ids=[m for _, _, m in BAD_CONFIGS])
def test_bad_config_is_one_precise_line(seed, text, line, message):
    (seed / "driftaudit.yaml").write_text(text)
    run = driftaudit("report", cwd=seed)
    assert run.code == 2, run.stdout
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert f"driftaudit.yaml:{line}: " in lines[0], lines[0]
    assert message in lines[0], lines[0]


def test_missing_explicit_config(seed, tmp_path):
    run = driftaudit("report", "--config", str(tmp_path / "nope.yaml"), cwd=seed)
    assert run.code == 2 and "config file not found" in run.stderr


def test_example_config_is_valid(seed):
    (seed / "driftaudit.yaml").write_text((REPO / "rules" / "example-project.yaml").read_text())
    run = driftaudit("report", "--format", "json", cwd=seed)
    assert run.code in (0, 1), run.stderr
    [stale] = [f for f in run.json["findings"] if f["rule"] == "DA101"]
    assert stale["accepted"]  # the example accepts the seed's stale table


def test_init_writes_a_commented_starter_that_loads(seed):
    (seed / "driftaudit.yaml").unlink(missing_ok=True)
    run = driftaudit("init", cwd=seed)
    assert run.code == 0, run.stderr
    text = (seed / "driftaudit.yaml").read_text()
    assert all(not line.strip() or line.startswith("#") for line in text.splitlines())
    for key in ("select", "ignore", "severity", "exclude", "fail_on", "data", "fix", "tables", "accept"):
        assert f"# {key}:" in text
    assert driftaudit("report", cwd=seed).code == 1  # all commented: default behaviour
    again = driftaudit("init", cwd=seed)
    assert again.code == 2 and "already exists" in again.stderr


def test_rules_command_lists_and_shows():
    listing = driftaudit("rules")
    assert listing.code == 0 and "DA101" in listing.stdout and "stale-table" in listing.stdout
    one = driftaudit("rules", "DA101")
    assert one.code == 0 and "What it breaks" in one.stdout
    assert driftaudit("rules", "DA999").code == 2


def test_data_disabled_in_config_is_no_data(seed):
    run = report_with(seed, "data:\n  enabled: false\n")
    assert run.json["findings"][0]["impact"] == {"rows": None, "blocked_deletes": []}
