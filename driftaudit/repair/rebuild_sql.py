"""SQL of the repair: each plan step as forward and reverse statements, with its comment.

A rebuild is Django's own SQLite table rebuild (``_remake_table``) written out: create
``"new__t"`` with exactly the DDL Django renders for the model, ``INSERT ... SELECT`` with the
plan's column mapping, drop the old table, rename, recreate the indexes. It runs inside the
migration's schema editor, so foreign key enforcement is off and Django checks every key of
the whole database before the transaction commits. Every identifier is quoted; rows that leave
a table are first copied into a ``driftaudit_backup_*`` table, from which the reverse
statements restore them. ``reverse=None`` means the step cannot be undone (a policy without
backup).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from driftaudit.repair.names import renamed_sql
from driftaudit.repair.plan import AppRepair, RowFix, TableStep
from driftaudit.repair.wording import say
from driftaudit.schema.catalog import RawObject, Table
from driftaudit.sql import quote_identifier as q


@dataclass(frozen=True)
class SqlOp:
    """One ``RunSQL``: a comment saying what it does to which rows, and its statements."""

    comment: str
    sql: tuple[str, ...]
    reverse: tuple[str, ...] | None
    summary: str = ""
    #: why ``reverse`` is None, for the IrreversibleError a reverse ``migrate`` raises
    irreversible: str = ""


def literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _indexes(table: Table) -> list[str]:
    return [ix.sql for ix in table.indexes if ix.sql]


def _create(table: Table, name: str | None = None) -> list[str]:
    sql = table.sql if name is None else renamed_sql(table.sql, name)
    return [sql] + ([] if name is not None else _indexes(table))


def step_sql(step: TableStep) -> SqlOp:
    words = dict(table=step.table, old=step.old_name, model=step.model or "-", reason=step.reason,
                 rows=step.rows, backup=step.backup,
                 indexes=", ".join([f"drop {ix.name}" for ix in step.drop_indexes]
                                   + [f"create {ix.name}" for ix in step.create_indexes]))
    return replace(_step_sql(step, say("step", step.action, **words)), summary=say("summary", step.action, **words))


def _step_sql(step: TableStep, comment: str) -> SqlOp:
    if step.action == "create":
        return SqlOp(comment, tuple(_create(step.target)), (f"DROP TABLE {q(step.table)}",))
    if step.action == "rename":
        return SqlOp(comment, (f"ALTER TABLE {q(step.old_name)} RENAME TO {q(step.table)}",),
                     (f"ALTER TABLE {q(step.table)} RENAME TO {q(step.old_name)}",))
    if step.action == "backup-drop":
        t, b = q(step.table), q(step.backup)
        cols = ", ".join(q(c) for c in step.current.written_columns)  # (generated columns: SQLite's)
        return SqlOp(comment, (f"CREATE TABLE {b} AS SELECT * FROM {t}", f"DROP TABLE {t}"),
                     (step.current.sql, f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {b}", *_indexes(step.current),
                      f"DROP TABLE {b}"))
    if step.action == "drop":
        return SqlOp(comment, (f"DROP TABLE {q(step.table)}",), None,
                     irreversible=say("irreversible", "table_dropped", table=step.table, rows=step.rows))
    if step.action == "index":
        drops = [f"DROP INDEX {q(ix.name)}" for ix in step.drop_indexes]
        return SqlOp(comment, (*drops, *(ix.sql for ix in step.create_indexes)),
                     (*(f"DROP INDEX {q(ix.name)}" for ix in step.create_indexes),
                      *(ix.sql for ix in step.drop_indexes)))
    return _rebuild(step, comment)


def _rebuild(step: TableStep, comment: str) -> SqlOp:
    target, current = step.target, step.current
    t, old, new = q(step.table), q(step.old_name), q(f"new__{step.table}")
    lines = [f"{c.column}: {c.note}" for c in step.columns]
    lines += [say("column", "dropped" if step.backup else "dropped_nobackup", column=c, backup=step.backup)
              for c in step.dropped_columns]
    comment += "\n" + "\n".join(f"  - {line}" for line in lines)
    pk = current.primary_key_columns
    identity = q(pk[0]) if len(pk) == 1 else None
    forward = []
    if step.dropped_columns and step.backup:
        key = identity or f"rowid AS {q('driftaudit_rowid')}"
        kept = ", ".join(q(c) for c in step.dropped_columns)
        forward.append(f"CREATE TABLE {q(step.backup)} AS SELECT {key}, {kept} FROM {old}")
    copied = [c for c in step.columns if c.expression]
    forward += [
        renamed_sql(target.sql, f"new__{step.table}"),
        f"INSERT INTO {new} ({', '.join(q(c.column) for c in copied)}) "
        f"SELECT {', '.join(c.expression for c in copied)} FROM {old}",
    ]
    if any(c.autoincrement for c in target.columns) and any(c.autoincrement for c in current.columns):
        forward.append(  # keep AUTOINCREMENT's high-water mark: ids of deleted rows stay unused
            f'UPDATE "sqlite_sequence" SET "seq" = (SELECT max("seq") FROM "sqlite_sequence" WHERE "name" IN '
            f"({literal(step.old_name)}, {literal('new__' + step.table)})) WHERE \"name\" = "
            f"{literal('new__' + step.table)}")
    forward += [f"DROP TABLE {old}", f"ALTER TABLE {new} RENAME TO {t}", *_indexes(target)]
    reverse, why = _rebuild_reverse(step, identity)
    return SqlOp(comment, tuple(forward), reverse, irreversible=why)


def _rebuild_reverse(step: TableStep, identity: str | None) -> tuple[tuple[str, ...] | None, str]:
    """The old table back, from the rebuilt one plus the backup of its dropped columns; or None
    and the reason it cannot be."""
    columns = ", ".join(step.dropped_columns)
    if step.dropped_columns and not step.backup:
        return None, say("irreversible", "columns_dropped", table=step.table, columns=columns)
    target_pk = step.target.primary_key_columns
    if step.dropped_columns and not (identity and len(target_pk) == 1):
        return None, say("irreversible", "columns_unmatched", table=step.table, columns=columns,
                         backup=step.backup)
    written = {c.lower() for c in step.current.written_columns}  # the old table computes the rest
    back = [c for c in step.columns if c.source and c.source.lower() in written]
    cols = [q(c.source) for c in back] + [q(c) for c in step.dropped_columns]
    exprs = [f"t.{q(c.column)}" for c in back] + [f"b.{q(c)}" for c in step.dropped_columns]
    source = f"{q(step.table)} AS t"
    if step.dropped_columns:
        source += f" LEFT JOIN {q(step.backup)} AS b ON b.{identity} = t.{q(target_pk[0])}"
    old_new = f"new__{step.old_name}"
    statements = [renamed_sql(step.current.sql, old_new),
                  f"INSERT INTO {q(old_new)} ({', '.join(cols)}) SELECT {', '.join(exprs)} FROM {source}",
                  f"DROP TABLE {q(step.table)}", f"ALTER TABLE {q(old_new)} RENAME TO {q(step.old_name)}",
                  *_indexes(step.current)]
    if step.backup:
        statements.append(f"DROP TABLE {q(step.backup)}")
    return tuple(statements), ""


#: the columns a quarantine table adds before the row's own: why it was set aside, and from where
REASON_COLUMN, SOURCE_COLUMN = "driftaudit_reason", "driftaudit_table"


def _moved_rows(fix: RowFix) -> str:
    """What a fix copies aside: whole rows, a quarantine's led by their reason and table."""
    if fix.kind.endswith("-quarantine"):
        reason = literal(fix.reason)
        if fix.reason_cases:
            reason = "CASE " + " ".join(f"WHEN {where} THEN {literal(why)}" for where, why in fix.reason_cases) + \
                f" ELSE {reason} END"
        return f"{reason} AS {q(REASON_COLUMN)}, {literal(fix.table)} AS {q(SOURCE_COLUMN)}, *"
    return "*"


def row_fix_sql(fix: RowFix) -> SqlOp:
    summary = say("summary", fix.kind, count=fix.count, table=fix.table, backup=fix.backup)
    return replace(_row_fix_sql(fix), summary=summary)


def _row_fix_sql(fix: RowFix) -> SqlOp:
    t, b = q(fix.table), q(fix.backup)
    if fix.kind == "orphans-set-null":
        key = fix.identity
        cols = ", ".join(q(c) for c in fix.columns)
        sets = ", ".join(f"{q(c)} = NULL" for c in fix.columns)
        restore = ", ".join(f"{q(c)} = (SELECT b.{q(c)} FROM {b} AS b WHERE b.{key} = {t}.{key})"
                            for c in fix.columns)
        return SqlOp(fix.text, (f"CREATE TABLE {b} AS SELECT {key}, {cols} FROM {t} WHERE {fix.where}",
                                f"UPDATE {t} SET {sets} WHERE {fix.where}"),
                     (f"UPDATE {t} SET {restore} WHERE {key} IN (SELECT {key} FROM {b})", f"DROP TABLE {b}"))
    if fix.kind.endswith("-quarantine"):
        # Whole rows, with why and where from. The reverse puts back what the old schema allows:
        # duplicates (it had no unique index), never orphans (its keys reject them as well):
        # those stay in quarantine.
        cols = ", ".join(q(c) for c in fix.table_columns)
        reverse = () if fix.kind.startswith("orphans") else (
            f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {b}", f"DROP TABLE {b}")
        return SqlOp(fix.text, (f"CREATE TABLE {b} AS SELECT {_moved_rows(fix)} FROM {t} WHERE {fix.where}",
                                f"DELETE FROM {t} WHERE {fix.where}"), reverse)
    cols = ", ".join(q(c) for c in fix.table_columns)  # (a generated column is SQLite's to write)
    return SqlOp(fix.text, (f"CREATE TABLE {b} AS SELECT * FROM {t} WHERE {fix.where}",
                            f"DELETE FROM {t} WHERE {fix.where}"),
                 (f"INSERT INTO {t} ({cols}) SELECT {cols} FROM {b}", f"DROP TABLE {b}"))


def orphan_rounds_sql(fixes: tuple[RowFix, ...]) -> SqlOp | None:
    """Taking orphans out orphans their children: the same statements again, round by round,
    as many times as the planner found it takes (the first round is each fix's own step)."""
    taking = [f for f in fixes if f.kind in ("orphans-quarantine", "orphans-delete")]
    rounds = max((f.rounds for f in taking), default=1)
    if rounds <= 1:
        return None
    statements = []
    for _ in range(rounds - 1):
        for fix in taking:
            t, b = q(fix.table), q(fix.backup)
            statements += [f"INSERT INTO {b} SELECT {_moved_rows(fix)} FROM {t} WHERE {fix.where}",
                           f"DELETE FROM {t} WHERE {fix.where}"]
    text = say("step", "orphan_rounds", rounds=rounds - 1, tables=", ".join(dict.fromkeys(f.table for f in taking)))
    return SqlOp(text, tuple(statements), (), say("summary", "orphan_rounds", rounds=rounds - 1))


def raw_sql(objects: tuple[RawObject, ...]) -> tuple[SqlOp, SqlOp] | None:
    """Drop the triggers and views first, recreate them last (views before their triggers)."""
    if not objects:
        return None
    names = ", ".join(o.name for o in objects)
    drops = tuple(f"DROP {o.type.upper()} IF EXISTS {q(o.name)}"
                  for o in sorted(objects, key=lambda o: o.type != "trigger"))
    creates = tuple(o.sql for o in sorted(objects, key=lambda o: o.type != "view"))
    return (SqlOp(say("step", "views-drop", names=names), drops, creates, say("summary", "views-drop", names=names)),
            SqlOp(say("step", "views-create", names=names), creates, drops,
                  say("summary", "views-create", names=names)))


def records_sql(app: str, count: int, backup: str) -> SqlOp:
    b, where = q(backup), f'"app" = {literal(app)}'
    return SqlOp(say("step", "records", app=app, count=count, backup=backup),
                 (f'CREATE TABLE {b} AS SELECT * FROM "django_migrations" WHERE {where}',
                  f'DELETE FROM "django_migrations" WHERE {where}'),
                 (f'INSERT INTO "django_migrations" SELECT * FROM {b}', f"DROP TABLE {b}"),
                 say("summary", "records", app=app, count=count, backup=backup))


def ghosts_sql(app: str, names: tuple, backup: str) -> SqlOp:
    """Records of migrations whose files are gone, once the repair undid what they left behind."""
    b = q(backup)
    where = f'"app" = {literal(app)} AND "name" IN ({", ".join(literal(n) for n in names)})'
    listed = ", ".join(names)
    return SqlOp(say("step", "ghosts", app=app, names=listed, count=len(names), backup=backup),
                 (f'CREATE TABLE {b} AS SELECT * FROM "django_migrations" WHERE {where}',
                  f'DELETE FROM "django_migrations" WHERE {where}'),
                 (f'INSERT INTO "django_migrations" SELECT * FROM {b}', f"DROP TABLE {b}"),
                 say("summary", "ghosts", app=app, names=listed, count=len(names), backup=backup))


def squash_sql(app: str, names: tuple) -> SqlOp:
    """Record the replaced migrations a squash still lacks: the steps above made their schema."""
    listed = ", ".join(names)
    rows = ", ".join(f"({literal(app)}, {literal(n)}, CURRENT_TIMESTAMP)" for n in names)
    where = f'"app" = {literal(app)} AND "name" IN ({", ".join(literal(n) for n in names)})'
    return SqlOp(say("step", "squash", app=app, names=listed),
                 (f'INSERT INTO "django_migrations" ("app", "name", "applied") VALUES {rows}',),
                 (f'DELETE FROM "django_migrations" WHERE {where}',),
                 say("summary", "squash", app=app, names=listed))


def repair_sql(repair: AppRepair) -> list[SqlOp]:
    """Every database operation of one migration, in the order it must run."""
    raw = raw_sql(repair.raw_objects)
    ops = [raw[0]] if raw else []
    ops += [row_fix_sql(fix) for fix in repair.row_fixes]
    again = orphan_rounds_sql(repair.row_fixes)
    ops += [again] if again else []
    order = {"backup-drop": 0, "drop": 0, "rename": 1, "create": 2, "rebuild": 3, "index": 4}
    ops += [step_sql(step) for step in sorted(repair.steps, key=lambda s: order[s.action])]
    ops += [records_sql(app, count, backup) for app, count, backup in repair.removed_apps]
    ops += [ghosts_sql(app, names, backup) for app, names, backup in repair.ghost_records]
    ops += [squash_sql(app, names) for app, names in repair.squash_records]
    if raw:
        ops.append(raw[1])
    return ops
