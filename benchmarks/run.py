"""Measure driftaudit against Django's own commands and bare SQLite, side by side; write RESULTS.md.

Parts (``--only``, comma-separated; all by default):

- cms: report (warm, cold) vs ``manage.py makemigrations --check --dry-run`` on a Wagtail site.
- synth: the same on the synthetic project at each of ``--scales`` (models and migrations grow).
- upgrades: the same on real third-party upgrades applied with ``migrate --fake`` (upgrades.py).
- many: ``report --no-data`` over N copies of the Wagtail site's database (many_dbs.py).
- data: data scan vs a bare ``PRAGMA foreign_key_check`` at each of ``--data-scales`` (datascan.py).
- rebuild: the repair of the 5M-row table vs the bare rebuild (rebuild.py; needs the x1 database).

Cold, for both tools: the project's ``__pycache__`` deleted before the run; driftaudit also runs
with ``DRIFTAUDIT_CACHE=off``. Warm: both after a previous run. Every ratio is against an anchor
measured in the same run; measure.py says how.

    benchmarks/.venv/bin/python benchmarks/run.py [--only cms,synth,upgrades,many,data,rebuild]
        [--scales 1,2,4] [--data-scales 1,10] [--dbs 1,10,50,200] [--apps ...] [--reps 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bigdb
import datascan
import fixtures
import many_dbs
import rebuild
import results
import synth
import upgrades
from measure import WORK, compile_driftaudit, report_vs_makemigrations

PARTS = ("cms", "synth", "upgrades", "many", "data", "rebuild")

#: rough minutes per part at --reps 3 on a 2-core machine, scaled from earlier runs and the smoke
#: runs (for the printed estimate only): synthetic x4 is a cold report and a cold makemigrations
#: of ~90 s each plus the warm-up; generating the x10 database (50M orders) takes ~3 min (x1: 15 s)
MINUTES = {"cms": 0.6, "synth": {1: 1.5, 2: 2.5, 4: 6.5}, "upgrades": 0.3, "upgrades_build": 0.25,
           "many": {1: 0.4, 10: 0.5, 50: 1.0, 200: 2.5}, "data": {1: 0.6, 2: 0.9, 4: 1.5, 10: 3},
           "data_generate": {1: 0.3, 10: 3}, "synth_generate": {1: 0.5, 2: 1.2, 4: 3}, "rebuild": 2}


def numbers(text: str, kind=int) -> list:
    """'1,2,4' -> [1, 2, 4]; with ``kind=float``, whole numbers stay ints (folder names, labels)."""
    values = [kind(v) for v in text.split(",") if v.strip()]
    return [int(v) if float(v).is_integer() else v for v in values]


def estimate(args) -> list[str]:
    """What takes long, before it starts (scaled from earlier runs; generation only when missing)."""
    lines = []
    if "cms" in args.only:
        lines.append(("wagtail site", MINUTES["cms"] * args.reps / 3))
    if "synth" in args.only:
        for s in args.scales:
            gen = 0 if (WORK / f"synth{s}" / ".stamp").exists() else MINUTES["synth_generate"].get(s, s)
            what = f"synthetic x{s} (one cold makemigrations ~{5 * s * s:.0f} s{f', generate ~{gen:.1f} min' if gen else ''})"
            lines.append((what, MINUTES["synth"].get(s, 2 * s) + gen))
    if "upgrades" in args.only:
        unbuilt = sum(1 for a in args.app_list if not (WORK / "upgrades" / a.name / ".stamp").exists())
        lines.append((f"{len(args.app_list)} upgraded apps ({unbuilt} to build first)",
                      MINUTES["upgrades"] * len(args.app_list) * args.reps / 3 + MINUTES["upgrades_build"] * unbuilt))
    if "many" in args.only:
        lines += [(f"{n} databases", MINUTES["many"].get(n, n / 80) * args.reps / 3) for n in args.dbs]
    if "data" in args.only:
        for s in args.data_scales:
            built = (WORK / f"big{s:g}" / ".stamp").exists()
            gen = 0 if built else MINUTES["data_generate"].get(s, 0.3 * s)
            lines.append((f"data x{s} ({bigdb.ORDERS * s:,.0f} orders{f', generate ~{gen:.1f} min' if gen else ''})",
                          MINUTES["data"].get(s, 0.3 * s) * args.reps / 3 + gen))
    if "rebuild" in args.only:
        lines.append((f"rebuild of the x{args.rebuild_scale} table", MINUTES["rebuild"] * args.rebuild_scale))
    total = sum(m for _, m in lines)
    return [f"  ~{m:4.1f} min  {what}" for what, m in sorted(lines, key=lambda x: -x[1])] + [f"  ~{total:4.1f} min in all"]


def machine() -> dict:
    import django
    try:
        import wagtail
        wagtail_version = wagtail.__version__
    except ImportError:
        wagtail_version = "-"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else "?"
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "django": django.get_version(), "wagtail": wagtail_version,
            "os": platform.platform()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts to run (default: all of {','.join(PARTS)})")
    parser.add_argument("--scales", default="1,2,4", help="synthetic project sizes (default 1,2,4)")
    parser.add_argument("--data-scales", default="1,10",
                        help="large-DB sizes; x10 = 50M orders, ~4 GB (default 1,10; fractions like 0.01 for smoke runs)")
    parser.add_argument("--dbs", default="1,10,50,200", help="numbers of databases (default 1,10,50,200)")
    parser.add_argument("--apps", default=",".join(upgrades.DEFAULT_APPS),
                        help="upgraded apps, PyPI names from tests/realapps/catalog.py, or 'all'")
    parser.add_argument("--rebuild-scale", type=float, default=1,
                        help="large-DB size the rebuild is measured on (default 1: 5M orders)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--estimate", action="store_true", help="print the expected duration and exit")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent / "RESULTS.md"))
    args = parser.parse_args()
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    if set(args.only) - set(PARTS):
        parser.error(f"--only: unknown parts {set(args.only) - set(PARTS)}; known: {','.join(PARTS)}")
    args.scales, args.dbs = numbers(args.scales), numbers(args.dbs)
    args.data_scales = numbers(args.data_scales, float)
    args.rebuild_scale = numbers(str(args.rebuild_scale), float)[0]
    args.app_list = upgrades.chosen(args.apps) if "upgrades" in args.only else []

    if args.estimate:
        print("Expected duration:", *estimate(args), sep="\n")
        return
    start = time.monotonic()
    WORK.mkdir(exist_ok=True)
    facts = machine()
    print(f"driftaudit benchmark on {facts['cores']} cores, SQLite {facts['sqlite']}, Django {facts['django']}; "
          f"parts: {','.join(args.only)}. Expected duration:", *estimate(args), sep="\n", flush=True)
    facts["driftaudit"] = str(compile_driftaudit())
    out: dict = {"parts": args.only, "scales": args.scales, "data_scales": args.data_scales, "report": {},
                 "scan": {}}

    if {"cms", "many"} & set(args.only):
        cms = fixtures.ensure_cms()
    if "cms" in args.only:
        print("measuring: wagtail site", flush=True)
        r = report_vs_makemigrations(cms, max(args.reps, 5), args.reps)  # ~1.5 s runs: more of them
        r["migrations"] = fixtures.migration_count(cms)
        out["report"][f"wagtail {facts['wagtail']} site ({r['migrations']} migrations)"] = r

    if "synth" in args.only:
        for scale in args.scales:
            project = fixtures.ensure_synth(scale)
            print(f"measuring: synthetic project x{scale}", flush=True)
            # a cold makemigrations is ~20 s at x2 and ~90 s at x4: one round there
            r = report_vs_makemigrations(project, args.reps if scale == 1 else 1, args.reps if scale == 1 else 1)
            r["migrations"] = fixtures.migration_count(project)
            r["models"] = synth.APPS_PER_SCALE * synth.MODELS_PER_APP * scale
            out["report"][f"synthetic ×{scale}"] = r

    if "upgrades" in args.only:
        out["upgrades"] = upgrades.measure(args.app_list, args.reps)

    if "many" in args.only:
        out["many"] = many_dbs.measure(cms, args.dbs, args.reps)
        for problem in out["many"]["problems"]:
            print(f"  problem: {problem}", flush=True)

    data_scales = args.data_scales if "data" in args.only else []
    if "rebuild" in args.only and args.rebuild_scale not in data_scales:
        data_scales = data_scales + [args.rebuild_scale]
    for scale in data_scales:
        project = fixtures.ensure_bigdb(scale)
        if "data" in args.only and scale in args.data_scales:
            print(f"measuring: data scan x{scale}", flush=True)
            s = datascan.data_scan(project, args.reps)  # x10's 1.1x target is close: every rep counts
            s["rows"] = int((bigdb.CUSTOMERS + bigdb.ORDERS) * scale)
            out["scan"][scale] = s
        if scale == args.rebuild_scale and "rebuild" in args.only:
            print(f"measuring: rebuild (database x{scale})", flush=True)
            out["rebuild"] = rebuild.rebuild(project, args.reps)
            out["rebuild"]["scale"] = scale

    if len(out["scan"]) > 1:
        print("measuring: report --no-data at every data size, alternated", flush=True)
        out["no_data"] = datascan.no_data_by_size({scale: fixtures.ensure_bigdb(scale) for scale in out["scan"]},
                                                  args.reps)

    elapsed = time.monotonic() - start
    results.write(Path(args.output), facts, out, elapsed)
    print(f"wrote {args.output} in {elapsed / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
