"""The HTML report in a real browser: Debian's ``chromium``, headless, no driver.

``--screenshot`` shows the page renders (a PNG of the window size, not one colour, the error
red of the summary where it belongs); ``--dump-dom`` shows the DOM after the filter script ran,
so the filters are tested through the URL hash they read on load (``#severity=error``). The
script runs at all only if the page's Content-Security-Policy hash matches it. Skipped, saying
why, only where no Chromium is installed (CI installs one: ``.ci/run``).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import pytest
from conftest import driftaudit
from html_dom import parse
from test_html import QUOTES_NAME, SCRIPT_NAME, hostile_copy, report_json

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((path for path in map(shutil.which, BROWSERS) if path), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium browser installed (apt-get install chromium; "
                                                          f"looked for {', '.join(BROWSERS)} on PATH)")
WIDTH, HEIGHT = 1280, 2000


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--hide-scrollbars", "--force-device-scale-factor=1", f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def html_file(project, tmp_path, name="report.html"):
    out = tmp_path / name
    run = driftaudit("report", "--format", "html", "--output", str(out), cwd=project)
    assert run.code in (0, 1), run.stderr
    return out


def dom(tmp_path, page, fragment: str = "", *flags: str):
    run = chromium(tmp_path, *flags, "--dump-dom", page.as_uri() + fragment)
    assert run.returncode == 0 and "<html" in run.stdout, run.stderr[-2000:]
    return parse(run.stdout)[0]


def png_rows(data: bytes, rows: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first ``rows`` rows of pixels (8-bit RGB/RGBA, not interlaced)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * rows)
    out, previous = [], bytearray(stride)
    for r in range(rows):
        kind, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        out.append(bytes(line))
        previous = line
    return width, height, [bytes(row[i:i + 3]) for row in out for i in range(0, stride, bpp)]


def test_a_screenshot_of_the_report(built_samples, tmp_path):
    page = html_file(built_samples("data_library"), tmp_path)
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri())
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    data = shot.read_bytes()
    assert len(data) > 50_000, "a page of text and tables, not an empty window"
    width, height, pixels = png_rows(data, 260)  # the header: title, summary cards, per-app table
    assert (width, height) == (WIDTH, HEIGHT)
    colours = set(pixels)
    assert len(colours) > 50, "text and coloured cards, not one colour"
    white = sum(1 for p in pixels if p == b"\xff\xff\xff")
    assert 0.5 < white / len(pixels) < 0.99, "a white page with things on it"
    assert any(r > 150 and g < 80 and b < 80 for r, g, b in colours), "the error count in red"


def test_the_page_without_a_hash_shows_everything_once_the_script_ran(built_samples, tmp_path):
    project = built_samples("data_library")
    findings = report_json(project)["findings"]
    document = dom(tmp_path, html_file(project, tmp_path))
    assert not document.by_id("filters").hidden, "the script ran (the CSP allowed it) and showed the filters"
    assert [a.attrs["id"] for a in document.find_all("article") if not a.hidden] != []
    assert not any(a.hidden for a in document.find_all("article"))
    assert document.by_id("shown").text == f"{len(findings)} of {len(findings)} findings shown"


def test_a_severity_in_the_hash_filters_on_load(built_samples, tmp_path):
    project = built_samples("data_library")
    data = report_json(project)
    severity = {f["id"]: f["severity"] for f in data["findings"]}
    assert {"error", "warning", "info"} <= set(severity.values())
    document = dom(tmp_path, html_file(project, tmp_path), "#severity=error")
    articles = document.find_all("article", cls="finding")
    assert {a.attrs["id"] for a in articles} == set(severity)
    for article in articles:
        assert article.hidden == (severity[article.attrs["id"]] != "error"), article.attrs["id"]
    rows = document.find_all("tr", cls="index-row")
    assert rows and all(row.hidden == (row.attrs["data-severity"] != "error") for row in rows)
    for group in data["groups"]:  # a cause with nothing left to show is hidden with its findings
        section = document.by_id(group["id"])
        assert section.hidden == all(severity[i] != "error" for i in group["findings"]), group["id"]
    errors = sum(1 for s in severity.values() if s == "error")
    assert document.by_id("shown").text == f"{errors} of {len(severity)} findings shown"


def test_an_app_and_severities_in_the_hash(built_samples, tmp_path):
    project = built_samples("legacy_old_keys")
    findings = report_json(project)["findings"]
    assert {"auth", "admin", "library"} <= {f["app"] for f in findings}
    document = dom(tmp_path, html_file(project, tmp_path), "#app=auth,library&severity=warning")
    for f in findings:
        visible = f["app"] in ("auth", "library") and f["severity"] == "warning"
        assert document.by_id(f["id"]).hidden != visible, f["id"]
    assert any(not document.by_id(f["id"]).hidden for f in findings)


def test_markup_in_names_stays_text_in_the_browser(sample_copy, tmp_path):
    project = hostile_copy(sample_copy)
    stale = {f["table"]: f["id"] for f in report_json(project)["findings"] if f["kind"] == "stale-table"}
    document = dom(tmp_path, html_file(project, tmp_path))
    assert len(document.find_all("script")) == 1 and document.find_all("img") == []
    for name in (SCRIPT_NAME, QUOTES_NAME):
        assert name in document.by_id(stale[name]).find("h3").text
    assert not document.by_id("filters").hidden, "the page's own script still runs"
