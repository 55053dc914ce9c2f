"""``driftaudit adopt``: drift kept on purpose comes into the models and the history, never the
other way round. Each case is a real project: hand-made SQL on a migrated database, ``adopt``,
``sqlmigrate`` (no SQL), ``migrate``, then ``report`` must be clean, ``makemigrations --check``
must pass, and the DDL and every row must be exactly what they were."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import clean_env, driftaudit, manage

SETTINGS = """\
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "test"
INSTALLED_APPS = ["shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""
MANAGE = """\
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""


def project(root: Path, models: str, rows: str, hand_sql: str, **modules: str) -> Path:
    """A migrated project with ``rows`` inserted, then ``hand_sql`` run as a DBA would."""
    (root / "proj").mkdir(parents=True)
    (root / "proj" / "__init__.py").write_text("")
    (root / "proj" / "settings.py").write_text(SETTINGS)
    (root / "manage.py").write_text(MANAGE)
    (root / "shop" / "migrations").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "migrations" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(textwrap.dedent(models).lstrip("\n"))
    for name, text in modules.items():
        (root / "shop" / f"{name}.py").write_text(textwrap.dedent(text).lstrip("\n"))
    for args in (("makemigrations", "shop"), ("migrate",)):
        run = manage(root, *args)
        assert run.code == 0, run.stdout + run.stderr
    hand(root, rows)
    hand(root, hand_sql)
    return root


def hand(root: Path, script: str) -> None:
    db = sqlite3.connect(root / "db.sqlite3", isolation_level=None)
    try:
        db.executescript(textwrap.dedent(script))
    finally:
        db.close()


def rebuild(root: Path, table: str, *replacements: tuple[str, str]) -> str:
    """The SQL a DBA runs to change a column in SQLite: the table rebuilt with edited DDL."""
    db = sqlite3.connect(root / "db.sqlite3")
    ddl = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    indexes = [s for (s,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql IS NOT NULL", (table,))]
    db.close()
    new = ddl.replace(f'"{table}"', f'"new_{table}"', 1)
    for old, replacement in replacements:
        assert old in new, (old, new)
        new = new.replace(old, replacement)
    return (f'PRAGMA foreign_keys = OFF; BEGIN; {new}; INSERT INTO "new_{table}" SELECT * FROM "{table}"; '
            f'DROP TABLE "{table}"; ALTER TABLE "new_{table}" RENAME TO "{table}"; '
            + "".join(f"{sql}; " for sql in indexes) + "COMMIT;")


def snapshot(root: Path) -> tuple:
    """Every schema object's DDL and every table's rows, django_migrations aside."""
    db = sqlite3.connect(f"file:{root / 'db.sqlite3'}?mode=ro", uri=True)
    try:
        ddl = sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        rows = {name: sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr) for _, name, _, _ in ddl
                if _ == "table" and name not in ("django_migrations", "sqlite_sequence")}
        return ddl, rows
    finally:
        db.close()


def files_of(root: Path) -> dict:
    return {p: p.read_bytes() for p in root.rglob("*.py") if "__pycache__" not in p.parts}


def adopt_then_migrate(root: Path, *targets: str) -> tuple[str, Path]:
    """adopt -> sqlmigrate (no SQL) -> migrate -> report clean, makemigrations --check clean,
    DDL and rows unchanged; returns adopt's output and the migration it wrote."""
    before = snapshot(root)
    run = driftaudit("adopt", *targets, cwd=root)
    assert run.code == 0, run.stdout + run.stderr
    migration = root / "shop" / "migrations" / "0002_driftaudit_adopt.py"
    assert f"wrote {Path('shop/migrations/0002_driftaudit_adopt.py')}" in run.stdout
    sql = manage(root, "sqlmigrate", "shop", "0002_driftaudit_adopt")
    assert sql.code == 0, sql.stderr
    statements = [line for line in sql.stdout.splitlines() if line.strip() and not line.startswith("--")]
    assert statements == ["BEGIN;", "COMMIT;"]
    migrated = manage(root, "migrate")
    assert migrated.code == 0 and "Applying shop.0002_driftaudit_adopt... OK" in migrated.stdout, migrated.stderr
    report = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=root)
    assert report.json["findings"] == [] and report.code == 0
    check = manage(root, "makemigrations", "--check", "--dry-run")
    assert check.code == 0, check.stdout + check.stderr
    assert snapshot(root) == before
    return run.stdout, migration


def test_the_sample_keeps_its_hand_made_index_and_widened_column(sample_copy):
    root = sample_copy("drift_adopt")
    kinds = {(f["kind"], f["column"]) for f in driftaudit("report", "--format", "json", cwd=root).json["findings"]}
    assert kinds == {("index-extra", "placed_at"), ("column-type", "note")}
    out, migration = adopt_then_migrate(root, "shop_order.placed_at", "shop_order.note")
    assert "F1 (index-extra shop_order.placed_at)" in out and "F2 (column-type shop_order.note)" in out
    assert (root / "shop" / "models.py").read_text() == textwrap.dedent('''\
        # The shop's orders: a busy table, queried by when they were placed.
        from django.db import models


        class Order(models.Model):
            number = models.CharField(max_length=20, unique=True)
            customer = models.CharField(max_length=100)
            note = models.CharField(max_length=200, blank=True)
            placed_at = models.DateTimeField()

            class Meta:
                ordering = ["-placed_at"]
                indexes = [models.Index(fields=["placed_at"], name="shop_order_placed_idx")]

            def __str__(self):
                return self.number
        ''')
    text = migration.read_text()
    assert "dependencies = [\n        ('shop', '0001_initial'),\n    ]" in text
    assert "database_operations=[]," in text and " UTC " in text and "Why: " in text
    assert "migrations.AddIndex(" in text and "migrations.AlterField(" in text


def test_dry_run_prints_the_diff_and_writes_nothing(sample_copy):
    root = sample_copy("drift_adopt")
    before = files_of(root)
    run = driftaudit("adopt", "--all-of", "index-extra", "--all-of", "column-type", "--dry-run", cwd=root)
    assert run.code == 0, run.stderr
    assert "--- a/shop/models.py\n+++ b/shop/models.py\n" in run.stdout
    assert "-    note = models.CharField(max_length=100, blank=True)\n" \
           "+    note = models.CharField(max_length=200, blank=True)\n" in run.stdout
    assert "--- /dev/null\n+++ b/shop/migrations/0002_driftaudit_adopt.py\n" in run.stdout
    assert run.stdout.rstrip().endswith("(dry run: nothing written)")
    assert files_of(root) == before


def test_the_api_returns_the_adoption_without_writing_it(sample_copy):
    root = sample_copy("drift_adopt")
    before = files_of(root)
    run = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import driftaudit
        adoption = driftaudit.adopt(["F1"], project={str(root)!r}, reason="the report needs it")
        assert isinstance(adoption, driftaudit.Adoption) and adoption.ok
        print(*sorted(adoption.shown(p) for p in adoption.files))
        print("Why: the report needs it" in adoption.diff())
    """)], cwd=root.parent, capture_output=True, text=True, env=clean_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["shop/migrations/0002_driftaudit_adopt.py", "shop/models.py", "True"]
    assert files_of(root) == before


TICKETS = """
    from django.db import models


    class Ticket(models.Model):
        code = models.CharField(max_length=20)
        owner = models.CharField(max_length=50)
        state = models.CharField(max_length=10, null=True)
        priority = models.IntegerField()
        closed_at = models.DateTimeField(null=True)

        def __str__(self):
            return self.code
"""
TICKET_ROWS = """
    INSERT INTO shop_ticket (code, owner, state, priority, closed_at) VALUES
        ('T-1', 'ann', 'new', 1, NULL), ('T-1', 'bob', 'done', 2, '2024-01-02 10:00:00'),
        ('T-2', 'cyd', 'new', 3, NULL);
"""


@pytest.mark.skipif(__import__("django").VERSION < (5, 0), reason="db_default (the adopted DEFAULT) is new in Django 5.0")
def test_null_default_and_partial_indexes_adopted(tmp_path):
    root = tmp_path / "p"
    project(root, TICKETS, TICKET_ROWS, "")
    hand(root, rebuild(root, "shop_ticket", ('"owner" varchar(50) NOT NULL', '"owner" varchar(50) NULL'),
                       ('"state" varchar(10) NULL', '"state" varchar(10) NOT NULL'),
                       ('"priority" integer NOT NULL', '"priority" integer DEFAULT 3 NOT NULL')) + """
        CREATE UNIQUE INDEX "ticket_open_code_uniq" ON "shop_ticket" ("code") WHERE "closed_at" IS NULL;
        CREATE INDEX "ticket_triage_idx" ON "shop_ticket" ("priority" DESC, "owner");
    """)
    report = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=root).json
    assert sorted(f["kind"] for f in report["findings"]) == [
        "column-default", "column-null", "column-null", "index-extra", "unique-extra"]
    adopt_then_migrate(root, "shop_ticket")
    assert (root / "shop" / "models.py").read_text() == textwrap.dedent('''\
        from django.db import models


        class Ticket(models.Model):
            code = models.CharField(max_length=20)
            owner = models.CharField(max_length=50, null=True)
            state = models.CharField(max_length=10)
            priority = models.IntegerField(db_default=3)
            closed_at = models.DateTimeField(null=True)

            class Meta:
                indexes = [
                    models.Index(fields=["-priority", "owner"], name="ticket_triage_idx")
                ]
                constraints = [
                    models.UniqueConstraint(
                        fields=["code"],
                        name="ticket_open_code_uniq",
                        condition=models.Q(closed_at__isnull=True),
                    ),
                ]

            def __str__(self):
                return self.code
        ''')


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """One project with drift adopt must refuse, each for its own reason."""
    root = tmp_path_factory.mktemp("refused") / "p"
    project(root, TICKETS, TICKET_ROWS, "")
    hand(root, rebuild(root, "shop_ticket", ('"priority" integer NOT NULL', '"priority" text NOT NULL')) + """
        ALTER TABLE "shop_ticket" ADD COLUMN "legacy" text NULL;
        CREATE INDEX "shop_ticket_owner_for_the_weekly_report" ON "shop_ticket" ("owner");
        CREATE INDEX "ticket_open_idx" ON "shop_ticket" ("code") WHERE "closed_at" IS NULL AND "owner" <> '';
        CREATE INDEX "ticket_lower_idx" ON "shop_ticket" (lower("owner"));
    """)
    findings = driftaudit("report", "--format", "json", cwd=root).json["findings"]
    return root, {(f["kind"], f["column"]): f["id"] for f in findings}


@pytest.mark.parametrize("target, why", [
    (("stale-column", "legacy"), "`python manage.py inspectdb shop_ticket`"),
    (("column-type", "priority"), "a change between type affinities changes the field's class"),
    (("index-extra", "owner"), "Django refuses the index name shop_ticket_owner_for_the_weekly_report"),
    (("index-extra", "code"), "for shop_ticket.code Django would write index on (\"code\") WHERE (\"closed_at\" IS "
                              "NULL AND NOT (\"owner\" = '')), the database has index on (\"code\") WHERE \"closed_at\" "
                              "IS NULL AND \"owner\" <> '': the audit would still report index-missing"),
    (("index-extra", 'LOWER("owner")'), "index ticket_lower_idx is on an expression"),
])
def test_what_cannot_be_adopted_is_refused_in_one_line(refused, target, why):
    root, ids = refused
    before = files_of(root)
    run = driftaudit("adopt", ids[target], cwd=root)
    assert run.code == 1 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert lines[-1] == "driftaudit: nothing was written" and len(lines) == 2, run.stderr
    assert lines[0].startswith(f"driftaudit: cannot adopt {ids[target]}") and why in lines[0], lines[0]
    assert files_of(root) == before


def test_one_refusal_stops_the_whole_adoption(refused):
    root, ids = refused
    before = files_of(root)
    run = driftaudit("adopt", "shop_ticket", cwd=root)
    # each finding refused when planned, one line each (the index on code would fail the check after)
    refusals = [line.split(" ")[3] for line in run.stderr.splitlines()[:-1]]
    assert run.code == 1 and refusals == sorted(ids[k] for k in ids if k != ("index-extra", "code")), run.stderr
    assert files_of(root) == before


@pytest.mark.parametrize("args, message", [
    (("F99",), "no finding F99 in the current report"),
    (("shop_nothing",), "'shop_nothing' names no schema finding"),
    (("--all-of", "index-missingness"), "unknown finding kind 'index-missingness'"),
    ((), "name what to adopt"),
])
def test_a_bad_target_is_one_line_and_exit_2(refused, args, message):
    root, _ = refused
    run = driftaudit("adopt", *args, cwd=root)
    assert run.code == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and message in run.stderr and "Traceback" not in run.stderr


def test_no_finding_of_a_kind_is_nothing_to_adopt(refused):
    run = driftaudit("adopt", "--all-of", "column-null", cwd=refused[0])
    assert run.code == 0 and run.stdout == "nothing to adopt: the report has no column-null finding\n"


def test_models_whose_source_cannot_be_edited_get_the_migration_and_where_to_edit(tmp_path):
    root = tmp_path / "p"
    project(root, """
        from django.db import models

        from shop.base import Stamped


        class Item(Stamped):
            pass


        def tag_model(name):
            return type(name, (models.Model,), {"__module__": __name__, "tag": models.CharField(max_length=10)})


        Tag = tag_model("Tag")
    """, "INSERT INTO shop_item (label) VALUES ('a'); INSERT INTO shop_tag (tag) VALUES ('x');", "", base="""
        from django.db import models


        class Stamped(models.Model):
            label = models.CharField(max_length=100)

            class Meta:
                abstract = True
    """)
    hand(root, rebuild(root, "shop_item", ('"label" varchar(100)', '"label" varchar(150)')))
    hand(root, 'CREATE INDEX "shop_tag_tag_idx" ON "shop_tag" ("tag");')
    before = files_of(root)
    for target, where in (("shop_item.label", f"abstract model Stamped ({root / 'shop' / 'base.py'}:4)"),
                          ("shop_tag.tag", "has no `class Tag` statement")):
        run = driftaudit("adopt", target, cwd=root)
        assert run.code == 1, run.stdout + run.stderr
        assert where in run.stderr and "make this change by hand" in run.stderr
        assert "# shop/migrations/0002_driftaudit_adopt.py (not written" in run.stdout
        assert "class Migration(migrations.Migration):" in run.stdout
        assert files_of(root) == before
