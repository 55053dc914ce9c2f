"""The ``driftaudit`` command line (also behind ``python manage.py driftaudit``).

Exit codes (the contract): 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 the audit could not run - one line on stderr, no traceback unless ``--traceback``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from pathlib import Path

from . import __version__
from .errors import AuditError
from .findings import SEVERITY_ORDER

FAIL_ON = ("info", "warning", "error", "never")


def _selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selection")
    group.add_argument("--project", metavar="DIR", help="Django project folder (the one with manage.py); default: current folder")
    group.add_argument("--settings", metavar="MODULE", help="settings module; default: DJANGO_SETTINGS_MODULE, else manage.py's")
    group.add_argument("--database", metavar="ALIAS", default="default", help="database alias in settings.DATABASES (default: default)")
    group.add_argument("--db", metavar="FILE", help="audit this SQLite file instead of the configured database")
    group.add_argument("--config", metavar="FILE", help="driftaudit.yaml rule configuration")
    group.add_argument("--traceback", action="store_true", help="show the Python traceback when the audit cannot run")


def build_parser(prog: str = "driftaudit") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Migration-aware schema drift auditor for Django projects on SQLite."
    )
    parser.add_argument("--version", action="version", version=f"driftaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    report = sub.add_parser("report", help="audit models, migration history and database; explain every mismatch")
    _selection_options(report)
    report.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text")
    report.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    report.add_argument("--fail-on", choices=FAIL_ON, default=None,
                        help="lowest severity that makes the exit code 1 (default: the config's fail_on, else warning)")
    report.add_argument("--no-data", action="store_true",
                        help="skip the data checks (orphans, duplicates, blocked deletes)")

    for name, text in (
        ("propose", "write the rebuild migration that repairs the drift"),
        ("verify", "apply the proposal to a copy of the database and re-audit"),
    ):
        cmd = sub.add_parser(name, help=text)
        _selection_options(cmd)
        if name == "propose":
            cmd.add_argument("--app", metavar="LABEL")
            cmd.add_argument("--name", metavar="NAME")
            cmd.add_argument("--dry-run", action="store_true")

    explain = sub.add_parser("explain-delete", help="say whether deleting one object would succeed, and why not")
    explain.add_argument("model", metavar="APP_LABEL.Model")
    explain.add_argument("pk", metavar="PK")
    _selection_options(explain)
    explain.add_argument("--format", choices=("text", "json"), default="text")

    init = sub.add_parser("init", help="write a starter driftaudit.yaml with every option commented")
    init.add_argument("--project", metavar="DIR", help="where to write it (default: current folder)")
    init.add_argument("--force", action="store_true", help="overwrite an existing driftaudit.yaml")

    rules = sub.add_parser("rules", help="list the rule catalog, or show one rule")
    rules.add_argument("rule_id", nargs="?", metavar="DAxxx")
    return parser


def main(argv: list[str] | None = None, django_ready: bool = False, prog: str = "driftaudit") -> int:
    args = build_parser(prog).parse_args(argv)
    try:
        return _dispatch(args, django_ready)
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


def _dispatch(args, django_ready: bool) -> int:
    if args.command == "rules":
        return _rules(args.rule_id)
    if args.command == "init":
        return _init(args.project, args.force)
    if args.command == "report":
        return _report(args, django_ready)
    if args.command == "explain-delete":
        return _explain_delete(args, django_ready)
    if args.command == "propose":
        from .propose import run_propose

        return run_propose(args, django_ready)
    if args.command == "verify":
        from .verify import run_verify

        return run_verify(args, django_ready)
    raise AuditError(f"'{args.command}' is not available in driftaudit {__version__} yet; "
                     "'driftaudit report' explains the drift and what to do by hand")


def _report(args, django_ready: bool) -> int:
    from .audit import Selection, run_report
    from .render_report import render

    selection = Selection(args.project, args.settings, args.database, args.db, args.config)
    report = run_report(selection, django_ready, data=not args.no_data, progress=args.format == "text")
    text = render(report, args.format)
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


def _explain_delete(args, django_ready: bool) -> int:
    """Exit 0 if the delete would succeed, 1 if it would fail, 2 if it cannot be simulated."""
    import json
    import sqlite3

    from .audit import Selection, prepare
    from .dbfile import database_error, open_readonly
    from .explain_delete import explain_delete, render_json, render_text
    from .project import database_file

    selection = Selection(args.project, args.settings, args.database, args.db, args.config)
    prepare(selection, django_ready)
    from django.apps import apps

    _label, path = database_file(args.database, args.db)
    conn = open_readonly(path)
    try:
        verdict = explain_delete(conn, path, apps, args.model, args.pk)
    except sqlite3.DatabaseError as exc:
        raise database_error(path, exc) from None
    finally:
        conn.close()
    if args.format == "json":
        sys.stdout.write(json.dumps(render_json(verdict), indent=2, default=str) + "\n")
    else:
        sys.stdout.write(render_text(verdict))
    return 0 if verdict.succeeds else 1


def _rules(rule_id: str | None) -> int:
    from .rules import load_catalog

    catalog = sorted(load_catalog().values(), key=lambda r: r.id)
    if rule_id is None:
        for rule in catalog:
            print(f"{rule.id}  {rule.severity:<7}  {rule.kind:<22} {rule.title}")
        return 0
    for rule in catalog:
        if rule.id.upper() == rule_id.upper() or rule.kind == rule_id:
            print(f"{rule.id} {rule.kind} (default severity: {rule.severity})\n{rule.title}\n")
            print(f"What it detects: {rule.description}\nWhat it breaks:  {rule.breaks}\nThe fix:         {rule.fix}")
            return 0
    raise AuditError(f"unknown rule '{rule_id}'; 'driftaudit rules' lists them")


def _init(project: str | None, force: bool) -> int:
    from .config import CONFIG_NAME
    from .rules import rules_dir

    folder = Path(project or ".")
    if not folder.is_dir():
        raise AuditError(f"project folder not found: {folder}")
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise AuditError(f"{target} already exists; pass --force to overwrite it")
    example = (rules_dir() / "example-project.yaml").read_text(encoding="utf-8")
    lines = [line if not line.strip() or line.startswith("#") else "# " + line for line in example.splitlines()]
    header = ["# Written by `driftaudit init`: every option, commented out. Uncomment what you need."]
    target.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


def entry_point() -> None:
    code = main()
    # At exit Python's cyclic GC walks every object Django, the project and its apps created
    # (Wagtail site: ~0.3 s, a sixth of a run) only to free memory the OS reclaims anyway.
    # Frozen objects are skipped; atexit handlers and stream flushing still run as usual.
    gc.freeze()
    sys.exit(code)
