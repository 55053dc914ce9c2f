"""Measure driftaudit against Django's own commands and bare SQLite, side by side; write RESULTS.md.

Every comparison alternates its commands (A B A B ...), repeats them and reports medians and
the ratio. Wall time and peak RSS come from ``os.wait4`` on each child process.

- report (warm, cold) vs ``manage.py makemigrations --check --dry-run`` on the synthetic project
  and on a real Wagtail site. Cold: the project's ``__pycache__`` and driftaudit's state cache
  removed before each run of either tool; warm: both left from the previous run.
- data scan (``report`` minus ``report --no-data``) vs a bare ``PRAGMA foreign_key_check``.
- peak RSS of ``report`` on the large database vs its empty twin.
- a rebuild of the 5M-row table vs the bare create / INSERT...SELECT / drop / rename / index.
- the same at 1x, 2x, 4x project and database size.

    benchmarks/.venv/bin/python benchmarks/run.py [--scales 1,2,4] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
CACHE = WORK / "driftaudit-cache"
PY = sys.executable
sys.path.insert(0, str(HERE))

import bigdb  # noqa: E402
import synth  # noqa: E402

TIME = shutil.which("time", path="/usr/bin:/bin") or "/usr/bin/time"  # GNU time (Debian: package time)
TARGETS = {"report": 1.0, "scan": 1.2, "rebuild": 1.2, "rss_mb": 50}


# -- running -------------------------------------------------------------------------------
def run(argv, cwd, env=None, ok=(0,)) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process.

    Peak RSS comes from GNU ``time``: ``ru_maxrss`` of a child forked from this (large) process
    counts the parent's pages it shared before ``exec``.
    """
    rss_file = WORK / ".rss"
    start = time.perf_counter()
    result = subprocess.run([TIME, "-f", "%M", "-o", str(rss_file), *map(str, argv)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} in {cwd} exited {result.returncode}:\n"
                         f"{result.stderr.decode(errors='replace')[-2000:]}")
    return wall, int(rss_file.read_text().split()[-1]) / 1024


def alternate(cases: dict, reps: int) -> dict:
    """``cases``: name -> (argv, cwd, prepare-callable or None, ok codes). Medians per name."""
    samples = {name: [] for name in cases}
    for _ in range(reps):
        for name, (argv, cwd, prepare, ok) in cases.items():
            if prepare:
                prepare()
            samples[name].append(run(argv, cwd, ENV, ok))
    return {name: {"wall": statistics.median(w for w, _ in s), "rss": statistics.median(r for _, r in s),
                   "runs": [round(w, 2) for w, _ in s]} for name, s in samples.items()}


ENV = {**os.environ, "DRIFTAUDIT_CACHE_DIR": str(CACHE)}
ENV.pop("DJANGO_SETTINGS_MODULE", None)
DRIFTAUDIT = [PY, "-m", "driftaudit", "report"]
MAKEMIGRATIONS = [PY, "manage.py", "makemigrations", "--check", "--dry-run"]


def cold(project: Path):
    def prepare():
        for folder in project.rglob("__pycache__"):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)
    return prepare


def report_vs_makemigrations(project: Path, reps: int, cold_reps: int, report_ok=(0,)) -> dict:
    """``cold_reps=0`` (the large sizes, to fit the budget): the warm-up run is the one cold report."""
    cold(project)()
    first = run(DRIFTAUDIT, project, ENV, report_ok)  # warm-up: bytecode and state cache exist
    warm = alternate({"report": (DRIFTAUDIT, project, None, report_ok),
                      "makemigrations": (MAKEMIGRATIONS, project, None, (0,))}, reps)
    if cold_reps:
        cold_runs = alternate({"report": (DRIFTAUDIT, project, cold(project), report_ok),
                               "makemigrations": (MAKEMIGRATIONS, project, cold(project), (0,))}, cold_reps)
    else:
        cold_runs = {"report": {"wall": first[0], "rss": first[1], "runs": [round(first[0], 2)]},
                     "makemigrations": {"wall": float("nan"), "rss": float("nan"), "runs": []}}
    return {"warm": warm, "cold": cold_runs,
            "ratio_warm": warm["report"]["wall"] / warm["makemigrations"]["wall"],
            "ratio_cold": cold_runs["report"]["wall"] / cold_runs["makemigrations"]["wall"]}


BARE_FK_CHECK = ("import sqlite3, sys; c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); "
                 "c.execute('PRAGMA foreign_key_check').fetchall()")


def data_scan(project: Path, reps: int) -> dict:
    """Warm-up first (one rep at x2/x4): the x4 database (1.5 GB) does not stay in the page cache
    between sizes, and the cold synthetic runs emptied driftaudit's cache folder, so whichever
    command ran first paid the disk, and the first report paid a cold audit (and its RSS)."""
    db = str(project / "db.sqlite3")
    run([PY, "-c", BARE_FK_CHECK, db], project, ENV)
    run(DRIFTAUDIT + ["--no-data"], project, ENV, (0, 1))
    runs = alternate({
        "report": (DRIFTAUDIT, project, None, (0, 1)),
        "report --no-data": (DRIFTAUDIT + ["--no-data"], project, None, (0, 1)),
        "bare foreign_key_check": ([PY, "-c", BARE_FK_CHECK, db], project, None, (0,)),
        "python startup": ([PY, "-c", "import sqlite3"], project, None, (0,)),
        "report (empty db)": (DRIFTAUDIT + ["--db", str(project / "empty.sqlite3")], project, None, (0, 1)),
    }, reps)
    scan = runs["report"]["wall"] - runs["report --no-data"]["wall"]
    bare = runs["bare foreign_key_check"]["wall"] - runs["python startup"]["wall"]
    return {"runs": runs, "scan": scan, "bare": bare, "ratio": scan / bare,
            "rss_growth": runs["report"]["rss"] - runs["report (empty db)"]["rss"]}


# -- rebuild -------------------------------------------------------------------------------
# The change rebuilt: Order.number CharField(max_length=20) -> 40, through a new table.
NEW_TABLE = ('CREATE TABLE "new__shop_order" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, '
             '"number" varchar(40) NOT NULL, "amount" integer NOT NULL, "status" varchar(12) NOT NULL, '
             '"created" datetime NOT NULL, "customer_id" bigint NOT NULL REFERENCES "shop_customer" ("id") '
             'DEFERRABLE INITIALLY DEFERRED)')
COPY = ('INSERT INTO "new__shop_order" ("id", "number", "amount", "status", "created", "customer_id") '
        'SELECT "id", "number", "amount", "status", "created", "customer_id" FROM "shop_order"')
SWAP = ['DROP TABLE "shop_order"', 'ALTER TABLE "new__shop_order" RENAME TO "shop_order"',
        'CREATE INDEX "shop_order_customer_id_a1b2c3d4" ON "shop_order" ("customer_id")']
BARE = ["BEGIN", NEW_TABLE, COPY, *SWAP, "COMMIT"]

APPLY = ("import sqlite3, sys, json; c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "for s in json.loads(sys.argv[2]): c.execute(s).fetchall()\n")


def as_migrate_applies(statements: list[str], key_check: bool = True) -> list[str]:
    """The statements of a migration the way ``migrate`` runs them on SQLite: Django's schema
    editor turns key enforcement off outside the transaction, and its ``check_constraints()``
    runs ``PRAGMA foreign_key_check`` over the whole database before COMMIT (``key_check``)."""
    return ["PRAGMA foreign_keys = OFF", "BEGIN", *statements, *(["PRAGMA foreign_key_check"] if key_check else []),
            "COMMIT", "PRAGMA foreign_keys = ON"]


def ensure_rebuild_project(big: Path) -> Path:
    """The large database with the drift ``propose`` repairs by rebuilding ``shop_order``.

    A copy of the x1 project whose model says ``number`` is ``max_length=40`` and whose 0002
    migration says so too, but was applied with ``--fake``: the table still has ``varchar(20)``.
    The 25 deleted customers are restored first: ``migrate`` on SQLite checks every foreign key
    before COMMIT, so no migration at all can be applied to a database with orphans.
    """
    folder = WORK / "rebuild"
    token = source_token(bigdb, extra="rebuild 1")
    if stamp_ok(folder, token):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("bigproject", "shop", "manage.py"):
        (shutil.copytree if (big / name).is_dir() else shutil.copyfile)(big / name, folder / name)
    for cache in folder.rglob("__pycache__"):
        shutil.rmtree(cache)
    shutil.copyfile(big / "db.sqlite3", folder / "db.sqlite3")
    conn = sqlite3.connect(folder / "db.sqlite3")
    conn.execute("INSERT INTO shop_customer (id, name, email, created) SELECT DISTINCT o.customer_id, "
                 "'restored', '', '2024-01-01 00:00:00' FROM shop_order AS o WHERE NOT EXISTS "
                 "(SELECT 1 FROM shop_customer AS c WHERE c.id = o.customer_id)")
    conn.commit()
    conn.close()
    models = folder / "shop" / "models.py"
    models.write_text(models.read_text().replace("number = models.CharField(max_length=20)",
                                                 "number = models.CharField(max_length=40)"))
    for args in (["makemigrations", "shop", "-n", "longer_number", "-v", "0"], ["migrate", "--fake", "-v", "0"]):
        subprocess.run([PY, "manage.py", *args], cwd=folder, check=True, stdout=subprocess.DEVNULL)
    (folder / ".stamp").write_text(token)
    return folder


def proposed_statements(project: Path) -> list[str]:
    """The SQL of the migration ``driftaudit propose`` writes, in the order ``migrate`` runs it."""
    import importlib.util

    for old in (project / "shop" / "migrations").glob("*_driftaudit_*.py"):
        old.unlink()
    subprocess.run([PY, "-m", "driftaudit", "propose"], cwd=project, env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    (path,) = (project / "shop" / "migrations").glob("*_driftaudit_*.py")
    spec = importlib.util.spec_from_file_location("proposed_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a migration file imports django.db.migrations only

    def statements(operations):
        for op in operations:
            if hasattr(op, "database_operations"):
                yield from statements(op.database_operations)
            elif hasattr(op, "sql"):
                yield from ([op.sql] if isinstance(op.sql, str) else op.sql)
    found = list(statements(module.Migration.operations))
    if not any('"new__shop_order"' in s for s in found):
        raise SystemExit(f"{path} does not rebuild shop_order:\n" + "\n".join(found))
    return found


def rebuild(big: Path, reps: int) -> dict:
    project = ensure_rebuild_project(big)
    generated = proposed_statements(project)
    source, target = project / "db.sqlite3", WORK / "rebuild.sqlite3"

    def fresh():  # written to disk before the clock starts: its writeback must not overlap the run
        shutil.copyfile(source, target)
        with open(target, "rb+") as handle:
            os.fsync(handle.fileno())
    apply = lambda statements: ([PY, "-c", APPLY, str(target), json.dumps(statements)], WORK, fresh, (0,))  # noqa: E731
    runs = alternate({
        "driftaudit propose rebuild": apply(as_migrate_applies(generated, key_check=False)),
        "driftaudit propose rebuild + migrate's key check": apply(as_migrate_applies(generated)),
        "bare rebuild": apply(BARE),
    }, reps)
    target.unlink(missing_ok=True)
    bare = runs["bare rebuild"]["wall"]
    return {"runs": runs, "statements": generated, "ratio": runs["driftaudit propose rebuild"]["wall"] / bare,
            "ratio_with_check": runs["driftaudit propose rebuild + migrate's key check"]["wall"] / bare}


# -- fixtures ------------------------------------------------------------------------------
def stamp_ok(folder: Path, token: str) -> bool:
    return (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == token


def source_token(*modules, extra="") -> str:
    import hashlib
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules) + extra.encode()).hexdigest()


def ensure_synth(scale: int) -> Path:
    folder = WORK / f"synth{scale}"
    token = source_token(synth, extra=str(scale))
    if not stamp_ok(folder, token):
        print(f"  generating synthetic project x{scale}: {synth.generate(folder, scale, PY)}", flush=True)
        (folder / ".stamp").write_text(token)
    return folder


def ensure_bigdb(scale: int) -> Path:
    folder = WORK / f"big{scale}"
    token = source_token(bigdb, extra=str(scale))
    if not stamp_ok(folder, token):
        print(f"  generating large database x{scale}: {bigdb.generate(folder, scale, PY)}", flush=True)
        (folder / ".stamp").write_text(token)
    return folder


def ensure_cms() -> Path:
    import wagtail
    folder = WORK / "cms"
    token = f"wagtail {wagtail.__version__}"
    if not stamp_ok(folder, token):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        subprocess.run([str(Path(PY).parent / "wagtail"), "start", "cmsite", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=folder, check=True)
        (folder / ".stamp").write_text(token)
        print(f"  wagtail {wagtail.__version__} site: migrated", flush=True)
    return folder


def migration_count(project: Path) -> int:
    conn = sqlite3.connect(project / "db.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    finally:
        conn.close()


# -- results -------------------------------------------------------------------------------
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


def seconds(value: float) -> str:
    return "-" if value != value else f"{value:.2f} s"


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**missed**"


def write_results(facts: dict, results: dict, elapsed: float) -> None:
    lines = ["# driftaudit benchmark results", "",
             f"Written by `make bench` (`benchmarks/run.py`) in {elapsed / 60:.1f} min. Medians of alternating runs;",
             "wall time and peak RSS per child process (`os.wait4`).", "",
             "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in facts.items()]
    lines += ["", "## Ratios and targets", "", "| measurement | driftaudit | baseline | ratio | target | |",
              "|---|---|---|---|---|---|"]
    for name, r in results["report"].items():
        for mode in ("warm", "cold"):
            d, m = r[mode]["report"]["wall"], r[mode]["makemigrations"]["wall"]
            if m != m:  # NaN: not measured at this size (see report_vs_makemigrations)
                continue
            target = f"≤ {TARGETS['report']}×" if mode == "warm" else "-"
            mark = verdict(d / m, TARGETS["report"]) if mode == "warm" else ""
            lines.append(f"| report vs makemigrations --check, {name}, {mode} | {d:.2f} s | {m:.2f} s | "
                         f"{d / m:.2f}× | {target} | {mark} |")
    for scale, s in results["scan"].items():
        lines.append(f"| data scan vs PRAGMA foreign_key_check, DB ×{scale} | {s['scan']:.2f} s | {s['bare']:.2f} s | "
                     f"{s['ratio']:.2f}× | ≤ {TARGETS['scan']}× | {verdict(s['ratio'], TARGETS['scan'])} |")
    for scale, s in results["scan"].items():
        empty = s["runs"]["report (empty db)"]["rss"]
        lines.append(f"| peak RSS growth, empty → DB ×{scale} | {s['runs']['report']['rss']:.0f} MB | {empty:.0f} MB | "
                     f"+{s['rss_growth']:.1f} MB | ≤ +{TARGETS['rss_mb']} MB | {verdict(s['rss_growth'], TARGETS['rss_mb'])} |")
    rb = results["rebuild"]
    lines.append(f"| rebuild of the 5M-row table (the statements of `propose`'s migration, in order) | "
                 f"{rb['runs']['driftaudit propose rebuild']['wall']:.2f} s | {rb['runs']['bare rebuild']['wall']:.2f} s | "
                 f"{rb['ratio']:.2f}× | ≤ {TARGETS['rebuild']}× | {verdict(rb['ratio'], TARGETS['rebuild'])} |")
    checked = rb["runs"]["driftaudit propose rebuild + migrate's key check"]["wall"]
    lines.append(f"| the same + the whole-database key check `migrate` adds on SQLite (see note) | "
                 f"{checked:.2f} s | "
                 f"{rb['runs']['bare rebuild']['wall']:.2f} s | {rb['ratio_with_check']:.2f}× | - |  |")
    lines += ["", "## How cost grows", "", "| size | migrations | report warm | report cold | makemigrations warm | "
              "makemigrations cold | DB rows | data scan | bare fk check | report RSS |", "|---|---|---|---|---|---|---|---|---|---|"]
    for scale in results["scales"]:
        r, s = results["report"].get(f"synthetic ×{scale}"), results["scan"].get(scale)
        cells = [f"×{scale}"]
        if r:
            cells += [str(r["migrations"]), f"{r['warm']['report']['wall']:.2f} s", f"{r['cold']['report']['wall']:.2f} s",
                      f"{r['warm']['makemigrations']['wall']:.2f} s", seconds(r['cold']['makemigrations']['wall'])]
        else:
            cells += ["-"] * 5
        if s:
            cells += [f"{s['rows']:,}", f"{s['scan']:.2f} s", f"{s['bare']:.2f} s", f"{s['runs']['report']['rss']:.0f} MB"]
        else:
            cells += ["-"] * 4
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Every run (seconds)", "", "```", json.dumps(results, indent=1, default=str), "```", ""]
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text()]
    (HERE / "RESULTS.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    start = time.monotonic()
    WORK.mkdir(exist_ok=True)
    facts = machine()
    print(f"driftaudit benchmark on {facts['cores']} cores, SQLite {facts['sqlite']}, Django {facts['django']}", flush=True)
    results: dict = {"scales": scales, "report": {}, "scan": {}}

    cms = ensure_cms()
    print("measuring: wagtail site", flush=True)
    r = report_vs_makemigrations(cms, max(args.reps, 5), 2)  # ~1.5 s runs: more of them, less noise
    r["migrations"] = migration_count(cms)
    results["report"][f"wagtail {facts['wagtail']} site ({r['migrations']} migrations)"] = r

    for scale in scales:
        project = ensure_synth(scale)
        reps, cold_reps = (args.reps, 2) if scale == 1 else (1, 0)
        print(f"measuring: synthetic project x{scale}", flush=True)
        r = report_vs_makemigrations(project, reps, cold_reps)
        r["migrations"] = migration_count(project)
        results["report"][f"synthetic ×{scale}"] = r

    for scale in scales:
        project = ensure_bigdb(scale)
        print(f"measuring: data scan x{scale}", flush=True)
        s = data_scan(project, args.reps if scale == 1 else 1)
        s["rows"] = (bigdb.CUSTOMERS + bigdb.ORDERS) * scale
        results["scan"][scale] = s
        if scale == 1:
            print("measuring: rebuild", flush=True)
            results["rebuild"] = rebuild(project, args.reps)

    write_results(facts, results, time.monotonic() - start)
    print(f"wrote {HERE / 'RESULTS.md'} in {(time.monotonic() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
