"""driftaudit on reusable apps from PyPI, as their users meet them.

For each package of :mod:`catalog` (pinned in pyproject's ``realapps`` extra):

* a fresh ``migrate`` audits clean (no finding at all, info included);
* a project that ran the older release with rows in its tables, then upgraded and recorded the
  new migrations with ``migrate --fake``, is found (every drifted table, cause
  ``faked-migration``, the faked migration named) and repaired by ``propose`` + ``migrate``:
  clean report, ``makemigrations --check`` passes, the schema (index names included) equals a
  fresh ``migrate``, every row survives;
* the same upgrade before ``migrate`` reports the new migrations once, as unapplied, and
  nothing the migrations will change as a second finding;
* the package removed from ``INSTALLED_APPS`` with its tables left is explained as
  ``removed-app``, with the deletes of users its rows block.

Nothing here names what a package's migrations contain: the expected drift is what the schema
of the faked database differs by from a fresh one, read back with PRAGMAs only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from generator.invariants import differing, rows_survive

from realapps.catalog import APPS
from realapps.project import RealProject, older_release

SERIOUS = ("warning", "error")
DATABASES = Path(__file__).resolve().parent / "databases"


def _run_older_release(app, project: RealProject) -> None:
    """The project as the older release left it: migrated by it, rows in its tables; then the
    package is upgraded (the newer release is the installed one) and nothing else is run."""
    project.write(older=True)
    if app.older_django:  # built once under that Django by build_older_db.py, committed
        shutil.copy(DATABASES / f"{app.package}-{app.older}.sqlite3", project.db)
    else:
        project.older = older_release(app)
        project.manage("migrate", "--noinput")
        project.fill()
        project.older = None
    project.write()


def _faked(output: str) -> set[str]:
    """``app.name`` of every migration ``migrate --fake`` recorded."""
    return {line.split()[1].rstrip(".") for line in output.splitlines() if line.strip().endswith("FAKED")}


def _mentions(finding: dict, table: str) -> bool:
    return (finding.get("table") or "").lower() == table


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_fresh_migrate_audits_clean(app, fresh_project):
    project = fresh_project(app)
    run = project.driftaudit("report", "--format", "json", "--fail-on", "info")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_faked_upgrade_is_found_and_repaired(app, fresh_project, new_project):
    truth = fresh_project(app).schema()
    project = new_project(app)
    _run_older_release(app, project)
    faked = _faked(project.manage("migrate", "--fake", "--noinput").stdout)
    before_rows = project.rows()
    drifted = differing(truth, project.schema())

    report = project.report()
    serious = [f for f in report["findings"] if f["severity"] in SERIOUS]
    for table in drifted:
        about = [f for f in serious if _mentions(f, table)]
        assert about, f"{table} drifted and has no finding: {report['findings']}"
        assert all(f["cause"] == "faked-migration" and f["migration"] in faked for f in about), about
    assert not [f for f in serious if f["table"] and f["table"].lower() not in drifted], serious
    assert faked or not drifted
    # one story per faked migration, however many tables it left different
    stories = [g for g in report["groups"] if g["cause"] == "faked-migration"]
    assert len({g["migration"] for g in stories}) == len(stories) and {g["migration"] for g in stories} <= set(faked)

    propose = project.driftaudit("propose")
    assert propose.returncode == 0, propose.stdout + propose.stderr
    assert ("nothing to repair" in propose.stdout) == (not serious), propose.stdout
    project.manage("migrate", "--noinput")
    after = project.report()
    assert [f for f in after["findings"] if f["severity"] in SERIOUS] == []
    project.manage("makemigrations", "--check", "--dry-run")
    assert differing(truth, project.schema()) == set()
    assert rows_survive(before_rows, project.rows()) == []


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_upgrade_before_migrate_reports_the_new_migrations_once(app, new_project):
    project = new_project(app)
    _run_older_release(app, project)
    plan = project.manage("migrate", "--plan").stdout
    unapplied = {line.strip().split(".")[0] + "." + line.strip().split(".")[1].split()[0]
                 for line in plan.splitlines()[1:] if line.strip() and not line.startswith(" ")}

    report = project.report()
    serious = [f for f in report["findings"] if f["severity"] in SERIOUS]
    assert {f["kind"] for f in serious} <= {"unapplied-migration"}, serious
    assert set(report["history"]["unapplied"]) == unapplied


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_removed_app_is_explained_with_the_deletes_it_blocks(app, new_project):
    project = new_project(app)
    project.manage("migrate", "--noinput")
    made = project.fill()
    tables = _plain_tables(project) - {t.lower() for t in _base_tables(project)}
    project.write(installed=False)

    report = project.report()
    stale = {f["table"].lower(): f for f in report["findings"] if f["kind"] == "stale-table"}
    assert set(stale) == tables, report["findings"]
    assert all(f["cause"] == "removed-app" for f in stale.values()), stale
    holding_users = [t for t in made if made[t] and _keys_to_users(project, t)]
    for table in holding_users:
        blocked = stale[table.lower()]["impact"].get("blocked_deletes") or []
        assert any(b["table"] == "auth_user" for b in blocked), stale[table.lower()]
    # one story per removed app: its stale tables and its migration records in one group
    removed = [f for f in report["findings"] if f["cause"] == "removed-app"]
    groups = [g for g in report["groups"] if g["cause"] == "removed-app"]
    assert len(groups) == len({f["app"] for f in removed}), groups
    assert sorted(i for g in groups for i in g["findings"]) == sorted(f["id"] for f in removed)
    assert all({"stale-table", "ghost-migration"} <= {left["kind"] for left in g["left"]} for g in groups), groups


def _base_tables(project) -> set[str]:
    """Tables the project has without the package: contrib apps and its own app."""
    bare = RealProject(project.root.parent / "bare", project.app).write(installed=False)
    if not bare.db.exists():
        import shutil

        shutil.copytree(project.root / "shop", bare.root / "shop", dirs_exist_ok=True)
        bare.manage("migrate", "--noinput")
    return set(bare.schema())


def _plain_tables(project) -> set[str]:
    """The project's tables but virtual ones (wagtailsearch's FTS5 index) and their shadows:
    RunSQL made those, no model has them, they are not the removed app's model tables."""
    import sqlite3

    conn = sqlite3.connect(f"file:{project.db}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT lower(name), sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master WHERE type = 'table' "
                            "AND name NOT LIKE 'sqlite_%'").fetchall()
    finally:
        conn.close()
    virtual = [name for name, is_virtual in rows if is_virtual]
    return {name for name, _ in rows if not any(name == v or name.startswith(v + "_") for v in virtual)}


def _keys_to_users(project, table: str) -> bool:
    return any(fk[0] == "auth_user" for fk in project.schema()[table.lower()]["fks"])
