"""The command line of many databases: ``report`` and ``propose`` with a ``--db`` glob or
several ``--db``, ``--jobs``, ``--shard``; and ``merge``. Like :mod:`driftaudit.cli` it only
parses, calls :mod:`driftaudit.many` and renders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from driftaudit.errors import AuditError


def add_options(parser, shard: bool = True) -> None:
    group = parser.add_argument_group("several databases (a --db glob, or --db repeated)")
    group.add_argument("--jobs", metavar="N", type=_positive, default=None,
                       help="audit N databases at a time in worker processes (default: the number of cores; "
                            "1: one after another in this process)")
    if shard:
        group.add_argument("--shard", metavar="K/N", default=None,
                           help="audit only share K of N of the databases (stable: by a hash of each path, "
                                "relative to the glob's folder), for a CI matrix; `driftaudit merge` joins the shares")


def _positive(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: give a number of processes, 1 or more")
    return int(text)


def wants_many(args) -> bool:
    """Several databases: a glob, ``--db`` repeated, or ``--shard``; one plain ``--db FILE``
    keeps the single-database report exactly as it was."""
    from driftaudit.many.select import is_pattern

    dbs = args.db or []
    return len(dbs) > 1 or any(is_pattern(d) for d in dbs) or bool(getattr(args, "shard", None))


def one_db(args) -> str | None:
    """The one ``--db FILE`` of a command that audits one database."""
    if not args.db:
        return None
    if wants_many(args):
        raise AuditError(f"{args.command} works on one database: give one --db FILE (several databases: "
                         "driftaudit report or driftaudit propose)")
    return args.db[0]


def _targets(args) -> list[str]:
    from driftaudit.many.select import expand, parse_shard, shard

    if not args.db:
        raise AuditError("--shard splits the databases of --db: give --db 'PATTERN' (or several --db FILE)")
    if args.database != "default":
        raise AuditError(f"--db and --database {args.database} contradict each other: --db audits those files "
                         "instead of a configured database; give only one")
    targets = expand(args.db)
    if getattr(args, "shard", None):
        targets = shard(targets, *parse_shard(args.shard))
    return [t.path for t in targets]


def _selection(args):
    from driftaudit.api import _selection as selection

    fix = {key: getattr(args, f"on_{key}") for key in ("orphans", "duplicates", "nulls", "check_violations")
           if getattr(args, f"on_{key}", None)}
    return selection(args.project, args.settings, args.database, None, args.config, fix)


def _jobs(args) -> int:
    from driftaudit.many.run import default_jobs

    return args.jobs or default_jobs()


# -- report --------------------------------------------------------------------------------
def report_many(args, fmt: str) -> int:
    from driftaudit.explain.many import many_json
    from driftaudit.many.run import audit_many
    from driftaudit.report.jsonl import aggregate_lines, database_lines
    from driftaudit.report.many import render_many
    from driftaudit.report.progress import DatabasesBar
    from driftaudit.report.terminal import text_options

    if args.no_db:
        raise AuditError("--no-db reads no database; leave out --db")
    paths = _targets(args)
    bar = DatabasesBar(len(paths))
    out = _open_output(args.output)
    audits = []
    try:
        for audit in audit_many(_selection(args), paths, _jobs(args), data=not args.no_data, on_start=bar.start):
            audits.append(audit)
            bar.advance(audit.path)
            if fmt == "jsonl":  # streamed: each database as soon as it is audited
                out.write(database_lines(audit.to_json()))
                out.flush()
    finally:
        bar.stop()
    if fmt == "jsonl":
        out.write(aggregate_lines(many_json([a.to_json() for a in audits])["aggregate"]))
    else:
        out.write(render_many(audits, fmt, **text_options(args.color, args.verbose, None if args.output else sys.stdout)))
    if out is not sys.stdout:
        out.close()
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append(os.environ["GITHUB_STEP_SUMMARY"], render_many(audits, "markdown"))
    return max((a.exit_code(args.fail_on) for a in audits), default=0)


def _open_output(path: str | None):
    if not path:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"cannot write the report to {path}: {exc.strerror}") from None


def _append(path: str, text: str) -> None:
    try:
        with Path(path).open("a", encoding="utf-8") as summary:
            summary.write(text + "\n")
    except OSError as exc:
        raise AuditError(f"cannot append the job summary to {path} (GITHUB_STEP_SUMMARY): {exc.strerror}") from None


# -- merge ---------------------------------------------------------------------------------
def merge(args) -> int:
    import json

    from driftaudit.explain.many import many_exit_code
    from driftaudit.many.merge import merge_reports

    data = merge_reports(args.reports)
    text = json.dumps(data, indent=2, default=str) + "\n"
    if args.output:
        out = _open_output(args.output)
        out.write(text)
        out.close()
    else:
        sys.stdout.write(text)
    return many_exit_code(data, args.fail_on)


# -- propose -------------------------------------------------------------------------------
def propose_many(args) -> int:
    """One repair written only when every database needs exactly the same one (its SQL, state
    operations and place in the graph); else nothing is written, exit 1, and the databases are
    listed by the repair each needs."""
    from driftaudit.many.run import propose_many as plan_each
    from driftaudit.report.progress import DatabasesBar

    if args.format == "json":
        raise AuditError("propose --format json works on one database; with several, use the text output")
    paths = _targets(args)
    if not paths:
        raise AuditError("no database to propose a repair for (--shard left none)")
    bar = DatabasesBar(len(paths))
    plans = []
    try:
        for plan in plan_each(_selection(args), paths, _jobs(args), args.app, args.name, on_start=bar.start):
            plans.append(plan)
            bar.advance(plan.path)
    finally:
        bar.stop()
    plans.sort(key=lambda p: p.path)
    failed = [p for p in plans if p.error]
    if failed:
        for plan in failed:
            print(f"driftaudit: error: {plan.path}: {plan.error}", file=sys.stderr)
        print(f"driftaudit: nothing written: {len(failed)} of {len(plans)} databases could not be read",
              file=sys.stderr)
        return 2
    groups: dict[tuple, list] = {}
    for plan in plans:
        groups.setdefault(plan.signature, []).append(plan)
    if len(groups) > 1:
        sys.stderr.write(_differences(list(groups.values())))
        return 1
    return _one_repair(args, plans)


def _differences(groups: list[list]) -> str:
    from driftaudit.report.many import shown

    total = sum(len(g) for g in groups)
    lines = [f"driftaudit: the {total} databases need {len(groups)} different repairs; nothing written."]
    for i, members in enumerate(sorted(groups, key=lambda g: (-len(g), g[0].path)), 1):
        first = members[0]
        lines.append(f"repair {i}, for {len(members)} of {total} databases:")
        lines += [f"    {shown(m.path)}" for m in members]
        if first.problems:
            lines += [f"  refused: {line.strip()}" for line in first.problems.splitlines()]
        elif not first.summary:
            lines.append("  nothing to repair")
        for file, steps in first.summary:
            lines.append(f"  {shown(file)}:")
            lines += [f"    - {step}" for step in steps] or ["    - state operations only"]
    lines.append("One repair migration in the code serves only databases that need the same repair: bring them "
                 "to one state first (`driftaudit report --db FILE --verbose` tells each one's story), then "
                 "propose again.")
    return "\n".join(lines) + "\n"


def _one_repair(args, plans) -> int:
    from driftaudit.repair.plan import Plan
    from driftaudit.repair.propose import Proposal
    from driftaudit.repair.wording import say

    plan, count = plans[0], len(plans)
    everyone = f"(the same for all {count} databases)"
    if plan.problems:
        sys.stderr.write(plan.problems)
        print(everyone, file=sys.stderr)
        return 1
    if args.sql:
        sys.stdout.write(plan.sql if plan.files else say("message", "nothing") + "\n")
        return 0
    if not plan.files:
        print(f"{say('message', 'nothing')} {everyone}")
        if plan.pending:
            print(say("message", "pending", count=len(plan.pending), names=", ".join(plan.pending)))
        return 0
    files = {Path(path): text for path, text in plan.files}
    if args.dry_run:
        for path, text in files.items():
            print(say("message", "dry_run", path=path))
            print(text)
        return 0
    for path in Proposal(Plan((), (), {}, {}), files, "", Path(".")).write():
        print(say("message", "wrote", path=path))
    print(f"one repair for all {count} databases; it records no row counts (each database has its own): "
          f"run `python manage.py migrate` against each of them")
    return 0
