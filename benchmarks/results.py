"""RESULTS.md: every measurement as a ratio against an anchor of the same run, with its target
and met / missed; then how each cost grows per axis; then every run as JSON; then NOTES.md.

Every figure here is computed from the run's results: nothing is typed in by hand."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: the issue's targets (issue 16) and the earlier ones kept (rebuild, RSS growth)
TARGETS = {"cold": 1.0, "warm": 0.9, "upgrade_cold": 1.1, "upgrade_median": 1.0, "per_extra_db": 0.05,
           "scan": 1.1, "no_data": 1.1, "rebuild": 1.2, "rss_mb": 50}


def s(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f} s"


def x(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}×"


def verdict(value: float, target: float) -> str:
    return "" if math.isnan(value) else ("met" if value <= target else "**missed**")


def row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def ratio_rows(out: dict) -> list[str]:
    lines = ["| measurement | driftaudit | anchor | ratio | target | |", "|---|---|---|---|---|---|"]
    for name, r in out["report"].items():
        for mode in ("cold", "warm"):
            d, m = r[mode]["report"]["wall"], r[mode]["makemigrations"]["wall"]
            lines.append(row(f"report vs makemigrations --check, {name}, {mode}", s(d), s(m), x(d / m),
                             f"≤ {TARGETS[mode]}×", verdict(d / m, TARGETS[mode])))
    if out.get("upgrades"):
        colds = []
        for name, r in out["upgrades"].items():
            d, m = r["cold"]["report"]["wall"], r["cold"]["makemigrations"]["wall"]
            colds.append(d / m)
            lines.append(row(f"upgrade {name} {r['release']} + migrate --fake, cold (report exit "
                             f"{'/'.join(map(str, r['cold']['report']['exit']))})", s(d), s(m), x(d / m),
                             f"≤ {TARGETS['upgrade_cold']}×", verdict(d / m, TARGETS["upgrade_cold"])))
        for name, r in out["upgrades"].items():
            d, m = r["warm"]["report"]["wall"], r["warm"]["makemigrations"]["wall"]
            lines.append(row(f"upgrade {name}, warm", s(d), s(m), x(d / m), "-", ""))
        median = statistics.median(colds)
        lines.append(row(f"upgrades: median of the {len(colds)} cold ratios", "", "", x(median),
                         f"≤ {TARGETS['upgrade_median']}×", verdict(median, TARGETS["upgrade_median"])))
    many = out.get("many")
    if many:
        for n, e in many["per_n"].items():
            if int(n) == 1:
                continue
            for mode in ("warm", "cold"):
                r = e[mode]
                lines.append(row(f"{n} databases `--no-data`, {mode}: cost per extra database, in single audits "
                                 f"(bound {s(e[f'bound_{mode}'])})", s(r["many"]["wall"]),
                                 f"{s(r['single']['wall'])} (one audit)", f"{e[f'per_extra_{mode}']:.3f}",
                                 f"≤ {TARGETS['per_extra_db']}", verdict(e[f"per_extra_{mode}"], TARGETS["per_extra_db"])))
        # memory: the largest single process (GNU time %M) from the smallest N; the sum over the
        # process tree from the smallest N that has workers (one database is audited in-process)
        counts = sorted(many["per_n"], key=int)
        first = many["per_n"][counts[0]]
        for n in counts[1:]:
            e = many["per_n"][n]
            growth = e["warm"]["many"]["rss"] - first["warm"]["many"]["rss"]
            lines.append(row(f"peak RSS of the largest process, {counts[0]} → {n} databases",
                             f"{e['warm']['many']['rss']:.0f} MB", f"{first['warm']['many']['rss']:.0f} MB",
                             f"+{growth:.1f} MB", f"≤ +{TARGETS['rss_mb']} MB", verdict(growth, TARGETS["rss_mb"])))
        pooled = [n for n in counts if many["per_n"][n]["processes"] > 1]
        for n in pooled[1:]:
            e, base = many["per_n"][n], many["per_n"][pooled[0]]
            growth = e["sum_rss"] - base["sum_rss"]
            lines.append(row(f"peak RSS summed over the process tree, {pooled[0]} → {n} databases",
                             f"{e['sum_rss']:.0f} MB", f"{base['sum_rss']:.0f} MB", f"+{growth:.1f} MB",
                             f"≤ +{TARGETS['rss_mb']} MB", verdict(growth, TARGETS["rss_mb"])))
    scans = out.get("scan") or {}
    for scale, r in scans.items():
        lines.append(row(f"data scan vs PRAGMA foreign_key_check, DB ×{scale} ({r['rows']:,} rows, {r['mb']} MB)",
                         s(r["scan"]), s(r["bare"]), x(r["ratio"]), f"≤ {TARGETS['scan']}×",
                         verdict(r["ratio"], TARGETS["scan"])))
    for scale, r in scans.items():
        empty = r["runs"]["report (empty db)"]["rss"]
        lines.append(row(f"peak RSS growth of report, empty → DB ×{scale}", f"{r['runs']['report']['rss']:.0f} MB",
                         f"{empty:.0f} MB", f"+{r['rss_growth']:.1f} MB", f"≤ +{TARGETS['rss_mb']} MB",
                         verdict(r["rss_growth"], TARGETS["rss_mb"])))
    no_data = out.get("no_data") or {scale: r["runs"]["report --no-data"] for scale, r in scans.items()}
    if len(no_data) > 1:
        smallest = min(no_data, key=float)
        base = no_data[smallest]["wall"]
        for scale, r in no_data.items():
            if scale == smallest:
                continue
            t = r["wall"]
            lines.append(row(f"report --no-data, DB ×{scale} vs ×{smallest} (independent of the rows)", s(t), s(base),
                             x(t / base), f"≤ {TARGETS['no_data']}×", verdict(t / base, TARGETS["no_data"])))
    rb = out.get("rebuild")
    if rb:
        bare = rb["runs"]["bare rebuild"]["wall"]
        rows = f"{int(5_000_000 * rb.get('scale', 1)):,}"
        lines.append(row(f"rebuild of the {rows}-row table (the statements of `propose`'s migration, in order)",
                         s(rb["runs"]["driftaudit propose rebuild"]["wall"]), s(bare), x(rb["ratio"]),
                         f"≤ {TARGETS['rebuild']}×", verdict(rb["ratio"], TARGETS["rebuild"])))
        lines.append(row("the same + the whole-database key check `migrate` adds on SQLite (see note)",
                         s(rb["runs"]["driftaudit propose rebuild + migrate's key check"]["wall"]), s(bare),
                         x(rb["ratio_with_check"]), "-", ""))
    return lines


def growth_rows(out: dict) -> list[str]:
    lines = []
    synth = {k: v for k, v in out["report"].items() if k.startswith("synthetic")}
    if synth:
        lines += ["", "### Models and migrations (synthetic project)", "",
                  row("size", "models", "migrations", "report cold", "makemigrations cold", "report warm",
                      "makemigrations warm", "report RSS (warm)"), "|---|---|---|---|---|---|---|---|"]
        for name, r in synth.items():
            lines.append(row(name.split()[-1], r["models"], r["migrations"], s(r["cold"]["report"]["wall"]),
                             s(r["cold"]["makemigrations"]["wall"]), s(r["warm"]["report"]["wall"]),
                             s(r["warm"]["makemigrations"]["wall"]), f"{r['warm']['report']['rss']:.0f} MB"))
    scans = out.get("scan") or {}
    if scans:
        lines += ["", "### Rows (large database)", "",
                  row("size", "rows", "file", "data scan", "bare fk check", "report --no-data", "report RSS",
                      "RSS on the empty twin"), "|---|---|---|---|---|---|---|---|"]
        for scale, r in scans.items():
            lines.append(row(f"×{scale}", f"{r['rows']:,}", f"{r['mb']} MB", s(r["scan"]), s(r["bare"]),
                             s(r["runs"]["report --no-data"]["wall"]), f"{r['runs']['report']['rss']:.0f} MB",
                             f"{r['runs']['report (empty db)']['rss']:.0f} MB"))
    many = out.get("many")
    if many:
        lines += ["", "### Databases (copies of the Wagtail site's database, `--no-data`)", "",
                  row("databases", "cold", "bound cold", "warm", "bound warm", "one audit cold / warm",
                      "largest process RSS", "tree RSS (sum, polled)", "processes"),
                  "|---|---|---|---|---|---|---|---|---|"]
        for n, e in many["per_n"].items():
            lines.append(row(n, s(e["cold"]["many"]["wall"]), s(e["bound_cold"]), s(e["warm"]["many"]["wall"]),
                             s(e["bound_warm"]), f"{s(e['cold']['single']['wall'])} / {s(e['warm']['single']['wall'])}",
                             f"{e['warm']['many']['rss']:.0f} MB", f"{e['sum_rss']:.0f} MB", e["processes"]))
        if many["problems"]:
            lines += ["", "Problems in the many-database reports:", ""] + [f"- {p}" for p in many["problems"]]
    return lines


def write(path: Path, facts: dict, out: dict, elapsed: float) -> None:
    lines = ["# driftaudit benchmark results", "",
             (f"Written by `benchmarks/run.py` (parts: {', '.join(out['parts'])}) in {elapsed / 60:.1f} min. "
              "Medians of alternating runs;"), "wall time and peak RSS per child process (GNU time `%M`).", "",
             "| machine | |", "|---|---|"]
    lines += [row(k, v) for k, v in facts.items()]
    lines += ["", "## Ratios and targets", "", *ratio_rows(out), "", "## How cost grows", *growth_rows(out),
              "", "## Every run (seconds)", "", "```", json.dumps(out, indent=1, default=str), "```", ""]
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text()]
    path.write_text("\n".join(lines))
