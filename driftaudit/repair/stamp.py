"""``driftaudit stamp``: record the migrations whose work the database already has.

A database without ``django_migrations`` (restored from a schema dump, copied table by table,
made by an old deploy script), or whose records were lost, stops every ``migrate`` ("table
already exists"). Flyway calls the fix *baseline*, Alembic *stamp*, Django has ``migrate
--fake-initial`` (first migrations only) and ``--fake`` (everything, blindly). This decides per
migration, from the database's own tables and columns:

- a migration is *made* when every table it creates and every column it adds is there (objects
  a later migration removes again are not evidence either way);
- it is *not made* when none of them is there, and *partly made* otherwise;
- one that creates or adds nothing (AlterField, RemoveField, RunPython, indexes) follows its
  neighbours: before a made one it is recorded; after the last made one, as far as the schema
  of the app's tables rendered with it equals the database's.

Per app, every migration up to the last one that is made is recorded - unless one of them is
not made or partly made: then the database does not match that history and nothing is
recorded (the refusal names the migration and what is missing). A migration whose dependency
in another app stays unrecorded is not recorded either (``migrate`` would refuse the
history). Writing goes through :mod:`driftaudit.repair.record`: only with ``--apply``, after
a backup copy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from driftaudit.repair.record import makes_a_table
from driftaudit.sources.history import History, migration_label


@dataclass(frozen=True)
class Stamping:
    """The records ``stamp`` would write (or wrote: ``applied``), and why it would not write some."""

    records: tuple[tuple[str, str], ...]
    #: (app, why): the database does not match this app's migrations
    refused: tuple[tuple[str, str], ...] = ()
    applied: bool = False
    #: the copy of the database taken before the records were written
    backup: Path | None = None


def plan_stamp(history: History, d_cat) -> Stamping:
    graph = history.loader.graph
    leaves = [k for k in graph.leaf_nodes()]
    order = [k for k in graph._generate_plan(leaves, at_end=True)] if leaves else []
    pending = [k for k in order if k not in history.records]
    by_app: dict[str, list] = {}
    for key in order:
        by_app.setdefault(key[0], []).append(key)
    chosen: set = set()
    refused = []
    for app, keys in sorted(by_app.items()):
        verdicts = [(key, _made(history, d_cat, key)) for key in keys]
        last = max((i for i, (_, v) in enumerate(verdicts) if v[0] == "made"), default=-1)
        if last < 0:
            continue
        wrong = [(key, v) for key, v in verdicts[:last + 1] if v[0] in ("absent", "partial")]
        if wrong:
            key, (_, missing) = wrong[0]
            refused.append((app, f"{migration_label(key)} comes before {migration_label(verdicts[last][0])}, "
                                 f"whose work the database has, but the database lacks what it makes "
                                 f"({', '.join(missing)})"))
            continue
        # migrations after it that create or add nothing (AlterField, RemoveField, indexes):
        # recorded as far as the schema they leave is the database's
        silent = 0
        while last + silent + 1 < len(verdicts) and verdicts[last + silent + 1][1][0] == "silent":
            silent += 1
        last = next((last + n for n in range(silent, 0, -1)
                     if _matches(history, order, app, keys[last + n + 1:], d_cat)), last)
        chosen |= {key for key, _ in verdicts[:last + 1] if key not in history.records}
    chosen = _closed(graph, chosen, set(history.records))
    return Stamping(tuple(k for k in pending if k in chosen), tuple(refused))


def _matches(history: History, order: list, app: str, left_out: list, d_cat) -> bool:
    """Do ``app``'s tables in the state of the whole plan without ``left_out`` equal the database's?"""
    from driftaudit.schema.diff import same_table
    from driftaudit.schema.history_catalog import render_plan

    rendered = render_plan(history, order, set(left_out))
    if rendered is None:
        return False  # a later migration needs the left-out ones: not this cut
    catalog, state = rendered
    tables = {m._meta.db_table.lower() for m in state.apps.get_app_config(app).get_models(include_auto_created=True)}
    return all(same_table(catalog.table(t), d_cat.table(t)) for t in tables if catalog.table(t) is not None)


def _closed(graph, chosen: set, recorded: set) -> set:
    """``chosen`` without the migrations whose dependencies would stay unrecorded."""
    changed = True
    while changed:
        changed = False
        for key in sorted(chosen):
            parents = {p.key for p in graph.node_map[key].parents}
            if not parents <= chosen | recorded:
                chosen.discard(key)
                changed = True
    return chosen


def _made(history: History, d_cat, key) -> tuple[str, list[str]]:
    """("made" | "absent" | "partial" | "silent", what is missing)."""
    from django.db.migrations.operations import AddField, CreateModel

    node = history.loader.graph.nodes.get(key)
    state = history.leaf_state
    present, missing = [], []
    for op in getattr(node, "operations", []):
        if isinstance(op, CreateModel):
            model, field = state.models.get((key[0], op.name_lower)) if state is not None else None, None
        elif isinstance(op, AddField):
            model = state.models.get((key[0], op.model_name_lower)) if state is not None else None
            field = model.fields.get(op.name) if model is not None else None
            if field is None or field.many_to_many:
                continue  # removed again later, or a join table: no column to look for
        else:
            continue
        if model is None:
            continue  # removed again later: its absence says nothing
        if not makes_a_table(model.options):
            continue  # a proxy or unmanaged model: nothing of it is in the database
        table_name = model.options.get("db_table") or f"{key[0]}_{model.name_lower}"
        table = d_cat.table(table_name)
        if field is None:
            (present if table is not None else missing).append(f"table {table_name}")
            continue
        column = field.db_column or (f"{op.name}_id" if field.is_relation else op.name)
        found = table is not None and table.column(column) is not None
        (present if found else missing).append(f"column {table_name}.{column}")
    if not present and not missing:
        return "silent", []
    if not missing:
        return "made", []
    return ("absent" if not present else "partial"), missing


def stamp(project, history: History, d_cat, apply: bool) -> Stamping:
    """The stamping of this database; with ``apply`` (and nothing refused) the records are
    written through :func:`driftaudit.repair.record.record`, after a backup copy."""
    from driftaudit.repair.record import record

    planned = plan_stamp(history, d_cat)
    if not apply or planned.refused or not planned.records:
        return planned
    done = record(project, planned.records, apply=True)
    return replace(planned, applied=True, backup=done.backup)
