"""Faked migrations replayed: their own operations run now, instead of a rebuild.

A release's migration may do what no rebuild can: fill a new unique column from the rows before
making it unique (django-oauth-toolkit's 0012 computes ``token_checksum`` with ``RunPython``).
When the database is exactly what the applied history would be *without* an app's last
migrations - they were recorded with ``migrate --fake`` and never ran - the repair runs those
migrations' operations, data migrations included, against the state they were written for,
as ``migrate`` would have. Their records stay (they are true now).

Only then: any other difference on those tables (a hand-made index, a pending model change, a
migration partly run by hand) makes the tables the planner's again, to rebuild as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftaudit.explain.finding import SERIOUS, Finding
from driftaudit.schema.catalog import Table
from driftaudit.schema.diff import same_table
from driftaudit.schema.history_catalog import render_plan
from driftaudit.schema.read import Sources



@dataclass(frozen=True)
class Replay:
    """The faked tail of one app's history, to run for real."""

    app: str
    #: the migrations, in the order ``migrate`` applies them
    migrations: tuple[tuple[str, str], ...]
    #: lower-cased tables they change: the replay's, no other step touches them
    tables: frozenset


def faked_tails(sources: Sources, findings: list[Finding]) -> list[Replay]:
    """One :class:`Replay` per app whose drift is exactly its faked last migrations."""
    blamed: dict[str, set] = {}
    for f in findings:
        if f.cause == "faked-migration" and f.migration and f.severity in SERIOUS:
            app, name = f.migration.split(".", 1)
            blamed.setdefault(app, set()).add((app, name))
    out = []
    for app, keys in sorted(blamed.items()):
        replay = _replay(sources, app, keys, findings)
        if replay is not None:
            out.append(replay)
    return out


def _replay(sources: Sources, app: str, blamed: set, findings: list[Finding]) -> Replay | None:
    history = sources.history
    plan = history.applied_plan
    if not blamed <= set(plan):
        return None
    first = min(plan.index(k) for k in blamed)
    tail = tuple(k for k in plan[first:] if k[0] == app)
    rendered = render_plan(history, history.applied_plan, set(tail))  # the history without the tail
    if rendered is None:
        return None  # a later migration needs the tail: no replay, rebuild instead
    before = rendered[0]
    h, d, m = sources.h_cat, sources.d_cat, sources.m_cat
    names = (set(before.tables) | set(h.tables)) - sources.not_model_tables
    touched = frozenset(n for n in names if not same_table(before.table(n), h.table(n)))
    labels = {f"{a}.{n}" for a, n in tail}
    if not touched:
        return None
    for f in findings:
        table = (f.table or "").lower()
        if f.severity not in SERIOUS or not table:
            continue
        ours = f.cause == "faked-migration" and f.migration in labels
        if ours != (table in touched):  # another cause on these tables, or a drift elsewhere
            return None
    for name in touched:
        # the database is the history without the tail; the models want what the tail makes
        if not same_table(before.table(name), d.table(name)) or not same_table(m.table(name), h.table(name)):
            return None
        if _drops_data(before.table(name), h.table(name)):
            return None  # a faked DeleteModel/RemoveField: the rebuild backs the rows up first
        if _alters_generated(before.table(name), h.table(name)):
            return None  # Django refuses to run it ("Modifying GeneratedFields is not supported")
    return Replay(app, tail, touched)


def _alters_generated(was: Table | None, becomes: Table | None) -> bool:
    """Does the tail change how a column is generated (an ``AlterField`` of a ``GeneratedField``,
    or a field made generated or written)? Django's schema editor raises on it; the rebuild can."""
    if was is None or becomes is None:
        return False
    for column in becomes.columns:
        old = was.column(column.name)
        if old is not None and old.generation != column.generation:
            return True
    return False


def _drops_data(was: Table | None, becomes: Table | None) -> bool:
    """Would the tail drop a table or a column (a rename too: the rebuild's column mapping is
    surer than the replay when other drift hides the pair)?"""
    if was is None:
        return False
    if becomes is None:
        return True
    kept = {c.name.lower() for c in becomes.columns}
    return any(c.name.lower() not in kept for c in was.columns)
