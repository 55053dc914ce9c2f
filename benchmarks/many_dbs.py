"""Many databases, one code base: ``report --no-data --db 'DIR/*.sqlite3'`` over N copies of the
Wagtail site's database, against one single-database ``report --no-data`` timed in the same round.

The issue's bound: cost(N) <= one audit + 5% of one audit per extra database, i.e.
``(cost(N) - single) / ((N - 1) * single) <= 0.05``; and memory flat in N. The copies are
the migrated site's database; every fifth one is drifted with plain sqlite3, cycling through
four kinds (below), so the aggregate has findings to group and some databases are clean.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

from fixtures import source_token, stamp_ok
from measure import (
    COLD_ENV,
    DRIFTAUDIT,
    ENV,
    WORK,
    Case,
    alternate,
    cold,
    run,
    tree_rss,
)


def _drop_index(conn):
    (name,) = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           "AND tbl_name = 'wagtailcore_page' ORDER BY name LIMIT 1").fetchone()
    conn.execute(f'DROP INDEX "{name}"')


def _add_table(conn):
    conn.execute('CREATE TABLE "legacy_notes" ("id" integer NOT NULL PRIMARY KEY, "body" text NOT NULL)')


def _forget_migration(conn):
    """The last record of a plain migration (the very last row is a squashed migration's, which
    Django still counts as applied while the migrations it replaces are recorded)."""
    conn.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations "
                 "WHERE name NOT LIKE '%squashed%')")


def _add_column(conn):
    conn.execute('ALTER TABLE "wagtailcore_page" ADD COLUMN "legacy_flag" integer NULL')


DRIFTS = (_drop_index, _add_table, _forget_migration, _add_column)


def drift_of(i: int):
    """The drift of copy ``i`` (0-based), or None: every fifth copy, the kinds in turn."""
    return DRIFTS[(i // 5) % len(DRIFTS)] if i % 5 == 4 else None


def ensure_copies(cms: Path, n: int) -> Path:
    folder = WORK / "many" / f"n{n}"
    source = cms / "db.sqlite3"
    token = source_token(sys.modules[__name__], extra=f"{n} {source.stat().st_size} {source.stat().st_mtime_ns}")
    if stamp_ok(folder, token):
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(n):
        target = folder / f"site{i:03d}.sqlite3"
        shutil.copyfile(source, target)
        if drift := drift_of(i):
            conn = sqlite3.connect(target)
            drift(conn)
            conn.commit()
            conn.close()
    (folder / ".stamp").write_text(token)
    return folder


def check_output(stdout: bytes, n: int) -> list[str]:
    """What is wrong with the many-database JSON report of ``n`` copies (empty: nothing)."""
    try:
        data = json.loads(stdout)
    except ValueError as exc:
        return [f"N={n}: output is not JSON ({exc})"]
    summary, problems = data.get("summary", {}), []
    drifted = sum(1 for i in range(n) if drift_of(i))
    if summary.get("databases") != n:
        problems.append(f"N={n}: summary.databases is {summary.get('databases')}")
    if summary.get("failed"):
        errors = [e.get("error", "")[:200] for e in data.get("databases", []) if "error" in e]
        problems.append(f"N={n}: {summary['failed']} databases failed: {errors[:3]}")
    if summary.get("with_findings") != drifted:
        problems.append(f"N={n}: {summary.get('with_findings')} databases with findings, {drifted} drifted")
    return problems


def measure(cms: Path, counts: list[int], reps: int) -> dict:
    """Per N: warm and cold wall time of the many-database run and of one single audit,
    alternated; one more (untimed) run of each polled for the summed RSS of its process tree."""
    single = DRIFTAUDIT + ["--no-data"]
    run(single, cms, ENV, (0, 1))  # warm-up
    results: dict = {"counts": counts, "per_n": {}, "problems": []}
    for n in counts:
        folder = ensure_copies(cms, n)
        many = DRIFTAUDIT + ["--no-data", "--format", "json", "--db", str(folder / "*.sqlite3")]
        print(f"measuring: {n} databases", flush=True)
        run(many, cms, ENV, (0, 1))  # warm-up of this size
        warm = alternate({"single": Case(single, cms, ok=(0, 1)), "many": Case(many, cms, ok=(0, 1))}, reps)
        cold_runs = alternate({"single": Case(single, cms, cold(cms), (0, 1), COLD_ENV),
                               "many": Case(many, cms, cold(cms), (0, 1), COLD_ENV)}, reps)
        run(single, cms, ENV, (0, 1))  # the cache warm again
        polled = tree_rss(many, cms, ENV)
        polled_single = tree_rss(single, cms, ENV)
        results["problems"] += check_output(polled["stdout"], n)
        entry = {"warm": warm, "cold": cold_runs, "sum_rss": polled["sum_rss"], "processes": polled["processes"],
                 "single_sum_rss": polled_single["sum_rss"]}
        for mode, r in (("warm", warm), ("cold", cold_runs)):
            one, cost = r["single"]["wall"], r["many"]["wall"]
            entry[f"bound_{mode}"] = one * (1 + 0.05 * (n - 1))
            entry[f"per_extra_{mode}"] = (cost - one) / ((n - 1) * one) if n > 1 else float("nan")
        results["per_n"][n] = entry
    return results
