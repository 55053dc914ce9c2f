"""Render one repair as a migration file that reads like a hand-written one.

Database operations are written by hand - one commented ``RunSQL`` per step, its statements
as a list of strings - because Django's ``MigrationWriter`` would turn each SQL text into one
escaped line. State operations are serialized by Django's own ``OperationWriter``, exactly as
``makemigrations`` writes them.
"""

from __future__ import annotations

import sqlite3
import textwrap
from datetime import datetime, timezone

from driftaudit import __version__
from driftaudit.config.rules import fill
from driftaudit.repair.plan import AppRepair
from driftaudit.repair.rebuild_sql import SqlOp, repair_sql
from driftaudit.repair.wording import say, words

INDENT = "    "


def py_string(sql: str) -> str:
    """A Python literal for one SQL statement; multi-line statements stay readable."""
    if "\\" in sql or ("\n" not in sql and "'" not in sql):
        return repr(sql)
    for quote in ("'''", '"""'):
        if quote not in sql and not sql.endswith(quote[0]) and not sql.startswith(quote[0]):
            return quote + sql + quote
    return repr(sql)


def _comment(text: str, indent: str) -> list[str]:
    out = []
    for paragraph in text.splitlines():
        lead = len(paragraph) - len(paragraph.lstrip())
        wrapped = textwrap.wrap(paragraph.strip(), 96 - len(indent) - lead, break_on_hyphens=False) or [""]
        out += [f"{indent}# {' ' * lead}{line}" if i == 0 else f"{indent}# {' ' * (lead + 2 if lead else 0)}{line}"
                for i, line in enumerate(wrapped)]
    return out


def _statements(name: str, statements: tuple[str, ...], indent: str) -> list[str]:
    lines = [f"{indent}{name}=["]
    for sql in statements:
        lines.append(f"{indent}{INDENT}{py_string(sql)},")
    lines.append(f"{indent}],")
    return lines


def _run_sql(op: SqlOp, indent: str) -> list[str]:
    lines = _comment(op.comment, indent) + [f"{indent}migrations.RunSQL("]
    lines += _statements("sql", op.sql, indent + INDENT)
    if op.reverse is not None:
        lines += _statements("reverse_sql", op.reverse, indent + INDENT)
    elif op.irreversible:  # the guard, the last operation, refuses with the reason first
        lines += _comment(f"Cannot be reversed: {op.irreversible}. See {GUARD}.", indent + INDENT)
        lines.append(f"{indent}{INDENT}reverse_sql=migrations.RunSQL.noop,")
    lines.append(f"{indent}),")
    return lines


#: the function the last operation of an irreversible repair runs backwards, and its message
GUARD, GUARD_MESSAGE = "refuse_to_reverse", "IRREVERSIBLE"


def _guard_preamble(reasons: list[str]) -> list[str]:
    """Why the repair cannot be undone, raised as Django's IrreversibleError by the last
    operation's reverse: it runs first, so nothing is undone (Django's own check would only say
    "Operation <RunSQL ...> is not reversible")."""
    text = say("irreversible", "guard", reasons="; ".join(reasons))
    chunks = textwrap.wrap(text, 80, drop_whitespace=False, break_on_hyphens=False)
    lines = [f"{GUARD_MESSAGE} = ("] + [f"{INDENT}{chunk!r}" for chunk in chunks] + [")", "", ""]
    return lines + [f"def {GUARD}(apps, schema_editor):", f"{INDENT}raise IrreversibleError({GUARD_MESSAGE})", "", ""]


def _dependency(dep: tuple) -> tuple[str, set]:
    if dep[0] == "__setting__":
        return f"migrations.swappable_dependency(settings.{dep[1]})", {"from django.conf import settings"}
    return repr(tuple(dep)), set()


#: the module-level name under which a repair file keeps the rows it expects per table
ROWS_CONSTANT = "DRIFTAUDIT_EXPECTED_ROWS"


def rows_preamble(expected: dict, changes: dict) -> list[str]:
    """The counts measured when the repair was written, for ``driftaudit verify`` to check on a
    copy later (read back with ``ast.literal_eval``, never imported): table -> (rows after the
    repair or None when the table goes, why the count changes)."""
    lines = ["#: Rows per table after this repair, measured when it was written: `driftaudit verify`",
             "#: checks them on a copy of the database (None: the table is dropped or renamed).",
             f"{ROWS_CONSTANT} = {{"]
    lines += [f"    {table!r}: ({rows!r}, {changes.get(table, '')!r})," for table, rows in sorted(expected.items())]
    return lines + ["}", "", ""]


def render_migration(repair: AppRepair, expected_rows: dict | None = None, row_changes: dict | None = None) -> str:
    from django import get_version
    from django.db.migrations.writer import OperationWriter

    imports = {"from django.db import migrations"}
    header = fill(words()["header"], version=__version__, date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  django=get_version(), sqlite=sqlite3.sqlite_version, app=repair.app)
    doc = [header, ""]
    if repair.findings:
        doc.append("Findings of `driftaudit report` it repairs:")
        for f in repair.findings:
            where = ".".join(x for x in (f.table, f.column) if x) or f.migration or f.app or ""
            doc += textwrap.wrap(f"{f.id} {f.rule} {f.kind} {where} ({f.severity}; cause: {f.cause})", 96,
                                 initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False)
    ops = repair_sql(repair)
    if ops or repair.replays:
        doc += ["", "Database operations, in order:"]
    for i, op in enumerate(ops, 1):
        doc += textwrap.wrap(f"{i}. {op.summary}", 96, initial_indent="  ", subsequent_indent="     ",
                             break_on_hyphens=False)
    for replay in repair.replays:
        doc += textwrap.wrap(f"{len(ops) + 1}. run the operations of {', '.join(n for _, n in replay.migrations)} "
                             f"({replay.app}): recorded as applied (--fake), never run here", 96,
                             initial_indent="  ", subsequent_indent="     ", break_on_hyphens=False)
    if repair.role != "repair":
        doc += [""] + textwrap.wrap(" ".join(words()["role"][repair.role].split()), 96)
    elif repair.state_operations:
        doc += ["", "State operations: what `makemigrations` would add, so that the migration files",
                "match the models again (the database operations above already made the tables)."]
    body = []
    deps = []
    for dep in repair.dependencies:
        text, extra = _dependency(dep)
        deps.append(text)
        imports |= extra
    if repair.role == "baseline":
        body += [f"{INDENT}initial = True", ""]
    body.append(f"{INDENT}dependencies = [")
    body += [f"{INDENT * 2}{d}," for d in deps]
    body.append(f"{INDENT}]")
    if repair.run_before:
        body.append("")
        body += _comment("Pending migrations that would fail on the drifted database: this repair runs first.",
                         INDENT)
        body.append(f"{INDENT}run_before = [")
        body += [f"{INDENT * 2}{tuple(k)!r}," for k in repair.run_before]
        body.append(f"{INDENT}]")
    if repair.role == "models":
        body += ["", f"{INDENT}operations = ["]
        for operation in repair.state_operations:
            text, op_imports = OperationWriter(operation, indentation=2).serialize()
            imports |= op_imports
            body.append(text)
        body.append(f"{INDENT}]")
        return _file(doc, imports, body)
    body += ["", f"{INDENT}operations = ["]
    if ops or repair.state_operations or not repair.replays:
        body += _separate(ops, repair, imports)
    if repair.replays:
        body += _comment(words()["replay"]["operation"], INDENT * 2)
        body.append(f"{INDENT * 2}migrations.RunPython(replay_faked_migrations, unreplay_faked_migrations),")
    reasons = [op.irreversible for op in ops if op.reverse is None and op.irreversible]
    if reasons:
        imports.add("from django.db.migrations.exceptions import IrreversibleError")
        body += _comment(f"Last, so that its reverse runs first: {GUARD} refuses with the reason.", INDENT * 2)
        body.append(f"{INDENT * 2}migrations.RunPython(migrations.RunPython.noop, {GUARD}),")
    body.append(f"{INDENT}]")
    preamble = _replay_preamble(repair.replays) + (_guard_preamble(reasons) if reasons else [])
    if expected_rows:
        preamble = rows_preamble(expected_rows, row_changes or {}) + preamble
    return _file(doc, imports, body, preamble)


def _replay_preamble(replays) -> list[str]:
    """``FAKED`` and the function that runs them (the migration file needs nothing but Django)."""
    if not replays:
        return []
    lines = _comment(words()["replay"]["constant"], "") + ["FAKED = ["]
    lines += [f"{INDENT}{key!r}," for replay in replays for key in replay.migrations]
    lines += ["]", "", ""]
    return lines + REPLAY_FUNCTION.splitlines() + ["", ""]


#: The code the migration runs: Django's executor order, each faked migration applied with its
#: own operations against the state it was written for, the others only replayed in memory.
REPLAY_FUNCTION = '''def _plan_through_faked(schema_editor):
    # (the empty state, [(migration, faked?)]): migrate's order, up to the last faked one
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.state import ProjectState

    executor = MigrationExecutor(schema_editor.connection)
    todo, plan = set(FAKED), []
    for migration, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True):
        if not todo:
            break
        key = (migration.app_label, migration.name)
        plan.append((migration, key in todo))
        todo.discard(key)
    return ProjectState(real_apps=executor.loader.unmigrated_apps), plan


def replay_faked_migrations(apps, schema_editor):
    state, plan = _plan_through_faked(schema_editor)
    for migration, faked in plan:
        if faked:
            state = migration.apply(state, schema_editor)
        else:
            state = migration.mutate_state(state, preserve=False)


def unreplay_faked_migrations(apps, schema_editor):
    # The reverse: the faked migrations' own operations backwards, last first, each from the
    # state it was written for (a RunPython without a reverse raises IrreversibleError).
    state, plan = _plan_through_faked(schema_editor)
    before = []
    for migration, faked in plan:
        if faked:
            before.append((migration, state.clone()))
        state = migration.mutate_state(state, preserve=False)
    for migration, earlier in reversed(before):
        migration.unapply(earlier, schema_editor)'''


def _separate(ops: list[SqlOp], repair: AppRepair, imports: set) -> list[str]:
    """The SQL steps and the state operations, as one ``SeparateDatabaseAndState``."""
    from django.db.migrations.writer import OperationWriter

    body = [f"{INDENT * 2}migrations.SeparateDatabaseAndState(", f"{INDENT * 3}database_operations=["]
    for i, op in enumerate(ops):
        if i:
            body.append("")
        body += _run_sql(op, INDENT * 4)
    body.append(f"{INDENT * 3}],")
    if not repair.state_operations:
        body.append(f"{INDENT * 3}state_operations=[],")
    else:
        body.append(f"{INDENT * 3}state_operations=[")
        for operation in repair.state_operations:
            text, op_imports = OperationWriter(operation, indentation=4).serialize()
            imports |= op_imports
            body.append(text)
        body.append(f"{INDENT * 3}],")
    body.append(f"{INDENT * 2}),")
    return body


def _file(doc: list, imports: set, body: list, preamble: list | None = None) -> str:
    return "\n".join([
        '"""' + "\n".join(doc).replace('"""', "'''").replace("\\", "\\\\") + '\n"""',
        "",
        *_imports(imports),
        "",
        *([] if preamble else [""]),  # black: one blank line before a statement, two before a class
        *(preamble or []),
        "class Migration(migrations.Migration):",
        "",
        *body,
        "",
    ])


def _imports(imports: set) -> list[str]:
    """Django's import merging: ``migrations`` and ``models`` on one line, sorted by module."""
    if "from django.db import models" in imports:
        imports.discard("from django.db import models")
        imports.discard("from django.db import migrations")
        imports.add("from django.db import migrations, models")
    return sorted(imports, key=lambda i: i.split()[1])


def run_formatters(paths) -> None:
    """What ``makemigrations`` does after writing: black (``--fast``) on the new files when a
    ``black`` is on PATH, nothing otherwise; a formatter that cannot start leaves them as written."""
    from django.core.management.utils import run_formatters as django_formatters

    paths = [str(p) for p in paths if str(p).endswith(".py")]
    if paths:
        try:
            django_formatters(paths)
        except OSError:  # Django 4.2 lets it through; 5.x prints it
            pass


def summary_line(repair: AppRepair) -> str:
    return say("message", "wrote", path=repair.path)
