"""The terminal text report (issue 15, point 2): compact by default, --verbose for the story,
grouped by table, every line within the width, colour only when asked for, and the same words
as JSON. Rendered from a real audit of data_library with two tables added by hand in the
sqlite3 shell, so that it has more than nine findings (ids F1 to F11)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from rich.cells import cell_len

from conftest import clean_env
from driftaudit.report.text import shell_lines

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
WIDTHS = (80, 160)

RENDER = textwrap.dedent("""
    import json, sys, driftaudit
    from driftaudit.report.text import render_text
    report = driftaudit.audit(project=sys.argv[1])
    out = {"json": report.to_json()}
    for width in (80, 160):
        for verbose in (False, True):
            for color in (False, True):
                key = f"{width}-{'verbose' if verbose else 'compact'}-{'color' if color else 'plain'}"
                out[key] = render_text(report, width=width, color=color, verbose=verbose)
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def renders(built_samples, tmp_path_factory):
    project = tmp_path_factory.mktemp("text") / "data_library"
    shutil.copytree(built_samples("data_library"), project)
    db = sqlite3.connect(project / "db.sqlite3")
    db.executescript("""
        CREATE TABLE legacy_audit_log (id integer PRIMARY KEY, note text);
        CREATE TABLE legacy_export (id integer PRIMARY KEY, book_id integer REFERENCES library_book(id));
        INSERT INTO legacy_export VALUES (1, 2);
    """)
    db.commit()
    db.close()
    run = subprocess.run([sys.executable, "-c", RENDER, str(project)], capture_output=True, text=True,
                         env=clean_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def lines_of(text: str) -> list[str]:
    return ANSI.sub("", text).splitlines()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("mode", ["compact", "verbose"])
def test_every_line_fits_the_width(renders, width, mode):
    for color in ("plain", "color"):
        text = renders[f"{width}-{mode}-{color}"]
        too_long = [line for line in lines_of(text) if cell_len(line) > width]
        assert not too_long, too_long
        assert not [line for line in lines_of(text) if line != line.rstrip()], "trailing blanks"


def test_the_width_is_used_not_a_fixed_one(renders):
    narrow, wide = (lines_of(renders[f"{w}-verbose-plain"]) for w in WIDTHS)
    assert max(map(cell_len, wide)) > 100  # today's report wrapped at a fixed 100
    assert len(wide) < len(narrow)
    assert "".join("".join(narrow).split()) == "".join("".join(wide).split())  # the same text
    assert "…" not in "".join(narrow)  # a name longer than the column folds, never cut short


def test_plain_text_has_no_escape_codes_and_colour_changes_nothing_else(renders):
    for width in WIDTHS:
        for mode in ("compact", "verbose"):
            plain, color = renders[f"{width}-{mode}-plain"], renders[f"{width}-{mode}-color"]
            assert "\x1b" not in plain
            assert "\x1b[" in color and "\x1b[1;31mERROR" in color  # errors in bold red
            assert ANSI.sub("", color) == plain


def test_ids_past_f9_stay_aligned(renders):
    findings = renders["json"]["findings"]
    assert len(findings) >= 10
    for width in WIDTHS:
        heads = {m.group(1): m.start(2) for line in lines_of(renders[f"{width}-compact-plain"])
                 if (m := re.match(r"  (F\d+) +(ERROR|WARNING|INFO) ", line))}
        assert set(heads) == {f["id"] for f in findings}
        assert len(set(heads.values())) == 1, heads  # the severity column starts at one place


def test_compact_is_one_headline_and_one_to_do_per_finding(renders):
    findings = renders["json"]["findings"]
    compact, verbose = renders["160-compact-plain"], renders["160-verbose-plain"]
    for f in findings:
        assert f"{f['rule']} · driftaudit rules {f['rule']} · docs/rules/{f['rule']}.md" in compact
        assert f["kind"] in compact
    causes = sum(1 for g in renders["json"]["groups"] if len(g["findings"]) > 1)  # each told once, first
    assert len(re.findall(r"^ +to do  ", compact, re.M)) == sum(1 for f in findings if f["fix"]) + causes
    assert not re.search(r"^ +(what|breaks) ", compact, re.M)
    assert "SQLite only accepts such rows while foreign key enforcement is off" not in " ".join(compact.split())
    assert "SQLite only accepts such rows while foreign key enforcement is off" in " ".join(verbose.split())
    assert len(verbose.splitlines()) > 1.5 * len(compact.splitlines())
    for f in findings:  # the help line ends every finding in both modes
        assert f"driftaudit rules {f['rule']}" in verbose


def test_findings_are_grouped_by_table_and_end_with_a_summary_table(renders):
    findings = renders["json"]["findings"]
    lines = lines_of(renders["80-compact-plain"])
    titles = [line.split()[0] for line in lines if line and not line.startswith(" ")
              and line.split()[0] in {f["table"] for f in findings}]
    assert sorted(titles) == sorted({f["table"] for f in findings})  # each table once
    book = lines.index(next(line for line in lines if line.startswith("library_book ")))
    block = lines[book:lines.index("", book)]
    assert {m.group(1) for line in block if (m := re.match(r"  (F\d+) ", line))} == {
        f["id"] for f in findings if f["table"] == "library_book"}
    tail = lines[-12:]
    header = next(line for line in lines if line.split() == ["rule", "kind", "severity", "findings"])
    assert lines.index(header) > book
    by_severity = renders["json"]["summary"]["by_severity"]
    assert f"{len(findings)} findings: {by_severity['error']} errors, {by_severity['warning']} warnings" in "\n".join(tail)
    assert re.search(r"^DA201 +orphan-rows +error +2$", "\n".join(lines), re.M)


def test_verbose_tells_shared_evidence_once(renders):
    """Three findings of the faked library.0002 repeat its evidence in JSON; the verbose text
    tells it once and points at that finding from the others."""
    evidence = "it was most likely applied with --fake"
    shared = [f for f in renders["json"]["findings"] if evidence in f["explanation"]]
    assert len(shared) >= 3
    text = " ".join(renders["160-verbose-plain"].split())
    assert text.count(evidence) == 1
    assert text.count("Same cause as ") >= len(shared) - 1


def test_words_read_well(renders):
    text = " ".join(renders["160-verbose-plain"].split())
    assert "(s)" not in text  # singular and plural
    assert "1 row of library_book references library_author rows" in text
    assert "row 5 points at missing id 42" in text and "rows 4 and 5 point at missing id 40 and 41" in text
    assert "library_section (Section) id 1:" in text
    assert not re.search(r"\)\.[A-Z]", text), "sentences run together"
    assert re.search(r"recorded as applied on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)", text)


def test_markdown_keeps_what_each_finding_breaks(built_samples):
    from conftest import driftaudit

    markdown = driftaudit("report", "--format", "markdown", cwd=built_samples("data_library")).stdout
    assert markdown.count("*Breaks:*") == markdown.count("\n#### F")
    assert "*Breaks:* deleting library.Author id 2 fails at commit (FOREIGN KEY constraint failed)." in markdown
    assert "`driftaudit rules DA201` · `docs/rules/DA201.md`" in markdown


@pytest.mark.parametrize("argv", [
    ["driftaudit", "propose"],
    ["driftaudit", "record", "appname.0002_a_very_long_migration_name_indeed", "--db",
     "/srv/backups/production copy/2026-12-07/db.sqlite3", "--settings", "project.settings.production",
     "--apply"],
])
def test_long_commands_wrap_into_one_shell_command(argv):
    lines = shell_lines(argv, 50)
    assert all(len(line) <= 50 for line in lines) or len(lines) > 1
    assert all(line.endswith(" \\") for line in lines[:-1])
    assert shlex.split(" ".join(line.removesuffix(" \\") for line in lines)) == argv


def test_seed_evidence_sentences_do_not_run_together(built_samples):
    from conftest import driftaudit

    text = " ".join(driftaudit("report", "--verbose", cwd=built_samples("seed_example")).stdout.split())
    assert re.search(r"\(confidence: low\)\. Its file was also last modified on [-\d]+ [:\d]+ UTC, after", text)
    assert not re.search(r"\)\.[A-Z]", text)


def test_times_are_utc_whatever_the_projects_time_zone(sample_copy):
    """Under USE_TZ = False Django records local times (of TIME_ZONE); the report turns them
    into UTC, so a record, a file's mtime and a commit read on one clock."""
    from datetime import datetime, timedelta

    from conftest import driftaudit

    project = sample_copy("data_library")
    settings = project / "libproject" / "settings.py"
    settings.write_text(settings.read_text().replace("USE_TZ = True", "USE_TZ = False")
                        + '\nTIME_ZONE = "Asia/Tokyo"\n')  # UTC+9, no daylight saving
    db = sqlite3.connect(project / "db.sqlite3")
    (raw,) = db.execute("SELECT applied FROM django_migrations WHERE app = 'library' AND name LIKE '0002%'").fetchone()
    db.close()
    local = datetime.fromisoformat(raw).replace(microsecond=0)
    report = driftaudit("report", "--format", "json", cwd=project).json
    (fk_extra,) = [f for f in report["findings"] if f["kind"] == "fk-extra"]
    utc = (local - timedelta(hours=9)).strftime("%Y-%m-%d %H:%M:%S")
    assert f"recorded as applied on {utc} UTC" in fk_extra["explanation"]
