"""``--format github``: workflow commands GitHub turns into annotations on the lines a finding
is about, chosen by itself on a GitHub runner, plus the job summary. Real command-line runs
with the runner's environment variables set."""

from __future__ import annotations

import re

from conftest import clean_env, driftaudit

from driftaudit.report.github import escape_data, escape_property, workflow_command

COMMAND = re.compile(r"^::(error|warning|notice)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse(line: str) -> tuple[str, dict, str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match["props"].split(",")) if match["props"] else {}
    return match[1], {k: unescape(v) for k, v in props.items()}, unescape(match["message"])


def github_env(**extra) -> dict:
    """A GitHub runner's environment: ``GITHUB_ACTIONS=true`` plus ``extra``."""
    return {**clean_env(), "GITHUB_ACTIONS": "true", **extra}


def test_escaping_follows_githubs_toolkit():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert workflow_command("warning", "x\ny", file="a,b.py", line=3, title=None) == "::warning file=a%2Cb.py,line=3::x%0Ay"


def test_on_a_runner_the_report_is_annotations_and_a_job_summary(built_samples, tmp_path):
    project = built_samples("drift_removed_app")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    run = driftaudit("report", cwd=project, env=github_env(GITHUB_STEP_SUMMARY=str(summary)))
    assert run.code == 1, run.stderr
    findings = driftaudit("report", "--format", "json", cwd=project).json["findings"]
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == len(findings)
    settings = next(project.glob("*/settings.py")).relative_to(project).as_posix()
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(commands, findings):
        level, props, message = parse(line)
        assert level == levels[finding["severity"]]
        assert props["file"] == settings and int(props["line"]) >= 1
        assert props["title"] == f"{finding['rule']} {finding['kind']}: " + (
            finding["migration"] if finding["kind"] == "ghost-migration" else finding["table"])
        assert finding["explanation"] in message and "\n" in message
        assert "G1 App 'blog' was removed from INSTALLED_APPS" in message
    assert "driftaudit: 3 findings from 1 cause" in run.stdout
    written = summary.read_text()
    assert written.startswith("earlier step\n"), "the summary is appended to, never overwritten"
    assert "## driftaudit: 3 findings from 1 cause" in written and "### G1 " in written


def test_paths_follow_github_workspace_and_an_explicit_format_wins(built_samples, tmp_path):
    project = built_samples("history_faked")
    summary = tmp_path / "summary.md"
    run = driftaudit("report", cwd=project, env=github_env(GITHUB_WORKSPACE=str(project.parent)))
    _, props, _ = parse(run.stdout.splitlines()[0])
    assert props["file"] == f"{project.name}/appname/models.py"

    run = driftaudit("report", "--format", "json", cwd=project, env=github_env(GITHUB_STEP_SUMMARY=str(summary)))
    assert run.json["schema_version"] == "2"
    assert not summary.exists(), "the job summary belongs to the github format"


def test_a_clean_project_annotates_nothing(built_samples):
    run = driftaudit("report", cwd=built_samples("clean_history"), env=github_env())
    assert run.code == 0, run.stderr
    assert not [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert "0 findings" in run.stdout


def test_an_unwritable_summary_is_one_line_and_exit_2(built_samples, tmp_path):
    run = driftaudit("report", cwd=built_samples("history_faked"),
                     env=github_env(GITHUB_STEP_SUMMARY=str(tmp_path / "missing" / "summary.md")))
    assert run.code == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().count("\n") == 0 and "GITHUB_STEP_SUMMARY" in run.stderr
