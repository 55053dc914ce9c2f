"""The ``driftaudit`` command line (also behind ``python manage.py driftaudit``).

Exit codes (the contract): 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 the audit could not run - one line on stderr, no traceback unless ``--traceback``.

The command line only parses arguments, calls :mod:`driftaudit.api` and renders what it
returns with :mod:`driftaudit.report`; it holds no audit or repair logic.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from pathlib import Path

from driftaudit import __version__, cli_help, cli_many
from driftaudit.errors import AuditError
from driftaudit.explain.finding import SEVERITY_ORDER

FAIL_ON = ("info", "warning", "error", "never")
COLOR = ("auto", "always", "never")
#: report formats (driftaudit.report.FORMATS; not imported here, to keep start-up light)
FORMATS = ("text", "json", "markdown", "html", "sarif", "github", "jsonl")


class _Parser(argparse.ArgumentParser):
    """argparse with the tool's manners: a usage mistake is one line on stderr and exit 2,
    like every other error; ``--help`` keeps the examples' line breaks."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"driftaudit: error: {message} (see '{self.prog} --help')\n")


def _selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selection")
    group.add_argument("--project", metavar="DIR", help="Django project folder (the one with manage.py); default: current folder")
    group.add_argument("--settings", metavar="MODULE", help="settings module; default: DJANGO_SETTINGS_MODULE, else manage.py's")
    group.add_argument("--database", metavar="ALIAS", default="default",
                       help="database alias in settings.DATABASES (default: default); not with --db")
    group.add_argument("--db", metavar="FILE", action="append",
                       help="audit this SQLite file instead of the configured database (e.g. a copy of "
                            "production); not with --database. report and propose: repeat it, or give a "
                            "quoted glob ('backups/*.sqlite3'), for several databases")
    group.add_argument("--config", metavar="FILE", help="driftaudit.yaml rule configuration")
    group.add_argument("--traceback", action="store_true", help="show the Python traceback when the audit cannot run")


def _policy_options(parser: argparse.ArgumentParser) -> None:
    """``--on-orphans=delete`` etc.: this run's fix policies, over driftaudit.yaml's ``fix``."""
    from driftaudit.config.options import FIX_POLICIES

    group = parser.add_argument_group("fix policies for this run (over driftaudit.yaml's fix:, "
                                      "per-table overrides included)")
    for key in ("orphans", "duplicates", "nulls", "check_violations"):
        flag = key.replace("_", "-")
        group.add_argument(f"--on-{flag}", dest=f"on_{key}", choices=FIX_POLICIES[key], metavar="POLICY",
                           help=f"rows that break the repair ({flag}): {' | '.join(FIX_POLICIES[key])}")


def _fix_choices(args) -> dict:
    return {key: getattr(args, f"on_{key}") for key in ("orphans", "duplicates", "nulls", "check_violations")
            if getattr(args, f"on_{key}", None)}


def build_parser(prog: str = "driftaudit") -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description=cli_help.MAIN, epilog=cli_help.MAIN_EPILOG)
    parser.add_argument("--version", action="version", version=f"driftaudit {__version__}",
                        help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    sub.required = True

    def command(name: str, text: str, doc: str):
        return sub.add_parser(name, help=text, description=getattr(cli_help, doc),
                              epilog=getattr(cli_help, f"{doc}_EPILOG"))

    report = command("report", "audit models, migration history and database; explain every mismatch", "REPORT")
    _selection_options(report)
    report.add_argument("--format", choices=FORMATS, default=None,
                        help="text for people (default; github when GITHUB_ACTIONS=true), json for machines "
                             "(the contract), markdown, html, sarif (code scanning), github (workflow commands), "
                             "jsonl (a JSON object per finding, then per aggregate row)")
    report.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    report.add_argument("--fail-on", choices=FAIL_ON, default=None,
                        help="lowest severity that makes the exit code 1 (default: the config's fail_on, else warning)")
    report.add_argument("--no-data", action="store_true",
                        help="skip the data checks (orphans, duplicates, blocked deletes)")
    report.add_argument("--no-db", action="store_true",
                        help="read no database: only model changes without a migration, unimportable "
                             "migration files and missing dependencies (the pre-commit hook)")
    report.add_argument("--with-repair", action="store_true",
                        help="html only: add the repair SQL (what 'propose --sql' prints, or the problems that "
                             "stop the repair) to the page; computes the proposal, writes nothing")
    text = report.add_argument_group("text report")
    text.add_argument("-v", "--verbose", action="store_true",
                      help="tell each finding's whole story: what differs and why, what it breaks, what to do")
    text.add_argument("--color", choices=COLOR, default="auto",
                      help="colour and emphasis: auto (default) = on a terminal and NO_COLOR unset")
    text.add_argument("--no-color", dest="color", action="store_const", const="never", help="same as --color never")
    cli_many.add_options(report)

    propose = command("propose", "write the migration(s) that repair the drift", "PROPOSE")
    _selection_options(propose)
    _policy_options(propose)
    propose.add_argument("--app", metavar="LABEL", help="put every step into this app's migration (and repair only "
                                                        "what that app's migration can)")
    propose.add_argument("--name", metavar="NAME", help="name the migration files 00NN_NAME "
                                                        "(default: 00NN_driftaudit_rebuild)")
    propose.add_argument("--dry-run", action="store_true", help="print the migration(s) instead of writing them")
    propose.add_argument("--sql", action="store_true",
                         help="print the SQL the repair runs, in order (like sqlmigrate); writes nothing")
    propose.add_argument("--no-input", "--noinput", dest="no_input", action="store_true",
                         help="ask nothing (on a terminal propose asks what to do with rows the repair "
                              "cannot keep, unless an --on-... option says it)")
    propose.add_argument("--format", choices=("text", "json"), default="text",
                         help="json: the files, their operations and SQL, the rows each fix policy moves, "
                              "the problems; with --dry-run or --sql nothing is written")
    cli_many.add_options(propose, shard=False)

    verify = command("verify", "apply the proposal (or the repair propose wrote) to a copy of the project and "
                               "database and re-audit", "VERIFY")
    _selection_options(verify)
    _policy_options(verify)

    record = command("record", "record migrations as applied without running them (--apply writes, "
                               "after a backup copy)", "RECORD")
    record.add_argument("migrations", nargs="+", metavar="APP.NAME", help="the migrations to record, e.g. "
                                                                          "appname.0002_exampletwo_rank")
    _selection_options(record)
    record.add_argument("--apply", action="store_true",
                        help="write the records (a backup copy of the database is taken first)")

    stamp = command("stamp", "record the migrations whose work the database already has (--apply writes, "
                             "after a backup copy)", "STAMP")
    _selection_options(stamp)
    stamp.add_argument("--apply", action="store_true",
                       help="write the records (a backup copy of the database is taken first)")

    adopt = command("adopt", "keep the database's way: write the model change and a state-only migration "
                             "for drift kept on purpose", "ADOPT")
    adopt.add_argument("targets", nargs="*", metavar="TARGET",
                       help="a finding id of the current report (F3), TABLE (its schema findings) or TABLE.COLUMN")
    adopt.add_argument("--all-of", action="append", default=[], metavar="KIND",
                       help="every finding of this kind (index-extra, unique-extra, column-type, column-null, "
                            "column-default); may repeat")
    _selection_options(adopt)
    adopt.add_argument("--reason", metavar="TEXT", help="why the database's way is kept (the migration's docstring)")
    adopt.add_argument("--dry-run", action="store_true",
                       help="print the changes as a unified diff (models.py and the migration) instead of writing")

    restore = command("restore", "write back a deleted migration file others depend on (from git, "
                                 "else a stand-in without operations)", "RESTORE")
    restore.add_argument("migration", metavar="APP.NAME", help="the deleted migration, e.g. appname.0002_add_rank")
    _selection_options(restore)
    restore.add_argument("--dry-run", action="store_true", help="print the file instead of writing it")

    explain = command("explain-delete", "say whether deleting one object would succeed, and why not", "EXPLAIN_DELETE")
    explain.add_argument("model", metavar="APP_LABEL.Model", help="the model, e.g. library.Author")
    explain.add_argument("pk", metavar="PK", help="the primary key of the object to delete")
    _selection_options(explain)
    explain.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    init = command("init", "write a starter driftaudit.yaml with every option commented", "INIT")
    init.add_argument("--project", metavar="DIR", help="where to write it (default: current folder)")
    init.add_argument("--force", action="store_true", help="overwrite an existing driftaudit.yaml")

    merge = command("merge", "combine the JSON reports of --shard runs into one report", "MERGE")
    merge.add_argument("reports", nargs="+", metavar="REPORT.json", help="JSON reports of `driftaudit report`")
    merge.add_argument("--output", metavar="FILE", help="write the merged report to FILE instead of stdout")
    merge.add_argument("--fail-on", choices=FAIL_ON, default="warning",
                       help="lowest severity that makes the exit code 1 (default: warning)")

    rules = command("rules", "list the rule catalog, or show one rule", "RULES")
    rules.add_argument("rule_id", nargs="?", metavar="DAxxx", help="a rule id (DA101) or finding kind (stale-table)")
    return parser


def main(argv: list[str] | None = None, prog: str = "driftaudit") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe is then ours to handle
        return code
    except BrokenPipeError:
        # `driftaudit rules | head -1`: the reader has what it wanted. Like other command-line
        # tools, stop quietly; point stdout at /dev/null so the interpreter's own flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AuditError as exc:
        if getattr(args, "traceback", False):
            traceback.print_exc()
        print(f"driftaudit: error: {exc}", file=sys.stderr)
        return AuditError.exit_code
    except KeyboardInterrupt:
        print("driftaudit: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours must still not dump a traceback on the user
        if getattr(args, "traceback", False):
            traceback.print_exc()
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"driftaudit: internal error: {type(exc).__name__}: {first} (rerun with --traceback "
              "and report it)", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    commands = {"rules": _rules, "init": _init, "report": _report, "explain-delete": _explain_delete,
                "propose": _propose, "verify": _verify, "merge": cli_many.merge}
    if args.command in ("record", "stamp", "restore", "adopt"):
        from driftaudit import cli_history

        return getattr(cli_history, args.command)(args, _selection(args))
    return commands[args.command](args)


def _selection(args) -> dict:
    """The selection options as the API's keywords; ``--db`` and a ``--database`` alias other
    than the default contradict each other (which database?), so they are refused."""
    db = cli_many.one_db(args)
    if db and args.database != "default":
        raise AuditError(f"--db {db} and --database {args.database} contradict each other: --db audits "
                         "that file instead of a configured database; give only one")
    return {"project": args.project, "settings": args.settings, "database": args.database,
            "db": db, "config": args.config}


def _report(args) -> int:
    from driftaudit import api
    from driftaudit.report import render
    from driftaudit.report.progress import scan_progress
    from driftaudit.report.terminal import text_options

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.with_repair and (fmt != "html" or args.no_db):
        raise AuditError("--with-repair adds the repair SQL to the HTML report: use it with --format html, "
                         "without --no-db")
    if cli_many.wants_many(args):
        return cli_many.report_many(args, fmt)
    if args.no_db:
        if args.db:
            raise AuditError("--no-db reads no database; leave out --db FILE")
        report = api.audit_files(project=args.project, settings=args.settings, config=args.config)
    else:
        report = api.audit(**_selection(args), data=not args.no_data, progress=scan_progress(fmt))
    repair = api.propose(**_selection(args)) if args.with_repair else None
    options = text_options(args.color, args.verbose, None if args.output else sys.stdout)
    text = render(report, fmt, repair=repair, **options)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        from driftaudit.report.github import append_step_summary

        append_step_summary(report, os.environ["GITHUB_STEP_SUMMARY"])
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AuditError(f"cannot write the report to {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    fail_on = args.fail_on or report.config.fail_on or "warning"
    if fail_on == "never":
        return 0
    threshold = SEVERITY_ORDER[fail_on]
    return 1 if any(f.rank >= threshold and not f.accepted for f in report.findings) else 0


def _explain_delete(args) -> int:
    """Exit 0 if the delete would succeed, 1 if it would fail, 2 if it cannot be simulated."""
    import json

    from driftaudit import api
    from driftaudit.report.delete_verdict import render_json, render_text

    verdict = api.explain_delete(args.model, args.pk, **_selection(args))
    if args.format == "json":
        sys.stdout.write(json.dumps(render_json(verdict), indent=2, default=str) + "\n")
    else:
        sys.stdout.write(render_text(verdict))
    return 0 if verdict.succeeds else 1


def _propose(args) -> int:
    """Exit 0 written (or nothing to do); 1 nothing written: a fix policy forbids the repair, or
    Django cannot run any migration on this history until a step outside a migration is done
    (both listed, with what to do)."""
    from driftaudit import api
    from driftaudit.repair.wording import say
    from driftaudit.report.repair_text import render_problems

    if cli_many.wants_many(args):
        return cli_many.propose_many(args)
    proposal = api.propose(**_selection(args), app=args.app, name=args.name, fix=_fix_choices(args))
    from driftaudit import cli_questions

    if not proposal.plan.problems and cli_questions.interactive(args):
        answers = cli_questions.ask_policies(proposal.plan)
        if answers:
            proposal = api.propose(**_selection(args), app=args.app, name=args.name, fix=answers)
    if args.format == "json":
        import json

        from driftaudit.report.proposal_formats import proposal_json

        written = proposal.write() if not (args.dry_run or args.sql or proposal.plan.problems) else []
        sys.stdout.write(json.dumps(proposal_json(proposal, written), indent=2, default=str) + "\n")
        return 1 if proposal.plan.problems else 0
    if proposal.plan.problems:
        sys.stderr.write(render_problems(proposal.plan))
        return 1
    if args.sql:
        from driftaudit.report.proposal_formats import render_sql

        sys.stdout.write(render_sql(proposal) if proposal.files else say("message", "nothing") + "\n")
        return 0
    if not proposal.files:
        print(say("message", "nothing"))
        if proposal.pending:
            print(say("message", "pending", count=len(proposal.pending), names=", ".join(proposal.pending)))
        return 0
    if args.dry_run:
        for path, text in proposal.files.items():
            print(say("message", "dry_run", path=path))
            print(text)
        return 0
    for path in proposal.write():
        print(say("message", "wrote", path=path))
    print(say("message", "next"))
    return 0


def _verify(args) -> int:
    """Exit 0 only if the copy migrates, re-audits clean and keeps the rows it should."""
    from driftaudit import api
    from driftaudit.report.repair_text import render_problems, render_verification

    verification = api.verify(**_selection(args), fix=_fix_choices(args))
    if verification.proposal.plan.problems:
        sys.stdout.write(render_problems(verification.proposal.plan))
        return 1
    sys.stdout.write(render_verification(verification))
    return 0 if verification.ok else 1


def _rules(args) -> int:
    from driftaudit.config.rules import load_catalog
    from driftaudit.report.words import rule_help

    rule_id = args.rule_id
    catalog = sorted(load_catalog().values(), key=lambda r: r.id)
    if rule_id is None:
        for rule in catalog:
            print(f"{rule.id}  {rule.severity:<7}  {rule.kind:<22} {rule.title}")
        return 0
    for rule in catalog:
        if rule.id.upper() == rule_id.upper() or rule.kind == rule_id:
            print(f"{rule.id} {rule.kind} (default severity: {rule.severity})\n{rule.title}\n")
            print(f"What it detects: {rule.description}\nWhat it breaks:  {rule.breaks}\nThe fix:         {rule.fix}")
            print(f"Docs:            {rule_help(rule.id)[1]}")
            return 0
    raise AuditError(f"unknown rule '{rule_id}'; 'driftaudit rules' lists them")


def _init(args) -> int:
    from driftaudit.config.options import write_starter

    print(f"wrote {write_starter(Path(args.project or '.'), args.force)}")
    return 0


def entry_point() -> None:
    code = main()
    # At exit Python's cyclic GC walks every object Django, the project and its apps created
    # (Wagtail site: ~0.3 s, a sixth of a run) only to free memory the OS reclaims anyway.
    # Frozen objects are skipped; atexit handlers and stream flushing still run as usual.
    gc.freeze()
    sys.exit(code)
