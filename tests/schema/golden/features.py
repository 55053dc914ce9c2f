"""The features of issue 13 section 1, one small project each, as the generator's spec data.

Each :class:`Feature` is one or two apps (``generator.spec``) that use the feature and little
else, so that its golden DDL shows exactly what this Django writes for it. ``since`` is the
first Django release that has the feature; ``sql`` is what the project's DBA runs after
``migrate`` (the table of an unmanaged model); ``contrib`` keeps the contrib apps' tables in the
golden (otherwise left out: every project has them).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec import DEFAULTS, ON_DELETE, SCALARS, App, Field, Model


@dataclass(frozen=True)
class Feature:
    name: str
    apps: tuple[App, ...]
    since: tuple[int, int] = (4, 2)
    sql: str = ""
    contrib: bool = False


def _app(*models: Model, label: str = "appa") -> App:
    return App(label, models)


def _model(name: str, *fields: Field, label: str = "appa", **options) -> Model:
    return Model(label, name, fields, **options)


_AUTHOR = _model("Author", Field("name", "char"))

FEATURES: tuple[Feature, ...] = (
    Feature("scalar_fields", (_app(_model("Every", *(Field(f"f_{k}", k) for k in SCALARS))),)),
    Feature("null_blank", (_app(_model("Maybe", *(Field(f"f_{k}", k, null=k != "file") for k in SCALARS))),)),
    Feature("defaults", (_app(_model("Defaulted", *(Field(f"f_{k}", k, default=v) for k, v in DEFAULTS.items()))),)),
    Feature("db_default", (_app(_model(
        "DbDefaulted", Field("count", "int", db_default="7"), Field("code", "char", db_default="'x'"),
        Field("flag", "bool", db_default="True"), Field("created", "datetime", db_default="Now()"),
        Field("both", "int", default="3", db_default="5"))),), since=(5, 0)),
    Feature("foreign_keys", (_app(_AUTHOR, _model(
        "Book", Field("title", "char"), Field("author", "fk", target="appa.Author"),
        Field("editor", "fk", target="appa.Author", null=True, on_delete="SET_NULL"),
        Field("cover_of", "o2o", target="appa.Author", null=True, on_delete="SET_NULL"))),)),
    Feature("on_delete", (_app(_AUTHOR, _model("Book", *(
        Field(f"by_{kind.lower()}", "fk", target="appa.Author", on_delete=kind,
              null=kind in ("SET_NULL", "SET_DEFAULT"), default="None" if kind == "SET_DEFAULT" else None)
        for kind in ON_DELETE))),)),
    # Django 6.1's database-level rules: ON DELETE ... in the DDL
    Feature("db_on_delete", (_app(_AUTHOR, _model(
        "Book", Field("by_cascade", "fk", target="appa.Author", on_delete="DB_CASCADE"),
        Field("by_set_null", "fk", target="appa.Author", on_delete="DB_SET_NULL", null=True),
        Field("by_set_default", "fk", target="appa.Author", on_delete="DB_SET_DEFAULT", db_default="1"))),),
        since=(6, 1)),
    Feature("many_to_many", (_app(_AUTHOR, _model(
        "Book", Field("title", "char"), Field("authors", "m2m", target="appa.Author"))),)),
    Feature("m2m_through", (_app(
        _AUTHOR,
        _model("Book", Field("title", "char"), Field("authors", "m2m", target="appa.Author", through="appa.Credit")),
        _model("Credit", Field("src", "fk", target="appa.Book"), Field("dst", "fk", target="appa.Author"),
               Field("role", "char"))),)),
    Feature("self_fk", (_app(_model(
        "Node", Field("name", "char"), Field("parent", "fk", target="appa.Node", null=True, on_delete="SET_NULL"))),)),
    Feature("mti", (_app(_model("Place", Field("name", "char")),
                         _model("Restaurant", Field("seats", "int"), parent="appa.Place")),)),
    Feature("proxy", (_app(_model("Person", Field("name", "char")), _model("Friend", proxy_of="appa.Person")),)),
    Feature("abstract", (_app(_model("Stamped", Field("created", "datetime"), abstract=True),
                              _model("Note", Field("text", "text"), parent="appa.Stamped")),)),
    Feature("unmanaged", (_app(_model("Kept", Field("name", "char")),
                               _model("Legacy", Field("code", "char"), db_table="legacy_items", managed=False)),),
            sql='CREATE TABLE "legacy_items" ("id" integer NOT NULL PRIMARY KEY, "code" varchar(40) NOT NULL);'),
    Feature("db_table_column", (_app(_AUTHOR, _model(
        "Book", Field("title", "char", db_column="book_title"),
        Field("author", "fk", target="appa.Author", db_column="written_by"), db_table="library_books")),)),
    Feature("unique", (_app(_model(
        "Code", Field("code", "char", unique=True), Field("a", "int"), Field("b", "int"),
        unique_together=(("a", "b"),))),)),
    Feature("unique_constraint", (_app(_model(
        "Slot", Field("room", "int"), Field("day", "date"), Field("name", "char"), Field("active", "int"),
        constraints=(("unique", "slot_room_day_uniq", ("room", "day"), None),
                     ("unique", "slot_active_room_uniq", ("room",), ("active", "gte", 1)),
                     ("unique-lower", "slot_lower_name_uniq", "name")))),)),
    Feature("check_constraint", (_app(_model(
        "Stock", Field("quantity", "int"), Field("level", "posint"),
        constraints=(("check", "stock_quantity_min", "quantity", 0),))),)),
    Feature("indexes", (_app(_model(
        "Event", Field("name", "char", db_index=True), Field("day", "date"), Field("rank", "int"),
        constraints=(("index", "event_day_desc_ix", ("-day", "rank"), None),
                     ("index", "event_rank_part_ix", ("rank",), ("rank", "gte", 0)),
                     ("lower", "event_lower_name_ix", "name")))),)),
    Feature("generated", (_app(_model(
        "Line", Field("price", "int"), Field("quantity", "int"), Field("name", "char"), Field("day", "date"),
        Field("total", "int", generated="stored", expression="models.F('price') * models.F('quantity')"),
        Field("label", "text", generated="virtual",
              expression="Concat(models.F('name'), models.Value(' x'), output_field=models.TextField())"),
        # a function of Django's own, computed on every read of the table
        Field("year", "int", generated="virtual", expression="models.functions.ExtractYear('day')"))),),
        since=(5, 0)),
    Feature("composite_pk", (_app(_model(
        "Membership", Field("team", "int"), Field("person", "int"), Field("role", "char"),
        composite_pk=("team", "person"))),), since=(5, 2)),
    Feature("cross_app", (
        _app(_AUTHOR),
        _app(_model("Review", Field("text", "text"), Field("author", "fk", target="appa.Author"),
                    Field("fans", "m2m", target="appa.Author"), label="appb"), label="appb"))),
    Feature("contrib", (_app(_model(
        "Profile", Field("user", "o2o", target="auth.User"), Field("bio", "text"),
        Field("group", "fk", target="auth.Group", null=True, on_delete="SET_NULL"))),), contrib=True),
)


def for_version(version: tuple[int, int]) -> tuple[Feature, ...]:
    return tuple(f for f in FEATURES if f.since <= version)
