"""Apps, models and fields as data, drawn from a seed and rendered to ``models.py`` source.

Everything a case contains is a frozen dataclass, so a case can be printed, compared and
replayed; ``render_app`` is the only place that writes Python. Features that need a newer
Django (``db_default``, ``GeneratedField``, ``CompositePrimaryKey``) are drawn only when the
Django that will run the project has them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

#: scalar field kinds: name -> (Django class, extra keyword arguments)
SCALARS = {
    "char": ("CharField", {"max_length": 40}),
    "text": ("TextField", {}),
    "int": ("IntegerField", {}),
    "bigint": ("BigIntegerField", {}),
    "smallint": ("SmallIntegerField", {}),
    "posint": ("PositiveIntegerField", {}),
    "possmall": ("PositiveSmallIntegerField", {}),
    "posbig": ("PositiveBigIntegerField", {}),
    "bool": ("BooleanField", {}),
    "float": ("FloatField", {}),
    "decimal": ("DecimalField", {"max_digits": 8, "decimal_places": 2}),
    "date": ("DateField", {}),
    "datetime": ("DateTimeField", {}),
    "time": ("TimeField", {}),
    "duration": ("DurationField", {}),
    "email": ("EmailField", {}),
    "url": ("URLField", {}),
    "slug": ("SlugField", {}),
    "uuid": ("UUIDField", {}),
    "json": ("JSONField", {}),
    "binary": ("BinaryField", {}),
    "ip": ("GenericIPAddressField", {}),
    "file": ("FileField", {"upload_to": "'files/'"}),
}
#: a Python expression (of the row number ``i``) giving a valid value of each kind
VALUES = {
    "char": "f'v{i}'", "text": "f'text {i}'", "int": "i", "bigint": "i * 1000003", "smallint": "i",
    "posint": "i", "possmall": "i", "posbig": "i", "bool": "i % 2 == 0", "float": "i * 1.5",
    "decimal": "Decimal(i) / 4", "date": "date(2020, 1, 1) + timedelta(days=i)",
    "datetime": "datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(hours=i)",
    "time": "time(i % 24, 30)", "duration": "timedelta(minutes=i)", "email": "f'u{i}@example.com'",
    "url": "f'https://example.com/{i}'", "slug": "f's-{i}'", "uuid": "UUID(int=i + 1)",
    "json": "{'n': i}", "binary": "bytes([i % 256])", "ip": "f'10.0.0.{i % 250 + 1}'",
    "file": "f'files/{i}.txt'",
}
#: a literal default per kind (for fields added to tables that have rows)
DEFAULTS = {
    "char": "'d'", "text": "''", "int": "0", "bigint": "0", "smallint": "0", "posint": "0", "possmall": "0",
    "posbig": "0", "bool": "False", "float": "0.0", "decimal": "Decimal('0')", "date": "date(2000, 1, 1)",
    "email": "'d@example.com'", "url": "'https://example.com'", "slug": "'d'", "ip": "'10.0.0.1'",
    "file": "''", "json": "dict", "uuid": "uuid4", "datetime": "datetime(2000, 1, 1, tzinfo=timezone.utc)",
    "time": "time(0, 0)", "duration": "timedelta(0)", "binary": "b''",
}
#: kinds that SQLite can compare in a CHECK or a unique index without surprises
ORDERED = ("int", "bigint", "smallint", "posint", "char", "slug", "date")
#: what a ``__gte=0`` condition can compare
NUMERIC_KINDS = ("int", "bigint", "smallint", "posint")
ON_DELETE = ("CASCADE", "PROTECT", "SET_NULL", "DO_NOTHING", "RESTRICT", "SET_DEFAULT")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # a SCALARS key, or "fk", "o2o", "m2m"
    null: bool = False
    unique: bool = False
    default: str | None = None  # a Python expression
    db_default: str | None = None
    db_index: bool = False
    db_column: str | None = None
    target: str | None = None  # "app.Model" for relations
    on_delete: str = "CASCADE"
    through: str | None = None  # m2m: "app.Model"
    generated: str | None = None  # GeneratedField: "stored" or "virtual" (over ``source``)
    source: str | None = None
    #: a GeneratedField's expression as Python source (default: ``models.F(source) * 2``)
    expression: str | None = None


@dataclass(frozen=True)
class Model:
    app: str
    name: str
    fields: tuple[Field, ...]
    db_table: str | None = None
    abstract: bool = False
    parent: str | None = None  # "app.Model": abstract base or MTI parent
    proxy_of: str | None = None
    managed: bool = True
    unique_together: tuple[tuple[str, ...], ...] = ()
    #: ("unique", name, fields, condition|None) · ("check", name, field, minimum) ·
    #: ("index", name, fields(with -desc), condition|None) · ("lower", name, field) (an index) ·
    #: ("unique-lower", name, field) (a UniqueConstraint on an expression)
    constraints: tuple[tuple, ...] = ()
    composite_pk: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.app}.{self.name}"

    @property
    def concrete(self) -> bool:
        return not self.abstract and self.proxy_of is None and self.managed

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def table(self) -> str:
        return self.db_table or f"{self.app}_{self.name.lower()}"


@dataclass(frozen=True)
class App:
    label: str
    models: tuple[Model, ...]

    def model(self, name: str) -> Model | None:
        return next((m for m in self.models if m.name == name), None)


@dataclass(frozen=True)
class Features:
    """What the Django that runs the project supports."""

    version: tuple[int, int]

    @property
    def db_default(self) -> bool:
        return self.version >= (5, 0)

    @property
    def generated(self) -> bool:
        return self.version >= (5, 0)

    @property
    def composite_pk(self) -> bool:
        return self.version >= (5, 2)

    @property
    def check_keyword(self) -> str:
        return "condition" if self.version >= (5, 1) else "check"


WORDS = ("alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta", "zeta",
         "tau", "rho", "iota", "nu", "xi", "phi", "chi", "psi", "eta", "mu", "epsilon", "upsilon")
MODEL_WORDS = ("Author", "Book", "Shelf", "Tag", "Order", "Item", "Invoice", "Customer", "Note",
               "Room", "Event", "Ticket", "Badge", "Plan", "Track", "Album", "Photo", "Venue")


def draw_scalar(rng: random.Random, name: str, features: Features, nullable_ok: bool = True) -> Field:
    kind = rng.choice(list(SCALARS))
    null = nullable_ok and rng.random() < 0.3 and kind not in ("file",)
    default = DEFAULTS[kind] if rng.random() < 0.25 else None
    db_default = None
    if features.db_default and default is None and rng.random() < 0.1 and kind in ("int", "char", "bool"):
        db_default = {"int": "7", "char": "'x'", "bool": "True"}[kind]
    unique = kind in ORDERED and not null and rng.random() < 0.1
    return Field(name, kind, null=null, default=default, db_default=db_default, unique=unique,
                 db_index=not unique and rng.random() < 0.1,
                 db_column=f"{name}_col" if rng.random() < 0.05 else None)


def draw_apps(rng: random.Random, features: Features) -> tuple[App, ...]:
    """One to three apps, two to five models each, keys within and across apps."""
    labels = ["app" + w for w in rng.sample(WORDS, rng.randint(1, 3))]
    names = iter(rng.sample(MODEL_WORDS, len(MODEL_WORDS)))
    apps, known = [], []  # known: concrete models usable as FK targets, in creation order
    for label in labels:
        models = []
        if rng.random() < 0.3:  # an abstract base that some models extend
            base = Model(label, "Base" + label.capitalize()[3:], (draw_scalar(rng, "created", features),),
                         abstract=True)
            models.append(base)
        for _ in range(rng.randint(2, 5)):
            name = next(names, None)
            if name is None:
                break
            models.append(_draw_model(rng, label, name, models, known, features))
            if models[-1].concrete and not models[-1].composite_pk:
                known.append(models[-1])
        if rng.random() < 0.25:
            models = _with_through_model(rng, label, models, known)
        apps.append(App(label, tuple(models)))
    return tuple(apps)


def _with_through_model(rng, label, models, known) -> list:
    """A ManyToManyField with an explicit ``through`` model holding both keys and a column."""
    sources = [m for m in models if m.concrete and not m.composite_pk]
    if not sources or not known:
        return models
    source, target = rng.choice(sources), rng.choice(known)
    link = Model(label, f"{source.name}{target.name}Link", (
        Field("src", "fk", target=source.label, on_delete="CASCADE"),
        Field("dst", "fk", target=target.label, on_delete="CASCADE"),
        Field("weight", "int", default="0"),
    ))
    field = Field(f"{source.name.lower()}_linked", "m2m", target=target.label, through=link.label)
    source = replace(source, fields=source.fields + (field,))
    return [source if m.name == source.name else m for m in models] + [link]


def _draw_model(rng, label, name, siblings, known, features) -> Model:
    abstract_bases = [m for m in siblings if m.abstract]
    concrete_here = [m for m in siblings if m.concrete and not m.composite_pk and m.parent is None]
    parent = None
    roll = rng.random()
    if roll < 0.08 and concrete_here:
        return Model(label, name, (), proxy_of=rng.choice(concrete_here).label)
    if roll < 0.16 and concrete_here:
        parent = rng.choice(concrete_here)  # multi-table inheritance
    elif roll < 0.35 and abstract_bases:
        parent = abstract_bases[0]
    inherited = {f.name for f in parent.fields} if parent else set()
    words = [w for w in WORDS if w not in inherited]
    fields = [draw_scalar(rng, f"{w}", features) for w in rng.sample(words, rng.randint(1, 4))]
    parent = parent.label if parent else None
    if known and rng.random() < 0.7:
        target = rng.choice(known)
        on_delete = rng.choice(ON_DELETE)
        null = on_delete in ("SET_NULL", "SET_DEFAULT") or rng.random() < 0.3
        kind = "o2o" if rng.random() < 0.15 else "fk"
        fields.append(Field(f"{name.lower()}_{target.name.lower()}_ref", kind, null=null, target=target.label,
                            on_delete=on_delete, default="None" if on_delete == "SET_DEFAULT" else None))
    if rng.random() < 0.1:  # a key to a contrib app's model
        fields.append(Field(f"{name.lower()}_user", "fk", null=True, target="auth.User",
                            on_delete=rng.choice(("SET_NULL", "CASCADE", "PROTECT"))))
    if rng.random() < 0.15:  # a self key
        fields.append(Field(f"{name.lower()}_parent", "fk", null=True, target=f"{label}.{name}", on_delete="SET_NULL"))
    if known and rng.random() < 0.25:
        target = rng.choice(known)
        fields.append(Field(f"{name.lower()}_{target.name.lower()}_set", "m2m", target=target.label))
    constraints = []
    ordered = [f for f in fields if f.kind in ORDERED and not f.null and not f.unique and f.db_default is None]
    unique_together = ()
    if len(ordered) >= 2 and rng.random() < 0.2:
        pair = tuple(sorted(f.name for f in rng.sample(ordered, 2)))
        if rng.random() < 0.5:
            unique_together = (pair,)
        else:
            condition = None if rng.random() < 0.5 else (pair[0], "gte", 0)
            if condition and next(f for f in ordered if f.name == pair[0]).kind not in NUMERIC_KINDS:
                condition = None  # date__gte=0 cannot even be written (seeds 11130, 11235)
            constraints.append(("unique", f"{name.lower()}_{pair[0]}_{pair[1]}_uniq", pair, condition))
    numeric = [f for f in fields if f.kind in ("int", "bigint", "smallint") and not f.null]
    if numeric and rng.random() < 0.25:
        constraints.append(("check", f"{name.lower()}_{numeric[0].name}_min", numeric[0].name, 0))
    if ordered and rng.random() < 0.25:
        f = rng.choice(ordered)
        desc = rng.random() < 0.5
        condition = (numeric[0].name, "gte", 0) if numeric and rng.random() < 0.3 else None
        constraints.append(("index", f"{name.lower()[:8]}_{f.name[:6]}_ix", (("-" if desc else "") + f.name,), condition))
    chars = [f for f in fields if f.kind in ("char", "slug")]
    if chars and rng.random() < 0.1:
        constraints.append(("lower", f"{name.lower()[:8]}_lower_ix", chars[0].name))
    if features.generated and numeric and rng.random() < 0.1:
        fields.append(Field("doubled", "int", generated=rng.choice(("stored", "virtual")), source=numeric[0].name))
    composite = ()
    if features.composite_pk and parent is None and len(ordered) >= 2 and rng.random() < 0.08:
        composite = tuple(f.name for f in ordered[:2])
        # Django supports no relation *to* a model with a CompositePrimaryKey (fields.E347):
        # not its own self key, and no ManyToManyField (its join table would point back at it)
        fields = [f for f in fields if f.kind != "m2m" and f.target != f"{label}.{name}"]
    return Model(label, name, tuple(fields), db_table=f"t_{label}_{name.lower()}" if rng.random() < 0.1 else None,
                 parent=parent, unique_together=unique_together, constraints=tuple(constraints),
                 composite_pk=composite, managed=rng.random() > 0.04)


# -- rendering --------------------------------------------------------------------------------
HEADER = """import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

from django.db import models
from django.db.models.functions import Concat, Lower, Now
"""


def render_field(f: Field, model: Model, features: Features) -> str:
    opts = []
    if f.generated:
        stored = "True" if f.generated == "stored" else "False"
        expression = f.expression or f"models.F({f.source!r}) * 2"
        output = f"models.{SCALARS[f.kind][0]}({', '.join(f'{k}={v}' for k, v in SCALARS[f.kind][1].items())})"
        return f"models.GeneratedField(expression={expression}, output_field={output}, db_persist={stored})"
    if f.kind in ("fk", "o2o"):
        cls = "ForeignKey" if f.kind == "fk" else "OneToOneField"
        target = "'self'" if f.target == model.label else repr(f.target)
        opts = [target, f"on_delete=models.{f.on_delete}", "related_name='+'" if f.kind == "fk" else
                f"related_name='{model.name.lower()}_{f.name}'"]
        if f.null:
            opts += ["null=True", "blank=True"]
        if f.default is not None:
            opts.append(f"default={f.default}")
        if f.db_default is not None:  # (Django 6.1's DB_SET_DEFAULT needs one)
            opts.append(f"db_default={f.db_default}")
        if f.db_column:
            opts.append(f"db_column={f.db_column!r}")
        return f"models.{cls}({', '.join(opts)})"
    if f.kind == "m2m":
        opts = [repr(f.target), "related_name='+'", "blank=True"]
        if f.through:
            opts += [f"through={f.through!r}", "through_fields=('src', 'dst')"]
        return f"models.ManyToManyField({', '.join(opts)})"
    cls, extra = SCALARS[f.kind]
    opts = [f"{k}={v}" for k, v in extra.items()]
    if f.null:
        opts += ["null=True", "blank=True"]
    if f.unique:
        opts.append("unique=True")
    if f.db_index:
        opts.append("db_index=True")
    if f.default is not None:
        opts.append(f"default={f.default}")
    if f.db_default is not None:
        opts.append(f"db_default={f.db_default}")
    if f.db_column:
        opts.append(f"db_column={f.db_column!r}")
    return f"models.{cls}({', '.join(opts)})"


def _q(condition) -> str:
    field_name, lookup, value = condition
    return f"models.Q({field_name}__{lookup}={value!r})"


def render_model(m: Model, features: Features) -> str:
    bases = "models.Model"
    if m.proxy_of:
        bases = m.proxy_of.split(".")[1]
    elif m.parent:
        bases = m.parent.split(".")[1]
    lines = [f"class {m.name}({bases}):"]
    if m.composite_pk:
        lines.append(f"    pk = models.CompositePrimaryKey({', '.join(map(repr, m.composite_pk))})")
    for f in m.fields:
        lines.append(f"    {f.name} = {render_field(f, m, features)}")
    meta = []
    if m.abstract:
        meta.append("abstract = True")
    if m.proxy_of:
        meta.append("proxy = True")
    if not m.managed:
        meta.append("managed = False")
    if m.db_table:
        meta.append(f"db_table = {m.db_table!r}")
    if m.unique_together:
        meta.append(f"unique_together = {m.unique_together!r}")
    constraints, indexes = [], []
    for c in m.constraints:
        if c[0] == "unique":
            cond = f", condition={_q(c[3])}" if c[3] else ""
            constraints.append(f"models.UniqueConstraint(fields={list(c[2])!r}, name={c[1]!r}{cond})")
        elif c[0] == "check":
            constraints.append(f"models.CheckConstraint({features.check_keyword}=models.Q({c[2]}__gte={c[3]}), name={c[1]!r})")
        elif c[0] == "index":
            cond = f", condition={_q(c[3])}" if c[3] else ""
            indexes.append(f"models.Index(fields={list(c[2])!r}, name={c[1]!r}{cond})")
        elif c[0] == "lower":
            indexes.append(f"models.Index(Lower({c[2]!r}), name={c[1]!r})")
        elif c[0] == "unique-lower":
            constraints.append(f"models.UniqueConstraint(Lower({c[2]!r}), name={c[1]!r})")
    if constraints:
        meta.append("constraints = [" + ", ".join(constraints) + "]")
    if indexes:
        meta.append("indexes = [" + ", ".join(indexes) + "]")
    if meta:
        lines += ["", "    class Meta:"] + [f"        {line}" for line in meta]
    if len(lines) == 1:
        lines.append("    pass")
    return "\n".join(lines)


def render_app(app: App, features: Features) -> str:
    return HEADER + "\n\n" + "\n\n\n".join(render_model(m, features) for m in app.models) + "\n"


def without(app: App, model_name: str) -> App:
    return replace(app, models=tuple(m for m in app.models if m.name != model_name))


def with_model(app: App, model: Model) -> App:
    return replace(app, models=tuple(model if m.name == model.name else m for m in app.models))
