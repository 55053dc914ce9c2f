"""Colour, width and progress of the text report through the real command line (issue 15,
point 2): colour on a terminal only, never with NO_COLOR unless --color=always; the width of
the terminal (a real pseudo-terminal here), or COLUMNS, or 100 columns when piped."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import sqlite3
import struct
import subprocess
import sys
import termios

import pytest
from rich.console import Console

from conftest import REPO, clean_env
from driftaudit.report.terminal import color_enabled, text_width

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STYLE_ENV = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "TERM")


def env(**values) -> dict:
    """The test environment without the variables this test decides, plus ``values``."""
    out = {k: v for k, v in clean_env().items() if k not in STYLE_ENV}
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), out.get("PYTHONPATH")]))
    return {**out, **values}


def report(project, *args, **environ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "driftaudit", "report", *args], cwd=project,
                          capture_output=True, text=True, env=env(**environ), timeout=300)


def report_on_terminal(project, *args, columns: int, **environ) -> tuple[int, str]:
    """``driftaudit report`` with stdout on a pseudo-terminal ``columns`` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "driftaudit", "report", *args], cwd=project, stdin=slave,
                            stdout=slave, stderr=subprocess.DEVNULL, env=env(TERM="xterm", **environ))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode().replace("\r\n", "\n")


def widest(text: str) -> int:
    return max(len(line) for line in ANSI.sub("", text).splitlines())


@pytest.fixture(scope="module")
def seed(built_samples):
    return built_samples("seed_example")


def test_piped_output_has_no_escape_codes_and_wraps_at_100(seed):
    run = report(seed)
    assert run.returncode == 1 and "\x1b" not in run.stdout
    assert "DA101 · driftaudit rules DA101 · docs/rules/DA101.md" in run.stdout
    assert 90 < widest(run.stdout) <= 100


def test_columns_sets_the_width_of_piped_output(seed):
    for columns in (80, 160):
        text = report(seed, "--verbose", COLUMNS=str(columns)).stdout
        assert columns - 15 < widest(text) <= columns


def test_a_terminal_gets_colour_at_its_own_width(seed):
    code, text = report_on_terminal(seed, columns=90)
    assert code == 1
    assert "\x1b[1;31mERROR" in text  # bold red
    assert 80 < widest(text) <= 90
    assert ANSI.sub("", text) == report(seed, COLUMNS="90").stdout  # colour changes nothing else


def test_no_color_is_respected_even_on_a_terminal(seed):
    code, text = report_on_terminal(seed, columns=90, NO_COLOR="1")
    assert code == 1 and "ERROR" in text and not ANSI.search(text)
    code, text = report_on_terminal(seed, "--no-color", columns=90)
    assert "ERROR" in text and not ANSI.search(text)


@pytest.mark.parametrize("args,environ,coloured", [
    (["--color=always"], {}, True),
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # the explicit flag wins
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (["--no-color"], {"FORCE_COLOR": "1"}, False),
    (["--color=never"], {"FORCE_COLOR": "1"}, False),
    (["--color=auto"], {}, False),  # a pipe
])
def test_color_choices(seed, args, environ, coloured):
    run = report(seed, *args, **environ)
    assert run.returncode == 1, run.stderr
    assert ("\x1b[" in run.stdout) is coloured


def test_report_to_a_file_is_plain_unless_always(seed, tmp_path):
    out = tmp_path / "report.txt"
    assert report(seed, "--output", str(out), FORCE_COLOR="1").stdout == ""
    assert "\x1b" not in out.read_text() and "DA101" in out.read_text()
    report(seed, "--output", str(out), "--color=always")
    assert "\x1b[" in out.read_text()


def test_compact_by_default_verbose_on_request(seed):
    compact, verbose = report(seed).stdout, report(seed, "-v").stdout
    assert "to do" in compact and not re.search(r"^ +what ", compact, re.M)
    assert re.search(r"^ +what +Table appname_exampleone_exampletwos exists only", verbose, re.M)
    assert re.search(r"^ +breaks +deleting appname.ExampleOne ids 1, 2 fails at commit", verbose, re.M)
    assert len(compact.splitlines()) < len(verbose.splitlines())


def test_color_choice_rules():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Terminal(), io.StringIO()
    assert color_enabled("auto", tty, {}) and not color_enabled("auto", pipe, {})
    assert not color_enabled("auto", tty, {"NO_COLOR": "1"}) and color_enabled("auto", tty, {"NO_COLOR": ""})
    assert not color_enabled("auto", tty, {"TERM": "dumb"})
    assert color_enabled("auto", pipe, {"FORCE_COLOR": "1"})
    assert color_enabled("always", pipe, {"NO_COLOR": "1"}) and not color_enabled("never", tty, {"FORCE_COLOR": "1"})
    assert text_width(pipe, {}) == 100 and text_width(pipe, {"COLUMNS": "132"}) == 132
    assert text_width(pipe, {"COLUMNS": "10"}) == 40  # never narrower than that


SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n"


def test_progress_bar_counts_tables_once_a_scan_is_long():
    from driftaudit.report.progress import BarProgress

    conn = sqlite3.connect(":memory:")
    shown = io.StringIO()
    bar = BarProgress(Console(file=shown, force_terminal=True, width=80), after=0.0)
    with bar.phase("checking foreign keys", 2):
        for table in ("big_one", "big_two"):
            with bar.scan(conn, f"checking foreign keys of {table}"):
                conn.execute(SLOW).fetchone()
    text = ANSI.sub("", shown.getvalue())
    assert "checking foreign keys of big_two" in text and "2/2" in text and "━" in text
    quiet = io.StringIO()
    bar = BarProgress(Console(file=quiet, force_terminal=True, width=80), after=3600)
    with bar.phase("checking foreign keys", 1), bar.scan(conn, "checking foreign keys of small"):
        conn.execute("SELECT 1").fetchone()
    assert quiet.getvalue() == ""  # a short scan shows nothing


def test_progress_bar_goes_to_a_terminals_stderr_only():
    from driftaudit.explain.rows import Progress
    from driftaudit.report.progress import BarProgress, scan_progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert isinstance(scan_progress("json", Terminal()), BarProgress)
    piped = scan_progress("text", io.StringIO())
    assert type(piped) is Progress and piped.enabled
    assert not scan_progress("json", io.StringIO()).enabled
