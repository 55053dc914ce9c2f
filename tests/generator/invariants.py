"""The four promises every generated case must keep (issue 13), checked with real commands.

1. a database made by honest ``migrate`` has no warning or error finding;
2. every drifted table has a warning or error finding, with a cause the case made;
3. ``report`` leaves the database byte-identical (no journal or WAL files either);
4. ``propose`` with default settings, then ``manage.py migrate``, succeed; the report after is
   clean; ``makemigrations --check`` passes; the schema equals a fresh ``migrate`` of the same
   models (driftaudit's own tables aside); every row survives, in its table or a backup table.

"Drifted" is decided without driftaudit: the database's PRAGMA schema against a fresh
``migrate`` of the same models in a copy of the project with freshly made migrations.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.workspace import Workspace, read_schema

SERIOUS = ("warning", "error")


def fresh_schema(ws: Workspace) -> dict:
    """The schema a fresh ``makemigrations`` + ``migrate`` of the current models gives."""
    copy = ws.root.parent / (ws.root.name + "-fresh")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(ws.root, copy, ignore=shutil.ignore_patterns("db.sqlite3*", "migrations", "__pycache__"))
    fresh = Workspace(copy, ws.features, ws.python)
    for models in copy.glob("*/models.py"):
        (models.parent / "migrations").mkdir()
        (models.parent / "migrations" / "__init__.py").touch()
    fresh.makemigrations()
    fresh.manage("migrate", "--noinput")
    schema = read_schema(fresh.db)
    shutil.rmtree(copy, ignore_errors=True)
    return schema


def differing(a: dict, b: dict) -> set[str]:
    return {t for t in set(a) | set(b) if a.get(t) != b.get(t)}


def report(ws: Workspace) -> tuple[int, list[dict], str]:
    code, data, err = report_data(ws)
    return code, (data or {}).get("findings", []), err


def report_data(ws: Workspace) -> tuple[int, dict | None, str]:
    """``report --format json``: exit code, the JSON report (``None``: none printed), stderr."""
    run = ws.driftaudit("report", "--format", "json")
    try:
        data = json.loads(run.stdout)
        data["findings"]  # noqa: B018 - a report, not some other JSON
        return run.returncode, data, run.stderr
    except (ValueError, KeyError, TypeError):
        return run.returncode, None, (run.stderr or run.stdout).strip()


def names_table(finding: dict, table: str) -> bool:
    if (finding.get("table") or "").lower() == table:
        return True
    if table in [t.lower() for t in (finding.get("sources") or {}).get("tables", [])]:
        return True  # the tables a pending model change touches
    app = (finding.get("app") or "").lower()
    if finding["kind"] == "pending-model-change" and app and table.startswith(app + "_"):
        # one finding per app tells what makemigrations would write, model by model
        return table[len(app) + 1:] in (finding.get("explanation") or "").lower()
    # the sources (an unapplied migration's lists what it makes) or the explanation name it
    text = json.dumps(finding.get("sources") or {}).lower() + " " + (finding.get("explanation") or "").lower()
    return re.search(rf"(?<![\w.]){re.escape(table)}(?![\w])", text) is not None


def check(honest: bool, ws: Workspace, played) -> list[str]:
    """Every broken promise, one line each (empty: the case holds)."""
    causes = played.causes
    failures = []
    truth = fresh_schema(ws)
    actual = ws.schema()
    drifted = differing(truth, actual)
    digest, side = ws.digest(), ws.side_files()
    code, data, err = report_data(ws)
    findings = (data or {}).get("findings", [])
    if code not in (0, 1):
        return [f"report exited {code}: {err.splitlines()[-1] if err else '?'}"]
    if ws.digest() != digest or ws.side_files() != side:
        failures.append("invariant 3: report changed the database file or left journal files")
    serious = [f for f in findings if f["severity"] in SERIOUS]
    if honest and serious:
        failures.append("invariant 1: honest database has findings: " +
                        "; ".join(f"{f['rule']} {f['kind']} {f['table'] or f['migration']}" for f in serious))
    every_cause = set().union(*causes.values()) if causes else set()
    for table in sorted(drifted):
        if _follows_a_renamed_parent(table, truth, actual, serious):
            continue
        about = [f for f in serious if names_table(f, table)]
        if not about:
            failures.append(f"invariant 2: drifted table {table} has no warning or error finding")
            continue
        allowed = causes.get(table, every_cause) | causes.get("*", set())
        if not any(f["cause"] in allowed for f in about):
            failures.append(f"invariant 2: {table}: causes {sorted({f['cause'] for f in about})}, "
                            f"the case made {sorted(allowed)}")
    failures += _repair(ws, truth, played.user_drops, (code, data, err))
    return failures


def _follows_a_renamed_parent(table: str, truth: dict, actual: dict, serious: list[dict]) -> bool:
    """The table differs only in the names its keys reference, each a parent table the report
    finds renamed: renaming the parent (SQLite rewrites the references) repairs it too."""
    want, have = truth.get(table), actual.get(table)
    if want is None or have is None or {k for k in want if want[k] != have[k]} != {"fks"}:
        return False
    parents = {fk[0] for fk in have["fks"] - want["fks"]}
    # the rename as a finding, or as what an unapplied migration makes (sources["makes"])
    renames = [f for f in serious if f["kind"] == "renamed-table"] + \
        [{**m, "sources": m} for f in serious for m in (f.get("sources") or {}).get("makes", [])
         if m["kind"] == "renamed-table"]
    return all(any(names_table(r, parent) for r in renames) for parent in parents)


#: audit -> next steps rounds before the project must be clean: a faked change hidden behind an
#: unapplied rename shows only once ``migrate`` has run the rename (seed 9183)
ROUNDS = 3


def _repair(ws: Workspace, truth: dict, user_drops: set, audited: tuple[int, dict | None, str]) -> list[str]:
    """The report's ``next_steps``, run as printed (``verify`` included: after ``propose`` it
    tries the written files on a copy), then the audit again and its steps, as the contract
    says, until it gives none (at most ``ROUNDS``); then the repaired project is checked.
    ``audited``: the report of the database as it is now, its first round's."""
    before = ws.rows()
    latest = audited
    for _ in range(ROUNDS):
        latest = latest or report_data(ws)
        code, data, err = latest
        if data is None or "next_steps" not in data:
            return [f"invariant 4: report gave no next_steps: {err[-200:]}"]
        steps = data["next_steps"]
        if not steps:
            break
        latest = None  # the steps change the project: audit it again
        for step in steps:
            argv = step["argv"]
            if argv is None:
                return [f"invariant 4: a step no command does: {step['why'][:300]}"]
            done = ws.driftaudit(*argv[1:]) if argv[0] == "driftaudit" else ws.run(*argv[1:], stdin="") \
                if argv[:2] == ["python", "manage.py"] else None
            if done is None:
                return [f"invariant 4: next step is not a driftaudit or manage.py command: {argv}"]
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()
                return [f"invariant 4: `{' '.join(argv)}` exited {done.returncode}: " + " | ".join(tail[-4:])]
    failures = []
    # a run of its own even when the loop's last report said the same: the state cache is warm
    # now, and a warm audit must agree with the cold one (issue 13: a warm FileField was drift)
    code, findings, err = report(ws)
    left = [f for f in findings if f["severity"] in SERIOUS and not f.get("accepted")]
    if code not in (0, 1):
        failures.append(f"invariant 4: report after repair exited {code}: {err[-200:]}")
    elif left:
        failures.append("invariant 4: not clean after repair: " +
                        "; ".join(f"{f['rule']} {f['kind']} {f['table'] or f['migration']}" for f in left))
    check_run = ws.manage("makemigrations", "--check", "--dry-run", check=False)
    if check_run.returncode != 0:
        failures.append("invariant 4: makemigrations --check after repair: " + " ".join(check_run.stdout.split())[:200])
    after_schema = ws.schema()
    for table in sorted(differing(truth, after_schema)):
        failures.append(f"invariant 4: schema of {table} differs from a fresh migrate")
    failures += rows_survive({t: rows for t, rows in before.items() if t not in user_drops}, ws.rows())
    return failures


def rows_survive(before: dict, after: dict) -> list[str]:
    out = []
    for table, rows in sorted(before.items()):
        if table.startswith(("django_", "auth_", "sqlite_", "driftaudit_")) or not rows:
            continue
        keepers = [t for t in after if t == table or (t.startswith("driftaudit_") and table in t)]
        if "id" in rows[0]:
            ids = {r["id"] for r in rows}
            kept = {r.get("id") for t in keepers for r in after[t]}
            lost = ids - kept
            # (a renamed table keeps the rest: quarantined rows under the old name, others moved)
            if lost and not _renamed_away(table, [r for r in rows if r["id"] in lost], after):
                out.append(f"invariant 4: {len(lost)} row(s) of {table} lost (ids {sorted(lost)[:5]})")
        elif sum(len(after[t]) for t in keepers) < len(rows) and not _renamed_away(table, rows, after):
            out.append(f"invariant 4: rows of {table} lost ({len(rows)} before)")
    return out


def _renamed_away(table: str, rows: list[dict], after: dict) -> bool:
    """The table was renamed by the repair: some table now holds all its rows (by content)."""
    wanted = {json.dumps(r, sort_keys=True, default=str) for r in rows}
    for t, other in after.items():
        if t != table and len(other) >= len(rows):
            have = {json.dumps(r, sort_keys=True, default=str) for r in other}
            if wanted <= have or ({r.get("id") for r in rows} <= {r.get("id") for r in other} and "id" in rows[0]
                                  and set(rows[0]) & set(other[0]) - {"id"}):
                return True
    return False


def write_replay(root: Path, seed: int, failures: list[str]) -> None:
    (root / "FAILED.txt").write_text("\n".join(failures) + "\n")
