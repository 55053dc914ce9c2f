#!/usr/bin/env python
"""Snapshot every sample project's outputs, to prove a refactoring changed no behaviour.

    python tools/report_snapshot.py take  OUT_DIR [--builds DIR]   # build samples once, record outputs
    python tools/report_snapshot.py check OUT_DIR [--builds DIR]   # record again, diff against OUT_DIR

To prove a change to the build scripts changed no database, ``take`` with ``--samples`` set
to an older checkout's ``sample_projects``, delete the builds, then ``check`` with the current
scripts into the same ``--builds`` folder (the reports name the database's path).

Recorded per sample: ``report`` as JSON, text, markdown and HTML, ``report --no-data --format json``
and ``propose --dry-run``. The samples are built once into ``--builds`` (default: a folder beside
OUT_DIR) and reused, so both runs audit byte-identical databases. Times the tool prints (the
proposal's generation stamp) are masked; nothing else is.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_projects"
COMMANDS = {
    "report.json": ["report", "--format", "json"],
    "report.txt": ["report"],
    "report.md": ["report", "--format", "markdown"],
    "report.html": ["report", "--format", "html"],
    "report-nodata.json": ["report", "--no-data", "--format", "json"],
    "propose.txt": ["propose", "--dry-run"],
}
STAMP = re.compile(r"(\d{4}-\d\d-\d\d[ T])?\d\d:\d\d:\d\d( UTC|Z|\+00:00)?|\d{4}-\d\d-\d\d[ T]\d\d:\d\d")


def env() -> dict:
    e = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "DRIFTAUDIT_CACHE": "off"}
    e.pop("DJANGO_SETTINGS_MODULE", None)
    return e


def build(name: str, builds: Path, samples: Path = SAMPLES) -> Path:
    target = builds / name
    if not (target / ".built").exists():
        subprocess.run([sys.executable, str(samples / name / "build.py"), "--into", str(target), "--quiet"],
                       check=True, env=env(), capture_output=True)
    return target


def record(name: str, builds: Path, samples: Path = SAMPLES) -> dict[str, str]:
    project = build(name, builds, samples)
    out = {}
    for file, args in COMMANDS.items():
        run = subprocess.run([sys.executable, "-m", "driftaudit", *args], cwd=project, env=env(),
                             capture_output=True, text=True, timeout=600)
        out[file] = f"exit {run.returncode}\n--- stdout\n{STAMP.sub('<time>', run.stdout)}" \
                    f"--- stderr\n{STAMP.sub('<time>', run.stderr)}"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("take", "check"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--builds", type=Path)
    parser.add_argument("--only", nargs="*", help="sample names (default: all)")
    parser.add_argument("--samples", type=Path, default=SAMPLES,
                        help="the sample_projects folder to build from (e.g. an older checkout's)")
    args = parser.parse_args()
    builds = (args.builds or args.out.parent / "builds").resolve()
    builds.mkdir(parents=True, exist_ok=True)
    names = args.only or sorted(p.parent.name for p in args.samples.glob("*/build.py"))
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(names, pool.map(lambda n: record(n, builds, args.samples), names)))
    differences = 0
    for name, files in results.items():
        for file, text in files.items():
            path = args.out / name / file
            if args.mode == "take":
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                continue
            before = path.read_text(encoding="utf-8") if path.exists() else ""
            if before != text:
                differences += 1
                sys.stdout.writelines(difflib.unified_diff(
                    before.splitlines(True), text.splitlines(True), f"before/{name}/{file}", f"after/{name}/{file}"))
    if args.mode == "check":
        print(f"{len(results)} samples, {len(COMMANDS)} outputs each: {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
