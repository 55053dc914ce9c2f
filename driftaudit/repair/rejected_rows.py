"""Rows the rebuilt table would reject: NULLs under a new NOT NULL, rows a new CHECK fails.

SQLite checks NOT NULL and CHECK on every row the rebuild copies (``INSERT INTO new__t SELECT
... FROM t``), so one such row makes the whole repair migration fail. They are found here, on
the values the copy would write (the column sources: casts, renames, COALESCE with the model's
default), and set aside before the rebuild per ``fix.nulls`` / ``fix.check_violations``:
``quarantine`` (the default: whole rows with their reason; the reverse puts them back, since
the old schema allowed them), ``delete`` (copied into a backup table first) or ``fail``.

A NULL that the model's default can fill is filled, as Django's own ``AlterField`` does on
SQLite; only rows without any value to write are set aside.
"""

from __future__ import annotations

import sqlite3

from driftaudit.repair.names import backup_name, quarantine_name
from driftaudit.repair.plan import RowFix
from driftaudit.repair.problem import Problem
from driftaudit.repair.wording import say
from driftaudit.schema.catalog import Table
from driftaudit.sql import quote_identifier as q

ROWID = "driftaudit_rowid"


def rejected_rows(facts, target: Table, current: Table, renamed: dict, identity: str) -> list:
    """RowFix or Problem items for ``current``'s rows that ``target`` rejects."""
    out, count = [], 0
    nulls = _null_columns(facts, target, current, renamed)
    if nulls:
        where = " OR ".join(f"{q(old)} IS NULL" for _, old in nulls)
        count = facts.count_where(current.name, where)
        if count:
            out.append(_fix(facts, "nulls", target, current, where, count, identity,
                            columns=tuple(new for new, _ in nulls),
                            reason=f"NULL in NOT NULL column(s) {', '.join(new for new, _ in nulls)} "
                                   "(no default to fill it)"))
    new_checks = [c for c in target.checks if c not in set(current.checks)]
    if new_checks:
        # rows set aside for their NULLs are gone by then: not counted twice
        found = _check_violations(facts, target, current, renamed, new_checks,
                                  f"NOT ({where})" if nulls and count else "")
        if found is not None:
            where, count = found
            out.append(_fix(facts, "check_violations", target, current, where, count, identity,
                            columns=(), reason=f"fails CHECK ({' AND '.join(new_checks)})",
                            checks=" AND ".join(new_checks)))
    return out


def _null_columns(facts, target: Table, current: Table, renamed: dict) -> list[tuple[str, str]]:
    """(new, old) names of columns the target makes NOT NULL, nullable now, with nothing to fill."""
    out = []
    for col in target.columns:
        old = current.column(renamed.get(col.name.lower(), col.name))
        if old is None or not col.not_null or col.primary_key or old.not_null:
            continue
        if facts.null_fill(target, col) is None:
            out.append((col.name, old.name))
    return out


def _check_violations(facts, target: Table, current: Table, renamed: dict, checks: list[str], rest: str):
    """(where, count) of the rows whose copied values fail a CHECK the target adds, or None.

    The CHECK names the target's columns; it is evaluated over a subquery that gives each
    column the value the rebuild will write. A CHECK SQLite cannot evaluate here (it names a
    function this SQLite lacks) is left to the migration, which then says so itself.
    """
    sources, _ = facts.column_sources(target, current, renamed)
    values = [f"{s.expression or _omitted(target, s.column)} AS {q(s.column)}" for s in sources]
    copied = f"SELECT rowid AS {q(ROWID)}, {', '.join(values)} FROM {q(current.name)}"
    failing = " OR ".join(f"NOT ({c})" for c in checks)
    where = f"rowid IN (SELECT {q(ROWID)} FROM ({copied}) WHERE {failing})" + (f" AND {rest}" if rest else "")
    try:
        count = facts.count_where(current.name, where)
    except sqlite3.Error:
        return None
    return (where, count) if count else None


def _omitted(target: Table, column: str) -> str:
    """A column the copy leaves out gets its DEFAULT clause (or NULL)."""
    col = target.column(column)
    return f"({col.default})" if col is not None and col.default is not None else "NULL"


def _fix(facts, policy_name: str, target: Table, current: Table, where: str, count: int,
         identity: str, columns: tuple, reason: str, checks: str = ""):
    policy = facts.config.fix_policy(policy_name, target.name)
    short = "nulls" if policy_name == "nulls" else "checks"
    values = dict(table=current.name, count=count, columns=", ".join(columns), checks=checks,
                  sample=facts.sample(current.name, identity, where))
    if policy == "fail":
        return Problem(target.name, say("problem", short, **values))
    kind = f"{short}-{policy}"
    if policy == "quarantine":
        backup = quarantine_name(current.name, facts.taken)
        return RowFix(current.name, kind, where, columns, count, backup, say("rows", kind, backup=backup, **values),
                      identity, reason, tuple(c.name for c in current.columns))
    backup = backup_name(f"{current.name}__{short}", facts.taken)
    return RowFix(current.name, kind, where, columns, count, backup, say("rows", kind, backup=backup, **values),
                  identity)
