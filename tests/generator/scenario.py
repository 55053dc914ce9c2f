"""One seed -> one story: an honest start, then the drifts users cause, with what each leaves.

A :class:`Scenario` is pure data (replayable from its seed and the Django version);
:func:`play` performs it in a :class:`~generator.workspace.Workspace` with real commands and
returns the causes each table's drift may honestly be given.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field

from generator.edits import UNRUN_EDITS, Edit, draw_edit
from generator.spec import App, Features, draw_apps
from generator.workspace import Workspace

#: how an edit reaches (or does not reach) the database, and the causes that explain it
MODES = {
    "honest": (),
    "fake": ("faked-migration",),
    "pending": ("pending-model-change",),
    "unapplied": ("unapplied-migration",),
    "regenerate": ("rewritten-migration", "deleted-migration"),
}
DRIFTS = ("fake", "pending", "unapplied", "regenerate", "delete-file", "sql", "orphans", "remove-app", "copy")
SQL_KINDS = ("create-index", "add-column", "drop-index")
ROWS_IT_REJECTS = "with a row it rejects"


@dataclass(frozen=True)
class Drift:
    kind: str  # a MODES key with an edit, one of DRIFTS without, or "script"
    edit: Edit | None = None
    apps_after: tuple[App, ...] | None = None
    detail: str = ""
    #: "script" (scripted regression cases only): SQL run in the sqlite3 shell's way, and the
    #: cause it gives the tables it names
    tables: tuple[str, ...] = ()
    cause: str = ""

    def describe(self) -> str:
        if self.edit:
            return f"{self.kind}: {self.edit.description}" + (f", {self.detail}" if self.detail else "")
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class Scenario:
    seed: int
    features: Features
    apps: tuple[App, ...]
    drifts: tuple[Drift, ...]

    @property
    def honest(self) -> bool:
        return all(d.kind == "honest" for d in self.drifts)

    def describe(self) -> str:
        models = ", ".join(m.label + ("(abstract)" if m.abstract else "(proxy)" if m.proxy_of else
                                      "(unmanaged)" if not m.managed else "")
                           for a in self.apps for m in a.models)
        lines = [f"seed {self.seed} (Django {'.'.join(map(str, self.features.version))}): {models}"]
        return "\n".join(lines + [f"  {i}. {d.describe()}" for i, d in enumerate(self.drifts, 1)])


def draw(seed: int, features: Features) -> Scenario:
    rng = random.Random(seed)
    apps = draw_apps(rng, features)
    drifts, current = [], apps
    for _ in range(rng.randint(0, 2)):  # honest evolutions first
        made = draw_edit(rng, current, features)
        if made:
            current, edit = made
            drifts.append(Drift("honest", edit, current))
    if rng.random() < 0.2:  # a fifth of the cases stay honest: invariant 1
        return Scenario(seed, features, apps, tuple(drifts))
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice(DRIFTS)
        if kind in MODES:
            unrun = kind in ("fake", "pending", "regenerate")
            made = draw_edit(rng, current, features, UNRUN_EDITS) if unrun else draw_edit(rng, current, features)
            if not made:
                continue
            current, edit = made
            # rows the edited models reject, written where the database still accepts them
            bad_rows = unrun and edit.violation and rng.random() < 0.5
            drifts.append(Drift(kind, edit, current, detail=ROWS_IT_REJECTS if bad_rows else ""))
            if kind in ("pending", "unapplied"):
                break  # later steps would run makemigrations/migrate over it
        elif kind == "sql":
            drifts.append(Drift("sql", detail=rng.choice(SQL_KINDS) + f" #{rng.randint(0, 10**6)}"))
        elif kind == "remove-app" and len(current) > 1:
            removable = [a for a in current if not _referenced_from_outside(a, current)]
            if removable:  # an app others point at cannot leave INSTALLED_APPS (fields.E300)
                drifts.append(Drift("remove-app", detail=rng.choice(removable).label))
                break
        elif kind == "copy":  # `cp -r` or a clone: every file's modification time is now
            drifts.append(Drift("copy", detail="every file touched"))
        elif kind in ("delete-file", "orphans"):
            drifts.append(Drift(kind, detail=f"#{rng.randint(0, 10**6)}"))
    return Scenario(seed, features, apps, tuple(drifts))


def _referenced_from_outside(app: App, apps: tuple[App, ...]) -> bool:
    prefix = app.label + "."
    for other in apps:
        if other.label != app.label:
            for m in other.models:
                refs = [m.parent, m.proxy_of] + [f.target for f in m.fields]
                if any((ref or "").startswith(prefix) for ref in refs):
                    return True
    return False


@dataclass
class Played:
    """What performing a story left: the causes each touched table's drift may honestly be given
    (``"*"``: any table), and the tables the user's own unapplied migrations will drop (their
    rows go with them when those migrations run, as the user wrote)."""

    causes: dict = field(default_factory=dict)
    user_drops: set = field(default_factory=set)


def play(s: Scenario, ws: Workspace) -> Played:
    """Perform the story with real commands."""
    rng = random.Random(s.seed * 7919)
    played = Played()
    causes = played.causes
    ws.write_project(s.apps)
    ws.makemigrations()
    ws.manage("migrate", "--noinput")
    ws.fill(s.seed)
    current = s.apps
    for drift in s.drifts:
        if drift.kind == "regenerate":
            # every file is made again: what earlier drifts left now looks made by (or left
            # out of) the regenerated files, which is also what happened last
            for table in [t for t in causes if t != "*"]:
                causes[table] |= set(MODES["regenerate"])
        if drift.edit is not None:
            current = drift.apps_after
            for app in current:
                ws.write_app(app)
            causes.setdefault("*", set()).update(_edit(drift, ws, rng))
            if drift.detail == ROWS_IT_REJECTS:
                ws.sqlite(drift.edit.violation)
            for table in drift.edit.tables:
                causes.setdefault(table, set()).update(MODES[drift.kind])
                if drift.kind == "regenerate" and drift.edit.kind == "remove-constraint":
                    # the index left in the database carries a name a model's Meta gave it, and
                    # no file names it any more: exactly what one typed in the sqlite3 shell
                    # looks like (the mirror of a hand-dropped index looking faked)
                    causes[table].add("manual-sql")
            if drift.kind == "unapplied" and drift.edit.kind in ("remove-model", "remove-m2m"):
                played.user_drops |= drift.edit.tables
        elif drift.kind == "sql":
            sql_kind = drift.detail.split()[0]
            table = _hand_sql(sql_kind, ws, rng)
            if table:
                causes.setdefault(table, set()).add("manual-sql")
                if any(d.kind == "regenerate" for d in s.drifts[:s.drifts.index(drift)]):
                    # after a regeneration (every app's files), a hand change looks the same as
                    # one made before it, which the regenerate above lets be blamed on the new
                    # files: the database cannot tell the order (seed 9481)
                    causes[table] |= set(MODES["regenerate"])
                if sql_kind == "drop-index":
                    # an index a migration made, dropped by hand, looks exactly like that
                    # migration faked, or like its file gaining the index after it ran
                    # (regenerated): nothing in the database tells them apart
                    causes[table] |= {"faked-migration", "rewritten-migration"}
        elif drift.kind == "copy":
            for path in ws.root.rglob("*.py"):
                path.touch()
        elif drift.kind == "script":
            ws.sqlite(drift.detail)
            for table in drift.tables:
                causes.setdefault(table, set()).add(drift.cause)
        elif drift.kind == "orphans":
            for table in _orphans(ws, rng):
                causes.setdefault(table, set()).add("fk-checks-disabled")
        elif drift.kind == "delete-file":
            if drift.detail.startswith("app "):  # scripted cases: "app LABEL", its last file
                ws.migration_files(drift.detail.split()[1])[-1].unlink()
            else:
                _delete_file(ws, rng, current)
            causes.setdefault("*", set()).update({"deleted-migration", "pending-model-change"})
        elif drift.kind == "remove-app":
            label = drift.detail
            ws.set_installed([a.label for a in current if a.label != label])
            # another app's migration may depend on the removed app's: Django itself then stops
            # every command (NodeNotFoundError) until the user edits that file; not a story
            # driftaudit can finish (it says which file and what to change)
            ws.manage("migrate", "--plan")
            for m in next(a for a in current if a.label == label).models:
                causes.setdefault(m.table().lower(), set()).add("removed-app")
            causes.setdefault("*", set()).add("removed-app")
    return played


def _edit(drift: Drift, ws: Workspace, rng: random.Random) -> set:
    """Make the edit's drift; the causes it also gives every table (a failed migrate)."""
    edit, kind = drift.edit, drift.kind
    if kind == "pending":
        return set()
    if kind == "regenerate":
        # "Reset the migrations": every project app's files deleted and made again (one app
        # alone cannot be: the others' files depend on its old names), then migrate, which
        # finds every 0001_initial recorded already.
        for app in drift.apps_after:
            shutil.rmtree(ws.root / app.label / "migrations", ignore_errors=True)
        ws.makemigrations(*(app.label for app in drift.apps_after))
        ran = ws.manage("migrate", "--noinput", check=False)
        # a regenerated 0002_initial (keys across apps) redoes what the old 0001 did and fails
        # on it: left unapplied, it honestly explains what it would make
        return {"unapplied-migration"} if ran.returncode != 0 else set()
    ws.makemigrations(renames=edit.renames)
    if kind == "honest":
        ws.manage("migrate", "--noinput")
        ws.fill(rng.randint(0, 10**6), rows=2)
    elif kind == "fake":
        ws.manage("migrate", "--fake")
    elif kind == "unapplied":
        _applies_on_a_copy(ws)
    return set()


def _applies_on_a_copy(ws: Workspace) -> None:
    """The user's own new migration must run under Django itself: one that cannot (a rename
    makemigrations took for a new model plus a delete, under rows that point at the old one)
    fails the user's ``migrate`` whatever driftaudit says, so the story is unplayable."""
    trial = ws.root.parent / (ws.root.name + "-trial")
    shutil.rmtree(trial, ignore_errors=True)
    shutil.copytree(ws.root, trial)
    try:
        Workspace(trial, ws.features, ws.python).manage("migrate", "--noinput")
    finally:
        shutil.rmtree(trial, ignore_errors=True)


def _tables(ws: Workspace) -> list[str]:
    return [n for (n,) in ws.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'app%' "
                                   "OR (type = 'table' AND name LIKE 't\\_app%' ESCAPE '\\') "
                                   "OR (type = 'table' AND name LIKE 'moved\\_%' ESCAPE '\\') ORDER BY name")]


def _hand_sql(kind: str, ws: Workspace, rng: random.Random) -> str | None:
    tables = _tables(ws)
    if not tables:
        return None
    table = rng.choice(tables)
    cols = [c for c in ws.query(f'SELECT name, type, pk FROM pragma_table_info("{table}")') if not c[2]]
    if kind == "create-index" and cols:
        col = rng.choice(cols)[0]
        ws.sqlite(f'CREATE INDEX "{table}_{col}_by_hand" ON "{table}" ("{col}");')
    elif kind == "add-column":
        ws.sqlite(f'ALTER TABLE "{table}" ADD COLUMN "added_by_hand" varchar(20) NULL;')
    else:
        names = [n for (n,) in ws.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql IS NOT NULL", table)]
        if not names:
            return None
        ws.sqlite(f'DROP INDEX "{rng.choice(names)}";')
    return table.lower()


def _orphans(ws: Workspace, rng: random.Random) -> list[str]:
    """Delete a parent row that children reference, with the shell's foreign keys off."""
    keys = []
    for table in _tables(ws):
        for fk in ws.query(f'SELECT "table", "from", "to" FROM pragma_foreign_key_list("{table}")'):
            (n,) = ws.query(f'SELECT count(*) FROM "{table}" WHERE "{fk[1]}" IS NOT NULL')[0]
            if n and fk[0] != table and fk[0].startswith(("app", "t_app", "moved_")):
                keys.append((table, fk[1], fk[0], fk[2] or "id"))
    if not keys:
        return []
    child, column, parent, target = rng.choice(keys)
    ws.sqlite(f'DELETE FROM "{parent}" WHERE "{target}" = (SELECT "{column}" FROM "{child}" '
              f'WHERE "{column}" IS NOT NULL ORDER BY rowid LIMIT 1);')
    return [child.lower()]


def _delete_file(ws: Workspace, rng: random.Random, apps) -> None:
    candidates = [(a.label, files[-1]) for a in apps if len(files := ws.migration_files(a.label)) >= 2]
    if candidates:
        _, path = rng.choice(candidates)
        path.unlink()
