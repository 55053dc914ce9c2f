"""Every output format tells the same report: the seed sample rendered as JSON, text, markdown
and HTML by the real command line."""

from __future__ import annotations

import html

from conftest import driftaudit


def test_output_file_and_other_formats(built_samples, tmp_path):
    project = built_samples("seed_example")
    out = tmp_path / "report.md"
    run = driftaudit("report", "--format", "markdown", "--output", str(out), cwd=project)
    assert run.code == 1 and run.stdout == ""
    assert "appname_exampleone_exampletwos" in out.read_text()
    page = driftaudit("report", "--format", "html", cwd=project).stdout
    assert page.startswith("<!doctype html>") and "stale-table" in page


def test_every_format_names_every_finding(built_samples):
    project = built_samples("seed_example")
    findings = driftaudit("report", "--format", "json", cwd=project).json["findings"]
    assert findings, "the seed sample has drift"
    text = driftaudit("report", cwd=project).stdout
    markdown = driftaudit("report", "--format", "markdown", cwd=project).stdout
    page = html.unescape(driftaudit("report", "--format", "html", cwd=project).stdout)
    for f in findings:
        for output in (text, markdown, page):
            assert f["rule"] in output and f["kind"] in output
        assert f"| {f['id']} | {f['severity']} | {f['rule']} | {f['kind']} |" in markdown
