"""Model edits a developer makes between two migrations, as pure functions on the specs.

Each edit returns the new apps and an :class:`Edit` naming the tables it changes (old and new
names) and whether ``makemigrations`` will ask a rename question (answered "yes").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from generator.spec import (DEFAULTS, ORDERED, App, Features, Field, Model, draw_scalar, with_model)


@dataclass(frozen=True)
class Edit:
    kind: str
    app: str
    tables: frozenset  # lower-cased table names the edit changes (before and after)
    renames: bool = False  # makemigrations asks "Did you rename ...?"
    description: str = ""
    #: SQL (sqlite3 shell) writing a row the edited model rejects and the database before the
    #: edit accepts: played when the edit never reaches the database (faked, pending, regenerated)
    violation: str = ""


def _one_row(table: str, sets: str) -> str:
    return f'UPDATE "{table}" SET {sets} WHERE rowid = (SELECT min(rowid) FROM "{table}");'


def _models(apps, plain_only=True):
    for app in apps:
        for m in app.models:
            if m.concrete and (not plain_only or (not m.composite_pk)):
                yield app, m


def _tables(apps, model: Model) -> set:
    """The model's table and its auto-created join tables."""
    names = {model.table().lower()}
    names |= {f"{model.table()}_{f.name}".lower() for f in model.fields if f.kind == "m2m" and not f.through}
    return names


def _children(apps, model: Model) -> set:
    """Tables whose keys point at ``model`` (their REFERENCES text names its table)."""
    out = set()
    for _, m in _models(apps, plain_only=False):
        for f in m.fields:
            if f.target == model.label and f.kind in ("fk", "o2o") and m.label != model.label:
                out.add(m.table().lower())
            if f.target == model.label and f.kind == "m2m" and not f.through:
                out.add(f"{m.table()}_{f.name}".lower())
        if m.parent == model.label:
            out.add(m.table().lower())
    return out


def _replace_app(apps, app: App) -> tuple:
    return tuple(app if a.label == app.label else a for a in apps)


def add_field(rng, apps, features):
    app, m = rng.choice(list(_models(apps)))
    name = "added_" + rng.choice(("a", "b", "c", "d")) + str(rng.randint(1, 99))
    if m.field(name):
        return None
    f = draw_scalar(rng, name, features)
    if not f.null and f.default is None and f.db_default is None:
        f = replace(f, default=DEFAULTS[f.kind])
    f = replace(f, unique=False)
    new = replace(m, fields=m.fields + (f,))
    return _replace_app(apps, with_model(app, new)), Edit("add-field", app.label, frozenset(_tables(apps, m)),
                                                          description=f"add {m.label}.{name} ({f.kind})")


def remove_field(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind not in ("m2m",) and not f.generated and f.name not in m.composite_pk
                  and not any(g.source == f.name for g in m.fields)
                  and not _constrained(m, f.name) and len([x for x in m.fields if x.kind != "m2m"]) > 1
                  and not (f.kind == "fk" and _is_through(apps, m))]  # Django refuses (fields.E336)
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    new = replace(m, fields=tuple(x for x in m.fields if x.name != f.name))
    return _replace_app(apps, with_model(app, new)), Edit("remove-field", app.label, frozenset(_tables(apps, m)),
                                                          description=f"remove {m.label}.{f.name}")


def rename_field(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind in SCALAR_RENAMABLE and not f.generated and f.name not in m.composite_pk
                  and not any(g.source == f.name for g in m.fields) and not _constrained(m, f.name)]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    new_name = f.name + "_renamed"
    new = replace(m, fields=tuple(replace(x, name=new_name) if x.name == f.name else x for x in m.fields))
    return _replace_app(apps, with_model(app, new)), Edit("rename-field", app.label, frozenset(_tables(apps, m)),
                                                          renames=True,
                                                          description=f"rename {m.label}.{f.name} -> {new_name}")


SCALAR_RENAMABLE = ("char", "int", "text", "bool", "date", "float", "slug", "email")


def alter_field(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind in ("char", "int", "smallint", "text", "bool", "date") and not f.generated
                  and f.name not in m.composite_pk and not any(g.source == f.name for g in m.fields)
                  and not _constrained(m, f.name)]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    roll = rng.random()
    if f.kind == "smallint" and roll < 0.5:
        g, what = replace(f, kind="bigint"), "widen to bigint"
    elif f.null:
        g, what = replace(f, null=False, default=f.default or DEFAULTS[f.kind]), "make NOT NULL"
    elif roll < 0.5:
        g, what = replace(f, null=True), "make nullable"
    else:
        g, what = replace(f, db_index=not f.db_index, unique=False), "toggle db_index"
    new = replace(m, fields=tuple(g if x.name == f.name else x for x in m.fields))
    return _replace_app(apps, with_model(app, new)), Edit("alter-field", app.label, frozenset(_tables(apps, m)),
                                                          description=f"{what}: {m.label}.{f.name}")


def add_unique(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind in ORDERED and not f.null and not f.unique and not f.generated
                  and f.db_default is None and f.name not in m.composite_pk]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    new = replace(m, fields=tuple(replace(x, unique=True, db_index=False) if x.name == f.name else x
                                  for x in m.fields))
    t, c = m.table(), f.db_column or f.name
    duplicate = f'UPDATE "{t}" SET "{c}" = (SELECT "{c}" FROM "{t}" ORDER BY rowid LIMIT 1) ' \
                f'WHERE rowid = (SELECT max(rowid) FROM "{t}");'
    return _replace_app(apps, with_model(app, new)), Edit("add-unique", app.label, frozenset(_tables(apps, m)),
                                                          description=f"unique {m.label}.{f.name}",
                                                          violation=duplicate)


def add_check(rng, apps, features):
    """A CheckConstraint (value >= 0) on a plain integer field."""
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind in ("int", "bigint", "smallint") and not f.generated and f.db_default is None
                  and f.name not in m.composite_pk and not _constrained(m, f.name)
                  and not any(g.source == f.name for g in m.fields)]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    name = f"{m.name.lower()[:8]}_{f.name[:8]}_nonneg"
    new = replace(m, constraints=m.constraints + (("check", name, f.name, 0),))
    violation = _one_row(m.table(), f'"{f.db_column or f.name}" = -7')
    return _replace_app(apps, with_model(app, new)), Edit("add-check", app.label, frozenset(_tables(apps, m)),
                                                          description=f"check {m.label}.{f.name} >= 0",
                                                          violation=violation)


def require_value(rng, apps, features):
    """A nullable field made NOT NULL with no default: makemigrations (non-interactive) leaves
    the NULLs to the developer, so only drifts that never run it on the rows draw it."""
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields
                  if f.kind in ("char", "int", "smallint", "date") and f.null and not f.generated
                  and f.db_default is None and f.name not in m.composite_pk and not _constrained(m, f.name)
                  and not any(g.source == f.name for g in m.fields)]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    new = replace(m, fields=tuple(replace(x, null=False, default=None) if x.name == f.name else x
                                  for x in m.fields))
    violation = _one_row(m.table(), f'"{f.db_column or f.name}" = NULL')
    return _replace_app(apps, with_model(app, new)), Edit("require-value", app.label, frozenset(_tables(apps, m)),
                                                          description=f"NOT NULL, no default: {m.label}.{f.name}",
                                                          violation=violation)


def add_index(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields if f.kind in ORDERED and not f.generated]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    name = f"{m.name.lower()[:6]}_{f.name[:8]}_added_ix"
    if any(c[1] == name for c in m.constraints):
        return None
    new = replace(m, constraints=m.constraints + (("index", name, (f.name,), None),))
    return _replace_app(apps, with_model(app, new)), Edit("add-index", app.label, frozenset(_tables(apps, m)),
                                                          description=f"index {name} on {m.label}.{f.name}")


def remove_constraint(rng, apps, features):
    candidates = [(a, m, c) for a, m in _models(apps) for c in m.constraints]
    if not candidates:
        return None
    app, m, c = rng.choice(candidates)
    new = replace(m, constraints=tuple(x for x in m.constraints if x != c))
    return _replace_app(apps, with_model(app, new)), Edit("remove-constraint", app.label, frozenset(_tables(apps, m)),
                                                          description=f"drop {c[0]} {c[1]} of {m.label}")


def add_model(rng, apps, features):
    app = rng.choice(apps)
    name = "Extra" + str(rng.randint(1, 999))
    if app.model(name):
        return None
    targets = [m for _, m in _models(apps)]
    fields = (draw_scalar(rng, "label", features, nullable_ok=False),)
    if targets and rng.random() < 0.6:
        t = rng.choice(targets)
        fields += (Field("owner", "fk", null=True, target=t.label, on_delete="SET_NULL"),)
    m = Model(app.label, name, fields)
    return _replace_app(apps, replace(app, models=app.models + (m,))), Edit(
        "add-model", app.label, frozenset({m.table().lower()}), description=f"add model {m.label}")


def remove_model(rng, apps, features):
    candidates = [(a, m) for a, m in _models(apps, plain_only=False)
                  if not _referenced(apps, m) and not any(x.parent == m.label or x.proxy_of == m.label
                                                          for _, x in _all(apps))]
    if not candidates:
        return None
    app, m = rng.choice(candidates)
    new_app = replace(app, models=tuple(x for x in app.models if x.name != m.name))
    if not [x for x in new_app.models if x.concrete]:
        return None
    return _replace_app(apps, new_app), Edit("remove-model", app.label, frozenset(_tables(apps, m)),
                                             description=f"remove model {m.label}")


def rename_model(rng, apps, features):
    candidates = [(a, m) for a, m in _models(apps) if m.db_table is None and not m.parent
                  and not any(x.parent == m.label or x.proxy_of == m.label for _, x in _all(apps))
                  and not any(f.through == m.label for _, x in _all(apps) for f in x.fields)]
    if not candidates:
        return None
    app, m = rng.choice(candidates)
    new_name = m.name + "Renamed"
    new_label = f"{app.label}.{new_name}"
    renamed = replace(m, name=new_name)
    tables = _tables(apps, m) | _tables(apps, renamed) | _children(apps, m)
    new_apps = []
    for a in _replace_app(apps, replace(app, models=tuple(renamed if x.name == m.name else x for x in app.models))):
        models = []
        for x in a.models:
            fields = tuple(replace(f, target=new_label) if f.target == m.label else f for f in x.fields)
            models.append(replace(x, fields=fields))
        new_apps.append(replace(a, models=tuple(models)))
    return tuple(new_apps), Edit("rename-model", app.label, frozenset(tables), renames=True,
                                 description=f"rename model {m.label} -> {new_name}")


def change_db_table(rng, apps, features):
    candidates = [(a, m) for a, m in _models(apps) if not m.parent]
    if not candidates:
        return None
    app, m = rng.choice(candidates)
    new = replace(m, db_table=f"moved_{app.label}_{m.name.lower()}")
    tables = _tables(apps, m) | _tables(apps, new) | _children(apps, m)
    return _replace_app(apps, with_model(app, new)), Edit("db-table", app.label, frozenset(tables),
                                                          description=f"db_table of {m.label} -> {new.db_table}")


def add_m2m(rng, apps, features):
    app, m = rng.choice(list(_models(apps)))
    targets = [t for _, t in _models(apps)]
    t = rng.choice(targets)
    name = f"linked_{t.name.lower()}"
    if any(x.field(name) for x in _related_by_inheritance(apps, m)):
        return None  # a parent's or child's field of that name clashes (FieldError; seed 10275)
    new = replace(m, fields=m.fields + (Field(name, "m2m", target=t.label),))
    return _replace_app(apps, with_model(app, new)), Edit("add-m2m", app.label,
                                                          frozenset({f"{m.table()}_{name}".lower()}),
                                                          description=f"add m2m {m.label}.{name}")


def remove_m2m(rng, apps, features):
    candidates = [(a, m, f) for a, m in _models(apps) for f in m.fields if f.kind == "m2m" and not f.through]
    if not candidates:
        return None
    app, m, f = rng.choice(candidates)
    new = replace(m, fields=tuple(x for x in m.fields if x.name != f.name))
    return _replace_app(apps, with_model(app, new)), Edit("remove-m2m", app.label,
                                                          frozenset({f"{m.table()}_{f.name}".lower()}),
                                                          description=f"remove m2m {m.label}.{f.name}")


EDITS = (add_field, remove_field, rename_field, alter_field, add_unique, add_index, remove_constraint,
         add_model, remove_model, rename_model, change_db_table, add_m2m, remove_m2m)
#: edits whose migration cannot run on the rows they make invalid: drawn only by drifts that
#: never run it (faked, pending, regenerated)
UNRUN_EDITS = EDITS + (add_check, require_value)


def draw_edit(rng: random.Random, apps: tuple, features: Features, kinds=EDITS):
    for _ in range(20):
        result = rng.choice(kinds)(rng, apps, features)
        if result is not None:
            return result
    return None


def _related_by_inheritance(apps, m) -> list:
    """``m``, its parents (abstract or multi-table) and every model inheriting from it."""
    by_label = {x.label: x for _, x in _all(apps)}
    family, parent = [m], m.parent
    while parent in by_label:
        family.append(by_label[parent])
        parent = by_label[parent].parent
    labels = {x.label for x in family}
    changed = True
    while changed:
        children = [x for x in by_label.values() if x.parent in labels and x.label not in labels]
        family += children
        labels |= {x.label for x in children}
        changed = bool(children)
    return family


def _is_through(apps, m) -> bool:
    """Is ``m`` a ManyToManyField's ``through`` model (its keys are that field's two ends)?"""
    return any(f.through == m.label for _, x in _all(apps) for f in x.fields)


def _all(apps):
    for a in apps:
        for m in a.models:
            yield a, m


def _referenced(apps, model: Model) -> bool:
    """Does another model point at ``model`` (a key, or a ManyToManyField ``through`` it)?"""
    return any(model.label in (f.target, f.through) for _, m in _all(apps) for f in m.fields
               if m.label != model.label)


def _constrained(model: Model, field_name: str) -> bool:
    """Is the field named by a constraint, an index or unique_together (edits leave those alone)."""
    for c in model.constraints:
        names = c[2] if isinstance(c[2], tuple) else (c[2],)
        if field_name in {n.lstrip("-") for n in names} or (len(c) > 3 and c[3] and c[3][0] == field_name):
            return True
    return any(field_name in pair for pair in model.unique_together)
