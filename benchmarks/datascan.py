"""The data scan on the large database (``bigdb.py``): driftaudit's row checks vs a bare
``PRAGMA foreign_key_check``, its peak RSS vs the same report on the empty twin, and the cost
of ``report --no-data``, which reads the schema only and so must not grow with the rows."""

from __future__ import annotations

from pathlib import Path

from measure import DRIFTAUDIT, ENV, PY, Case, alternate, run

BARE_FK_CHECK = ("import sqlite3, sys; c = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True); "
                 "c.execute('PRAGMA foreign_key_check').fetchall()")


def data_scan(project: Path, reps: int) -> dict:
    """Warm-up first: a large database does not stay in the page cache between sizes, so
    whichever command ran first would pay the disk; and the first report of the project would
    be a cold audit. Scan = median(report) - median(report --no-data); bare = median(python +
    the pragma) - median(python startup)."""
    db = str(project / "db.sqlite3")
    run([PY, "-c", BARE_FK_CHECK, db], project, ENV)
    run(DRIFTAUDIT + ["--no-data"], project, ENV, (0, 1))
    runs = alternate({
        "report": Case(DRIFTAUDIT, project, ok=(0, 1)),
        "report --no-data": Case(DRIFTAUDIT + ["--no-data"], project, ok=(0, 1)),
        "bare foreign_key_check": Case([PY, "-c", BARE_FK_CHECK, db], project),
        "python startup": Case([PY, "-c", "import sqlite3"], project),
        "report (empty db)": Case(DRIFTAUDIT + ["--db", str(project / "empty.sqlite3")], project, ok=(0, 1)),
    }, reps)
    scan = runs["report"]["wall"] - runs["report --no-data"]["wall"]
    bare = runs["bare foreign_key_check"]["wall"] - runs["python startup"]["wall"]
    return {"runs": runs, "scan": scan, "bare": bare, "ratio": scan / bare,
            "rss_growth": runs["report"]["rss"] - runs["report (empty db)"]["rss"],
            "mb": round((project / "db.sqlite3").stat().st_size / 1e6)}


def no_data_by_size(projects: dict, reps: int) -> dict:
    """``report --no-data`` on every size, alternated in one loop (after a warm-up each): measured
    apart, minutes from each other and next to scans that fill the page cache with rows, the
    sizes differed by ~0.1 s either way (benchmarks/NOTES.md)."""
    for project in projects.values():
        run(DRIFTAUDIT + ["--no-data"], project, ENV, (0, 1))
    runs = alternate({str(scale): Case(DRIFTAUDIT + ["--no-data"], project, ok=(0, 1))
                      for scale, project in projects.items()}, reps)
    return {scale: runs[str(scale)] for scale in projects}
