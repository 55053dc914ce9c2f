"""Every distinct failure the generator found, as a small scripted case that must now hold.

The cases are written out (not seeds) so they stay the same shape when the generator's drawing
changes. Each names the defect it caught.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from generator.edits import (add_check, add_field, add_m2m, add_model, add_unique, alter_field, change_db_table,
                             remove_constraint, remove_field, remove_m2m, remove_model, rename_model, require_value)
from generator.scenario import ROWS_IT_REJECTS, Drift, Scenario
from generator.spec import App, Field, Model


def case(features, apps, *drifts) -> Scenario:
    return Scenario(0, features, tuple(apps), tuple(drifts))


def edited(edit_function, apps, features):
    """Apply an edit function where it has exactly one candidate (so it is deterministic)."""
    apps_after, edit = edit_function(random.Random(0), tuple(apps), features)
    return apps_after, edit


def test_do_nothing_key_on_an_honest_database_is_not_drift(holds, django_features):
    """DA203 was a warning: every honest project with an on_delete=DO_NOTHING key failed invariant 1."""
    apps = [App("appa", (
        Model("appa", "Author", (Field("name", "char"),)),
        Model("appa", "Book", (Field("title", "char"), Field("author", "fk", target="appa.Author",
                                                              on_delete="DO_NOTHING"))),
    ))]
    assert holds(case(django_features, apps)) == []


def test_faked_remove_index_leaves_a_warning(holds, django_features):
    """An index only the database has (a faked RemoveIndex) was reported at info only."""
    apps = [App("appa", (Model("appa", "Item", (Field("code", "int"), Field("name", "char")),
                               constraints=(("index", "item_code_ix", ("code",), None),)),))]
    after, edit = edited(remove_constraint, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_removed_app_tables_under_a_custom_db_table(holds, django_features):
    """Tables of a removed app named by db_table (and their join tables) got cause manual-sql."""
    apps = [
        App("appa", (Model("appa", "Keep", (Field("name", "char"),)),)),
        App("appb", (
            Model("appb", "Tag", (Field("name", "char"),)),
            Model("appb", "Note", (Field("text", "char"), Field("tags", "m2m", target="appb.Tag")),
                  db_table="t_appb_note"),
        )),
    ]
    assert holds(case(django_features, apps, Drift("remove-app", detail="appb"))) == []


def test_unapplied_rename_model_is_the_unapplied_migration(holds, django_features):
    """A RenameModel made but not migrated was given cause pending-model-change."""
    apps = [App("appa", (Model("appa", "Item", (Field("name", "char"),)),))]
    after, edit = edited(rename_model, apps, django_features)
    assert holds(case(django_features, apps, Drift("unapplied", edit, after))) == []


def test_hand_made_index_in_an_app_whose_migrations_were_regenerated(holds, django_features):
    """An index made in the sqlite3 shell was blamed on the regenerated 0001_initial."""
    apps = [App("appa", (Model("appa", "Item", (Field("code", "int"), Field("name", "char")),
                               constraints=(("index", "item_code_ix", ("code",), None),)),))]
    after, edit = edited(remove_constraint, apps, django_features)
    scenario = case(django_features, apps, Drift("sql", detail="create-index #1"),
                    Drift("regenerate", edit, after))
    assert holds(scenario) == []


@pytest.mark.skipif(not __import__("django").VERSION >= (5, 2), reason="CompositePrimaryKey is new in Django 5.2")
def test_composite_primary_key_model_does_not_crash_propose(holds, django_features):
    """propose crashed ('NoneType' object has no attribute 'lower') on any CompositePrimaryKey model."""
    apps = [App("appa", (
        Model("appa", "Grade", (Field("student", "int"), Field("course", "int"), Field("score", "int")),
              composite_pk=("student", "course")),
        Model("appa", "Extra", (Field("name", "char"), Field("code", "int")),
              constraints=(("index", "extra_code_ix", ("code",), None),)),
    ))]
    after, edit = edited(remove_constraint, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_pending_rename_model_with_a_table_to_rebuild(holds, django_features):
    """propose stopped with "no such table: <new name>": the rebuild after a pending model rename
    read its rows under the name the table does not have yet."""
    apps = [App("appa", (Model("appa", "Item", (Field("name", "char"), Field("code", "int"))),))]
    after, edit = edited(rename_model, apps, django_features)
    scenario = case(django_features, apps, Drift("sql", detail="create-index #1"), Drift("pending", edit, after))
    assert holds(scenario) == []


def test_orphans_of_orphans_across_apps_are_all_set_aside(holds, django_features):
    """Quarantining an orphan orphaned its children (a self key, another app's key), and an
    orphan left for a later app's migration failed Django's whole-database key check in the
    first one: migrate failed after propose."""
    apps = [
        App("appa", (Model("appa", "Node", (Field("name", "char"), Field("up", "fk", null=True, target="appa.Node",
                                                                           on_delete="SET_NULL"))),)),
        App("appb", (Model("appb", "Tag", (Field("label", "char"), Field("node", "fk", target="appa.Node"))),)),
    ]
    chain = Drift("script", detail='UPDATE "appa_node" SET "up_id" = "id" - 1 WHERE "id" > 1; '
                                   'UPDATE "appb_tag" SET "node_id" = 3; DELETE FROM "appa_node" WHERE "id" = 1;',
                  tables=("appa_node", "appb_tag"), cause="fk-checks-disabled")
    assert holds(case(django_features, apps, chain)) == []


def test_faked_delete_of_a_model_with_its_own_db_table(holds, django_features):
    """A stale table left by a faked DeleteModel under a custom db_table was called manual-sql."""
    apps = [App("appa", (
        Model("appa", "Keep", (Field("name", "char"),)),
        Model("appa", "Gone", (Field("name", "char"), Field("keep", "fk", target="appa.Keep"),
                               Field("tags", "m2m", target="appa.Keep")), db_table="t_appa_gone"),
    ))]
    after, edit = edited(remove_model, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_regenerated_migrations_after_a_model_rename(holds, django_features):
    """Regenerating the migrations after renaming a model left the old table (and the join
    table's old key column) under cause manual-sql; the cause is the rewritten 0001."""
    apps = [
        App("appa", (Model("appa", "Venue", (Field("name", "char"),), db_table=None),
                     Model("appa", "Keep", (Field("name", "char"),), db_table="t_appa_keep"))),
        App("appb", (Model("appb", "Shelf", (Field("label", "char"), Field("venues", "m2m", target="appa.Venue")),
                           db_table="t_appb_shelf"),)),
    ]
    after, edit = edited(rename_model, apps, django_features)
    assert edit.description == "rename model appa.Venue -> VenueRenamed"
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_faked_rename_of_a_model_with_a_join_table(holds, django_features):
    """A faked RenameModel leaves the model's join table under its old name: that table was
    blamed on a rewritten 0001 instead of the faked rename."""
    apps = [App("appa", (
        Model("appa", "Tag", (Field("name", "char"),), db_table="t_appa_tag"),
        Model("appa", "Item", (Field("name", "char"), Field("tags", "m2m", target="appa.Tag"))),
    ))]
    after, edit = edited(rename_model, apps, django_features)
    assert edit.description == "rename model appa.Item -> ItemRenamed"
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_regenerated_migrations_with_a_new_model(holds, django_features):
    """A model added, then the migrations regenerated: 0001 now creates a table the database
    never got. A plain --fake would have made none of 0001's tables, so it is the rewrite (was
    faked-migration)."""
    from generator.edits import add_model

    apps = [App("appa", (Model("appa", "Item", (Field("name", "char"),)),))]
    after, edit = edited(add_model, apps, django_features)
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_unapplied_add_field_with_a_db_column(holds, django_features):
    """An unapplied AddField whose field sets db_column was pending-model-change: the column's
    name was compared with the field's."""
    from generator.edits import Edit

    item = Model("appa", "Item", (Field("name", "char"),))
    apps = [App("appa", (item,))]
    added = Model("appa", "Item", item.fields + (Field("code", "int", default="0", db_column="code_col"),))
    edit = Edit("add-field", "appa", frozenset({"appa_item"}), description="add appa.Item.code (db_column)")
    assert holds(case(django_features, apps, Drift("unapplied", edit, (App("appa", (added,)),)))) == []


def test_named_index_beside_db_index_on_the_same_column(holds, django_features):
    """Seed 460: db_index=True and a named Meta index on one column are two indexes with the
    same columns; index-renamed compared the named one with the other and flagged an honest
    database."""
    apps = [App("appa", (Model("appa", "Badge", (Field("iota", "int", db_index=True), Field("name", "char")),
                               db_table="t_appa_badge", constraints=(("index", "badge_iota_ix", ("iota",), None),)),))]
    assert holds(case(django_features, apps)) == []


def test_two_apps_whose_model_changes_point_at_each_other(holds, django_features):
    """Seed 199: makemigrations splits such changes into two migrations of one app with the
    other app's in between (create the renamed model; re-point the other app's key; delete the
    old model); one repair migration per app made a dependency cycle (CircularDependencyError
    in migrate). The rename's file is deleted, so the state catches up by create + delete."""
    apps = [
        App("appa", (Model("appa", "Room", (Field("name", "char"),)),)),
        App("appb", (Model("appb", "Album", (Field("name", "char"),
                                             Field("room_ref", "fk", target="appa.Room", null=True))),)),
    ]
    after, edit = rename_model(random.Random(1), tuple(apps), django_features)
    assert "appa_room" in edit.tables, edit  # Random(1) renames Room (Random(0): Album)
    scenario = case(django_features, apps, Drift("honest", edit, after), Drift("delete-file"))
    assert holds(scenario) == []


def test_unapplied_db_table_change_of_a_key_target(holds, django_features):
    """Seed 443: the rename of a table that other tables' keys point at, in a migration not
    applied yet, is folded into that migration's finding; the keys that follow the rename were
    then missed by the check (the rename is in the finding's sources["makes"])."""
    apps = [App("appa", (
        Model("appa", "Room", (Field("name", "char"),)),
        Model("appa", "Event", (Field("name", "char"), Field("room", "fk", target="appa.Room"))),
    ))]
    for k in range(8):
        after, edit = change_db_table(random.Random(k), tuple(apps), django_features)
        if "appa_room" in edit.tables:
            break
    assert "appa_room" in edit.tables, edit
    assert holds(case(django_features, apps, Drift("unapplied", edit, after))) == []


def _pick(edit_function, apps, features, table):
    """The edit from the first seed that edits ``table`` (the edit functions choose at random)."""
    for k in range(20):
        after, edit = edit_function(random.Random(k), tuple(apps), features)
        if table in edit.tables:
            return after, edit
    raise AssertionError(f"no seed below 20 makes {edit_function.__name__} edit {table}")


def test_unapplied_delete_of_a_model_with_a_join_table(holds, django_features):
    """Seed 541: the join table of a model an unapplied DeleteModel removes was given cause
    pending-model-change (its table, renamed by an earlier db_table change, does not start with
    the app label)."""
    apps = [App("appa", (
        Model("appa", "Plan", (Field("name", "char"),)),
        Model("appa", "Book", (Field("name", "char"), Field("plans", "m2m", target="appa.Plan"))),
    ))]
    moved, table_edit = _pick(change_db_table, apps, django_features, "appa_book")
    after, edit = _pick(remove_model, moved, django_features, "moved_appa_book")
    assert holds(case(django_features, apps, Drift("honest", table_edit, moved),
                      Drift("unapplied", edit, after))) == []


def test_regenerated_migrations_with_a_new_many_to_many(holds, django_features):
    """Seed 423: a join table the regenerated 0001_initial makes (CreateModel with the field)
    was not seen as that file's: cause manual-sql."""
    apps = [App("appa", (Model("appa", "Plan", (Field("name", "char"),)),
                         Model("appa", "Tag", (Field("name", "char"),))))]
    after, edit = add_m2m(random.Random(0), tuple(apps), django_features)
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_faked_db_table_of_a_model_with_a_key_to_itself(holds, django_features):
    """Seed 1008: a renamed table that is then rebuilt (its key to itself) has two steps; the
    rebuild's old name (already the new one) hid the table from the orphan check, whose every
    child row became an "orphan", was quarantined, and left its own children dangling."""
    apps = [App("appa", (
        Model("appa", "Event", (Field("name", "char"), Field("parent", "fk", target="appa.Event", null=True))),
        Model("appa", "Room", (Field("size", "int"),), parent="appa.Event"),
        Model("appa", "Photo", (Field("name", "char"), Field("event_ref", "fk", target="appa.Event"))),
        Model("appa", "Badge", (Field("name", "char"), Field("photos", "m2m", target="appa.Photo"))),
    ))]
    after, edit = _pick(change_db_table, apps, django_features, "appa_event")
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_faked_rename_made_as_create_and_delete(holds, django_features):
    """Seed 1042: a faked migration that creates the renamed model and deletes the old one was
    said to have run from an older file (rewritten): nothing it makes is in the database."""
    apps = [App("appa", (
        Model("appa", "Ticket", (Field("name", "char"),)),
        Model("appa", "Order", (Field("name", "char"), Field("tickets", "m2m", target="appa.Ticket"))),
    ))]
    after, edit = _pick(rename_model, apps, django_features, "appa_order")
    edit = replace(edit, renames=False)  # makemigrations is told it is not a rename
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_regenerated_migrations_without_a_model_with_its_own_db_table(holds, django_features):
    """Seeds 1039, 1070: the table of a model the regenerated files no longer have, under a
    custom db_table, was hand-made (no app prefix to tie it to); Django's content types still
    list the model, which ties it to its app's rewritten history."""
    apps = [App("appa", (Model("appa", "Keep", (Field("name", "char"),)),
                         Model("appa", "Track", (Field("name", "char"),), db_table="t_appa_track")))]
    after, edit = _pick(remove_model, apps, django_features, "t_appa_track")
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def _item_and_invoices():
    """The join table's app sorts before the model's (migrations ran by name)."""
    return [App("appb", (Model("appb", "Invoice", (Field("name", "char"),
                                                   Field("items", "m2m", target="appz.Item"))),)),
            App("appz", (Model("appz", "Item", (Field("name", "char"),)),))]


def test_unapplied_rename_of_a_model_another_apps_join_table_points_at(holds, django_features):
    """Seeds 2131, 2152: RenameModel renames the <model>_id column of every join table pointing
    at the model, in any app; the column of another app's join table was pending-model-change."""
    apps = _item_and_invoices()
    after, edit = _pick(rename_model, apps, django_features, "appz_item")
    assert holds(case(django_features, apps, Drift("unapplied", edit, after))) == []



@pytest.mark.skipif(not __import__("django").VERSION >= (5, 0), reason="db_default is new in Django 5.0")
def test_faked_db_default_change_is_a_warning(holds, django_features, tmp_path):
    """A db_default the database does not have was info: the ORM leaves such a column out of its
    INSERTs, so every new row silently gets the database's value."""
    from generator.edits import Edit
    from generator.invariants import report
    from generator.scenario import play
    from generator.workspace import Workspace

    before = [App("appa", (Model("appa", "Item", (Field("name", "char"), Field("code", "int", db_default="7"))),))]
    after = (App("appa", (Model("appa", "Item", (Field("name", "char"), Field("code", "int", db_default="8"))),)),)
    edit = Edit("alter-field", "appa", frozenset({"appa_item"}), description="db_default of appa.Item.code 7 -> 8")
    scenario = case(django_features, before, Drift("fake", edit, after))
    ws = Workspace(tmp_path / "inspect", scenario.features)
    play(scenario, ws)
    _code, findings, _err = report(ws)
    default = [f for f in findings if f["kind"] == "column-default"]
    assert [(f["severity"], f["cause"], f["column"]) for f in default] == [("warning", "faked-migration", "code")]
    assert holds(scenario) == []


def test_removed_app_whose_model_moved_to_its_own_db_table(holds, django_features):
    """Seed 3036: AlterModelTable renames the model's join tables too; the removed app's join
    table under the moved name was hand-made (history names kept only the first name)."""
    apps = [
        App("appa", (Model("appa", "Keep", (Field("name", "char"),)),)),
        App("appb", (Model("appb", "Item", (Field("name", "char"),)),
                     Model("appb", "Album", (Field("name", "char"), Field("items", "m2m", target="appb.Item"))))),
    ]
    moved, edit = _pick(change_db_table, apps, django_features, "appb_album")
    assert holds(case(django_features, apps, Drift("honest", edit, moved), Drift("remove-app", detail="appb"))) == []


@pytest.mark.parametrize("mode", ["fake", "pending", "regenerate"])
def test_rows_a_new_check_rejects_are_quarantined(holds, django_features, mode):
    """A CheckConstraint that never reached the database, over a row it rejects: the rebuild
    failed with "CHECK constraint failed"; the row is now quarantined (issue 13, 14)."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "int"), Field("name", "char"))),))]
    after, edit = edited(add_check, apps, django_features)
    assert holds(case(django_features, apps, Drift(mode, edit, after, detail=ROWS_IT_REJECTS))) == []


@pytest.mark.parametrize("mode", ["fake", "pending"])
def test_nulls_a_new_not_null_without_default_rejects_are_quarantined(holds, django_features, mode):
    """NULLs under a NOT NULL the models add with no default stopped the proposal ("give the
    field a default"); the rows are now quarantined (issue 13, 14)."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "int", null=True), Field("name", "char"))),))]
    after, edit = edited(require_value, apps, django_features)
    assert holds(case(django_features, apps, Drift(mode, edit, after, detail=ROWS_IT_REJECTS))) == []


def test_duplicates_under_a_faked_unique(holds, django_features):
    """Duplicates written after a faked unique=True: quarantined, the first of each group kept."""
    apps = [App("appa", (Model("appa", "Item", (Field("code", "int"), Field("name", "char"))),))]
    after, edit = edited(add_unique, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after, detail=ROWS_IT_REJECTS))) == []


def test_regenerated_initial_migrations_split_by_a_cycle(holds, django_features):
    """Seed 4059: a ManyToManyField added across apps, then every app's migrations regenerated.
    The new key cycle splits appalpha into 0001_initial and 0002_initial; `migrate` fails on
    the 0002 (its keys exist already) and leaves it unapplied. It was blamed on a record deleted
    by hand (manual-sql); an initial migration never recorded is the regeneration's."""
    from generator.edits import Edit

    apps = [
        App("appdelta", (Model("appdelta", "Customer", (Field("name", "char"),)),
                         Model("appdelta", "Invoice", (Field("customer", "fk", target="appdelta.Customer"),)))),
        App("appalpha", (Model("appalpha", "Order", (Field("name", "char"),
                                                     Field("customer", "fk", target="appdelta.Customer"))),
                         Model("appalpha", "Author", (Field("name", "char"),)))),
        App("appsigma", (Model("appsigma", "Room", (Field("name", "char"),
                                                    Field("order", "fk", target="appalpha.Order"))),
                         Model("appsigma", "Link", (Field("src", "fk", target="appsigma.Room"),
                                                    Field("dst", "fk", target="appdelta.Invoice"))))),
    ]
    author = apps[1].models[1]
    linked = replace(author, fields=author.fields + (Field("linked_link", "m2m", target="appsigma.Link"),))
    after = [apps[0], replace(apps[1], models=(apps[1].models[0], linked)), apps[2]]
    edit = Edit("add-m2m", "appalpha", frozenset({"appalpha_author_linked_link"}), description="add m2m")
    assert holds(case(django_features, apps, Drift("regenerate", edit, tuple(after)))) == []


def test_a_dropped_table_pointing_at_quarantined_rows_goes_first(holds, django_features):
    """Seed 4165: orphans in one app, taken out by the first repair migration, orphaned the rows
    of a table another app's repair dropped later - Django's foreign key check at the end of
    the first migration failed on them. The drop now runs in the first migration."""
    from generator.edits import Edit

    item = Model("appb", "Item", (Field("name", "char"),))
    extra = Model("appb", "Extra", (Field("label", "char"), Field("owner", "fk", target="appa.Book", null=True,
                                                                   on_delete="SET_NULL")))
    apps = [App("appa", (Model("appa", "Book", (Field("title", "char"), Field("item", "fk", target="appb.Item"))),)),
            App("appb", (item, extra))]
    after = (apps[0], App("appb", (item,)))
    script = ('UPDATE "appa_book" SET "item_id" = 1 WHERE "id" = 1; UPDATE "appb_extra" SET "owner_id" = 1; '
              'DELETE FROM "appb_item" WHERE "id" = 1;')
    assert holds(case(django_features, apps,
                      Drift("script", detail=script, tables=("appa_book",), cause="fk-checks-disabled"),
                      Drift("pending", Edit("remove-model", "appb", frozenset({"appb_extra"})), after))) == []


def test_a_deleted_file_another_apps_rename_depended_on(holds, django_features):
    """Seed 4105: appdelta's RenameModel depended on appiota's last migration, whose file was
    deleted. Without that edge the rename ran before appiota's CreateModel that still names the
    old model, and every audit stopped ("cannot build the migration history state")."""
    delta = App("appdelta", (Model("appdelta", "Order", (Field("name", "char"),)),))
    tag = Model("appiota", "Tag", (Field("name", "char"),))
    room = Model("appiota", "Room", (Field("name", "char"), Field("tags", "m2m", target="appiota.Tag")))
    badge = Model("appiota", "Badge", (Field("order", "o2o", target="appdelta.Order", null=True,
                                             on_delete="SET_NULL"),))
    apps = [delta, App("appiota", (tag, room, badge))]
    after_m2m, edit_m2m = edited(remove_m2m, apps, django_features)
    after_rename, edit_rename = next(made for r in range(100)
                                     if "appdelta.Order" in (made := rename_model(random.Random(r), after_m2m,
                                                                                  django_features))[1].description)
    scenario = case(django_features, apps, Drift("honest", edit_m2m, after_m2m),
                    Drift("honest", edit_rename, after_rename), Drift("delete-file", detail="app appiota"))
    assert holds(scenario) == []


def test_a_deleted_recorded_migration_is_rebuilt_with_its_operations(tmp_path, django_features):
    """Issue 14: without git, `restore` of a recorded migration writes the operations the models
    and its neighbours say it had (here the RemoveField of appiota.0002), not an empty stand-in;
    the project is then clean with no repair migration at all."""
    from conftest import driftaudit

    from generator.scenario import play
    from generator.workspace import Workspace

    delta = App("appdelta", (Model("appdelta", "Order", (Field("name", "char"),)),))
    room = Model("appiota", "Room", (Field("name", "char"), Field("tags", "m2m", target="appdelta.Order")))
    apps = [delta, App("appiota", (room,))]
    after, edit = edited(remove_m2m, apps, django_features)
    ws = Workspace(tmp_path / "project", django_features)
    play(case(django_features, apps, Drift("honest", edit, after), Drift("delete-file", detail="app appiota")), ws)
    (gone,) = [f["migration"] for f in driftaudit("report", "--format", "json", cwd=ws.root).json["findings"]
               if f["kind"] == "ghost-migration"]
    run = driftaudit("restore", gone, cwd=ws.root)
    assert run.code == 0 and "(synthesized (confidence: medium))" in run.stdout, run.stdout + run.stderr
    text = (ws.root / "appiota" / "migrations" / f"{gone.split('.')[1]}.py").read_text()
    assert "migrations.RemoveField(" in text and "name='tags'" in text and "confidence: medium" in text
    assert driftaudit("report", cwd=ws.root).code == 0
    assert ws.manage("makemigrations", "--check", "--dry-run", check=False).returncode == 0


def test_rows_pointing_at_a_quarantined_duplicate_follow_it(holds, django_features):
    """Seed 5010: the duplicate a repair set aside was still referenced (a key, a join table):
    Django's foreign key check failed the repair. Rows taken out for any reason now feed the
    orphan rounds, which run after them."""
    apps = [App("appa", (Model("appa", "Item", (Field("code", "int"), Field("name", "char"))),
                         Model("appa", "Note", (Field("item", "fk", target="appa.Item"),))))]
    after, edit = edited(add_unique, apps, django_features)
    point = Drift("script", detail='UPDATE "appa_note" SET "item_id" = (SELECT max("id") FROM "appa_item");',
                  tables=(), cause="")
    assert holds(case(django_features, apps, Drift("fake", edit, after, detail=ROWS_IT_REJECTS), point)) == []


def test_verify_allows_the_content_types_a_created_model_adds(holds, django_features):
    """Seeds 5007, 5040: a repair that creates a table makes migrate's post_migrate handlers add
    its content type and permissions; verify called those rows unexplained."""
    apps = [App("appa", (Model("appa", "Item", (Field("name", "char"),)),))]
    after, edit = edited(add_model, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_verify_leaves_the_tables_pending_migrations_drop_to_them(holds, django_features):
    """Seed 5117: a repair beside the user's own unapplied RemoveModel: verify runs migrate,
    which applies both, and called the dropped table's rows lost."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "int"),)),
                         Model("appa", "Note", (Field("item", "fk", target="appa.Item"),))))]
    faked, fake_edit = edited(alter_field, apps, django_features)
    removed, remove_edit = edited(remove_model, faked, django_features)
    assert "appa.Note" in remove_edit.description
    assert holds(case(django_features, apps, Drift("fake", fake_edit, faked),
                      Drift("unapplied", remove_edit, removed))) == []



def test_a_faked_remove_field_of_a_field_with_db_column(holds, django_features):
    """Seed 8002: a faked RemoveField of a field with db_column left its column; the migration
    names the field, not the column, so the stale column was blamed on a regeneration."""
    from generator.edits import remove_field

    apps = [App("appa", (Model("appa", "Album", (Field("title", "char"), Field("upsilon", "int", db_column="upsilon_col"),
                                                 Field("year", "int"))),))]
    after, edit = next(made for r in range(100)
                       if "upsilon" in (made := remove_field(random.Random(r), tuple(apps), django_features))[1].description)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_a_row_orphaned_through_both_keys_to_one_table_is_counted_once(holds, django_features):
    """Seed 8223: a link row whose two keys both named the deleted room was counted by each key's
    fix (the cascade gave it to one key; the other kept its first count): verify expected 5
    quarantined rows of 4."""
    apps = [App("appa", (Model("appa", "Room", (Field("name", "char"),)),
                         Model("appa", "Link", (Field("src", "fk", target="appa.Room"),
                                                Field("dst", "fk", target="appa.Room")))))]
    script = ('UPDATE "appa_link" SET "src_id" = 2, "dst_id" = 2; UPDATE "appa_link" SET "src_id" = 1, "dst_id" = 1 '
              'WHERE "id" = 1; UPDATE "appa_link" SET "dst_id" = 1 WHERE "id" = 2; DELETE FROM "appa_room" WHERE "id" = 1;')
    assert holds(case(django_features, apps, Drift("script", detail=script, tables=("appa_link",),
                                                   cause="fk-checks-disabled"))) == []


def test_a_regenerated_second_initial_with_a_proxy_model_is_recorded(holds, django_features):
    """Seed 9013: migrations regenerated across a key cycle split an app into 0001 and 0002; the
    0002 creates a proxy model, whose (absent) table made ``record`` refuse to record it."""
    from generator.edits import Edit

    apps = [App("appa", (Model("appa", "Order", (Field("tag", "fk", target="appb.Tag", null=True),)),
                         Model("appa", "Event", (Field("name", "char"),)),
                         Model("appa", "Photo", (), proxy_of="appa.Order"))),
            App("appb", (Model("appb", "Tag", (Field("name", "char"),)),
                         Model("appb", "Author", (Field("name", "char"),))))]
    author = apps[1].models[1]
    linked = replace(author, fields=author.fields + (Field("linked_event", "m2m", target="appa.Event"),))
    after = [apps[0], replace(apps[1], models=(apps[1].models[0], linked))]
    edit = Edit("add-m2m", "appb", frozenset({"appb_author_linked_event"}),
                description="add m2m appb.Author.linked_event")
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_regenerated_db_table_of_a_model_with_a_join_table(holds, django_features):
    """Seed 9140: after a db_table change the migrations were regenerated; the model's table was
    blamed on the rewrite but its ManyToManyField's join table on a --fake (a CreateModel's
    ManyToManyField makes the join table too)."""
    apps = [App("appa", (Model("appa", "Event", (Field("name", "char"),)),
                         Model("appa", "Track", (Field("title", "char"), Field("events", "m2m", target="appa.Event")))))]
    after, edit = _pick(change_db_table, apps, django_features, "appa_track")
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_regenerated_after_a_model_rename_with_its_index_migration_gone(holds, django_features):
    """Seed 9144: an index added by a migration, then the model renamed and the app's migrations
    regenerated into one 0001 (the index's 0002 left as a ghost record). The table was blamed on a
    --fake, whose repair re-ran the CreateModel with the index the database already had."""
    from generator.edits import add_index

    apps = [App("appa", (Model("appa", "Track", (Field("iota", "int"), Field("name", "char"))),))]
    indexed, index_edit = _pick(add_index, apps, django_features, "appa_track")
    after, edit = _pick(rename_model, indexed, django_features, "appa_track")
    assert holds(case(django_features, apps, Drift("honest", index_edit, indexed),
                      Drift("regenerate", edit, after))) == []


def test_a_faked_unique_behind_an_unapplied_table_rename(holds, django_features):
    """Seed 9183: the duplicates of a faked unique=True showed only once `migrate` had run the
    pending db_table rename; the harness now audits again after the steps, as the contract says."""
    apps = [App("appa", (Model("appa", "Track", (Field("psi", "int"), Field("name", "char"))),))]
    unique, unique_edit = _pick(add_unique, apps, django_features, "appa_track")
    after, edit = _pick(change_db_table, unique, django_features, "appa_track")
    assert holds(case(django_features, apps, Drift("fake", unique_edit, unique, detail=ROWS_IT_REJECTS),
                      Drift("unapplied", edit, after))) == []


def test_a_faked_new_model_after_the_rename_migration_was_deleted(holds, django_features):
    """Seed 9275: a model renamed and migrated, the rename's file deleted, a new model faked in
    the next makemigrations (which re-creates the renamed model too). Its table was blamed on a
    rewrite: "the tables it made are there" - but the renamed table was the deleted rename's."""
    from generator.edits import add_model

    apps = [App("appa", (Model("appa", "Event", (Field("name", "char"),)),
                         Model("appa", "Album", (Field("title", "char"),))))]
    renamed, rename_edit = _pick(rename_model, apps, django_features, "appa_event")
    after, edit = edited(add_model, renamed, django_features)
    assert holds(case(django_features, apps, Drift("honest", rename_edit, renamed), Drift("delete-file", detail="app appa"),
                      Drift("fake", edit, after))) == []


def test_regenerated_without_the_m2m_of_a_model_with_its_own_db_table(holds, django_features):
    """Seed 10167: the join table a regenerated history no longer makes, of a model with its own
    db_table (t_appa_badge_customers), was called hand-made: its name is the model's table plus
    the field, the way Django names join tables."""
    apps = [App("appa", (Model("appa", "Customer", (Field("name", "char"),)),
                         Model("appa", "Badge", (Field("label", "char"), Field("customers", "m2m", target="appa.Customer")),
                               db_table="t_appa_badge")))]
    after, edit = _pick(remove_m2m, apps, django_features, "t_appa_badge_customers")
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_nulls_under_a_faked_not_null_text_field_are_quarantined_before_the_replay(holds, django_features):
    """Seed 11195: a faked AlterField making a CharField NOT NULL (no default, not blank) over a
    NULL. The repair replays the faked migration, whose AlterField fills NULLs only for blank
    text fields - it failed with "NOT NULL constraint failed"; the rebuild's '' fill hid the row
    from the planner. The row is now quarantined before the replay."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "int"), Field("name", "char", null=True))),))]
    after, edit = edited(require_value, apps, django_features)
    assert holds(case(django_features, apps, Drift("fake", edit, after, detail=ROWS_IT_REJECTS))) == []


def test_regenerated_without_a_model_with_its_own_db_table_and_a_join_table(holds, django_features):
    """Seed 11218: a model with its own db_table (t_appa_ticket) and a ManyToManyField removed,
    then the migrations regenerated. Its table was explained by its content type; its join
    table (t_appa_ticket_tags, a key to t_appa_ticket) got cause manual-sql. It is now that
    table's join table, left by the same rewrite."""
    apps = [App("appa", (Model("appa", "Tag", (Field("name", "char"),)),
                         Model("appa", "Ticket", (Field("label", "char"), Field("tags", "m2m", target="appa.Tag")),
                               db_table="t_appa_ticket")))]
    after, edit = _pick(remove_model, apps, django_features, "t_appa_ticket")
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_a_regenerated_file_holding_an_applied_field_and_a_new_model_is_recorded_then_repaired(
        holds, django_features):
    """Seed 12457: the file of an applied AddField deleted, then makemigrations wrote one file
    with that AddField and a new CreateModel. `migrate` fails on the column that is there; the
    printed `driftaudit record` refused because the new table is not. A migration partly in the
    database is now recorded, and `propose` creates the rest."""
    apps = [App("appa", (Model("appa", "Item", (Field("name", "char"),)),))]
    with_field, field_edit = edited(add_field, apps, django_features)
    with_model, model_edit = edited(add_model, with_field, django_features)
    assert holds(case(django_features, apps, Drift("honest", field_edit, with_field),
                      Drift("delete-file", detail="app appa"), Drift("unapplied", model_edit, with_model))) == []


def test_a_faked_widening_of_a_smallint_is_a_warning_and_repaired(holds, django_features):
    """Seed 12617: a faked AlterField smallint -> bigint. Only the declared text differs (same
    storage in SQLite), so the finding was info: no warning on the drifted table, and the
    repair left the column as it was. A migration recorded as applied that never made its change
    is now a warning, and the repair makes it."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "smallint", null=True), Field("name", "char"))),))]
    after, edit = next(made for r in range(50)
                       if "widen" in (made := alter_field(random.Random(r), tuple(apps), django_features))[1].description)
    assert holds(case(django_features, apps, Drift("fake", edit, after))) == []


def test_a_regenerated_history_without_a_field_of_a_model_with_its_own_db_table(holds, django_features):
    """Seed 12550: a field removed from a model with its own db_table (t_appa_event), then the
    migrations regenerated: the column left behind got cause manual-sql, because only tables
    named <app>_... counted as the app's. A model's own table is its app's, whatever its name."""
    apps = [App("appa", (Model("appa", "Event", (Field("name", "char"), Field("nu", "posint")),
                               db_table="t_appa_event"),))]
    after, edit = next(made for r in range(50)
                       if "Event.nu" in (made := remove_field(random.Random(r), tuple(apps), django_features))[1].description)
    assert holds(case(django_features, apps, Drift("regenerate", edit, after))) == []


def test_a_faked_remove_field_with_db_column_after_a_model_rename(holds, django_features):
    """Seed 12704: as seed 8002, but the model was renamed (honestly) before the faked
    RemoveField: the field's column was looked up under the new model name in the migrations
    that only knew the old one, and the stale column was blamed on a regeneration."""
    apps = [App("appa", (Model("appa", "Album", (Field("title", "char"), Field("upsilon", "int", db_column="upsilon_col"),
                                                 Field("year", "int"))),))]
    renamed, rename_edit = edited(rename_model, apps, django_features)
    after, edit = next(made for r in range(100)
                       if "upsilon" in (made := remove_field(random.Random(r), renamed, django_features))[1].description)
    assert holds(case(django_features, apps, Drift("honest", rename_edit, renamed), Drift("fake", edit, after))) == []


def test_regenerated_db_table_and_m2m_removal_of_a_model_with_its_own_db_table(holds, django_features):
    """Seed 13120: a model with its own db_table (t_appa_tag) moved to another db_table and its
    ManyToManyField removed, both in regenerated migrations. The join table t_appa_tag_books
    points at the model's old table, which is no stale table (it pairs with the new name), so
    the join table was called hand-made; its owner's content type names the app now."""
    apps = [App("appa", (Model("appa", "Book", (Field("name", "char"),)),
                         Model("appa", "Tag", (Field("label", "char"), Field("books", "m2m", target="appa.Book")),
                               db_table="t_appa_tag")))]
    moved, move_edit = _pick(change_db_table, apps, django_features, "t_appa_tag")
    after, edit = edited(remove_m2m, moved, django_features)
    assert holds(case(django_features, apps, Drift("regenerate", move_edit, moved),
                      Drift("regenerate", edit, after))) == []


def test_the_join_table_of_a_moved_table_is_not_said_to_belong_to_a_removed_model(tmp_path, django_features):
    """Seed 13120's story, its words: model Tag is still there (under another db_table), so the
    join table left behind is the join table of its field from when its table was t_appa_tag,
    not "the table of a model that the models no longer have"."""
    from generator.scenario import play
    from generator.workspace import Workspace
    from generator.invariants import report

    apps = [App("appa", (Model("appa", "Book", (Field("name", "char"),)),
                         Model("appa", "Tag", (Field("label", "char"), Field("books", "m2m", target="appa.Book")),
                               db_table="t_appa_tag")))]
    moved, move_edit = _pick(change_db_table, apps, django_features, "t_appa_tag")
    after, edit = edited(remove_m2m, moved, django_features)
    ws = Workspace(tmp_path / "project", django_features)
    play(case(django_features, apps, Drift("regenerate", move_edit, moved), Drift("regenerate", edit, after)), ws)
    _, findings, _ = report(ws)
    join = next(f for f in findings if f["kind"] == "stale-table" and f["table"] == "t_appa_tag_books")
    assert "many-to-many join table of a field of model tag of app 'appa'" in join["explanation"]
    assert "when the model's table was t_appa_tag" in join["explanation"]
    assert "no longer have it" in join["explanation"] and "model tag (its" not in join["explanation"]


def test_a_pending_widening_in_a_model_with_its_own_db_table_names_its_table(holds, django_features):
    """Seed 14902: a smallint widened to bigint in the model only (no makemigrations) of a model
    with db_table t_appa_item. The app's pending-model-change warning said "Alter field qty on
    item" and nothing tied it to t_appa_item (the column's own finding is info: same storage in
    SQLite). The finding now lists the tables its changes touch."""
    apps = [App("appa", (Model("appa", "Item", (Field("qty", "smallint", null=True), Field("name", "char")),
                               db_table="t_appa_item"),))]
    after, edit = next(made for r in range(50)
                       if "widen" in (made := alter_field(random.Random(r), tuple(apps), django_features))[1].description)
    assert holds(case(django_features, apps, Drift("pending", edit, after))) == []
