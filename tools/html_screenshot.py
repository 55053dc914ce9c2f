#!/usr/bin/env python
"""Rewrite ``docs/examples/report-html.png``: the HTML report of the ``data_library`` sample,
as headless Chromium shows it in a 1280x2000 window.

    python tools/html_screenshot.py [--out docs/examples/report-html.png]

Builds the sample into a temporary folder, renders ``driftaudit report --format html
--with-repair`` and takes the screenshot. With Pillow installed (it comes with the
``realapps`` extra) the PNG is reduced to a 64-colour palette, so it stays well under the
300 KB the repository allows for an image.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = "data_library"
LIMIT = 300_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "examples" / "report-html.png")
    args = parser.parse_args()
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if browser is None:
        sys.exit("no Chromium on PATH (apt-get install chromium)")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / SAMPLE
        subprocess.run([sys.executable, str(REPO / "sample_projects" / SAMPLE / "build.py"), "--into", str(project),
                        "--quiet"], check=True, env=env)
        page = Path(tmp) / "report.html"
        run = subprocess.run([sys.executable, "-m", "driftaudit", "report", "--format", "html", "--with-repair",
                              "--output", str(page)], cwd=project, env=env)
        if run.returncode not in (0, 1):
            sys.exit("driftaudit report failed")
        shot = Path(tmp) / "shot.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--force-device-scale-factor=1", f"--user-data-dir={Path(tmp) / 'profile'}",
                        f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                       check=True, capture_output=True)
        try:
            from PIL import Image
        except ImportError:
            shutil.copyfile(shot, args.out)
        else:
            Image.open(shot).convert("RGB").quantize(colors=64).save(args.out, optimize=True)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size // 1000} KB)")
    return 0 if size < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
