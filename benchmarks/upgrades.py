"""Real third-party upgrades applied with ``migrate --fake``: report vs ``makemigrations --check``.

Each project is the one ``tests/realapps`` builds for its faked-upgrade test
(``test_faked_upgrade_is_found_and_repaired``): a project with one own app (``shop``) and the
package, migrated for real by the package's *older* release (pip-installed into a cache folder
and put first on PYTHONPATH, see ``tests/realapps/project.py``), rows put in its tables, then
switched to the current release (the one installed in the bench venv, pyproject's ``realapps``
extra) and ``migrate --fake``: the new migrations are recorded, their schema changes are not.
So driftaudit finds drift (exit 1) where ``makemigrations --check`` sees nothing (exit 0); both
are timed on the same project, cold and warm.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fixtures import source_token, stamp_ok
from measure import WORK, report_vs_makemigrations

TESTS = Path(__file__).resolve().parents[1] / "tests"
#: the issue's list: guardian, otp, taggit, wagtail, allauth, celery (django-celery-beat)
DEFAULT_APPS = ("django-guardian", "django-otp", "django-taggit", "wagtail", "django-allauth", "django-celery-beat")


def _realapps():
    """tests/realapps, imported from the repository (its ``project`` module needs ``generator``)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from realapps import catalog, project
    return catalog, project


def chosen(names: str) -> list:
    """The catalog's apps named in ``names`` (comma-separated PyPI names, or ``all``)."""
    catalog, _ = _realapps()
    if names == "all":
        return list(catalog.APPS)
    by_name = {a.name: a for a in catalog.APPS}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"--apps: not in tests/realapps/catalog.py: {', '.join(unknown)} "
                         f"(known: {', '.join(by_name)})")
    return [by_name[n] for n in wanted]


def ensure_upgraded(app) -> Path:
    """The project of ``app`` after the faked upgrade (built once; rebuilt when the catalog, the
    project helper, this module or the installed release change)."""
    catalog, project_module = _realapps()
    from importlib.metadata import version

    root = WORK / "upgrades" / app.name
    token = source_token(catalog, project_module, sys.modules[__name__],
                         extra=f"{app.name} {app.older} -> {version(app.package)}")
    if stamp_ok(root, token):
        return root
    shutil.rmtree(root, ignore_errors=True)
    project = project_module.RealProject(root, app).write()
    project.manage("makemigrations", "shop")
    project.write(older=True)
    if app.older_django:  # its older release needs an older Django: the committed database
        shutil.copy(TESTS / "realapps" / "databases" / f"{app.package}-{app.older}.sqlite3", project.db)
    else:
        project.older = project_module.older_release(app)
        project.manage("migrate", "--noinput")
        project.fill()
        project.older = None
    project.write()
    faked = [line for line in project.manage("migrate", "--fake", "--noinput").stdout.splitlines()
             if line.strip().endswith("FAKED")]
    (root / ".faked").write_text("\n".join(faked) + "\n")
    (root / ".stamp").write_text(token)
    print(f"  {app.name} {app.older} -> {version(app.package)}: {len(faked)} migrations faked", flush=True)
    return root


def measure(apps: list, reps: int) -> dict:
    """Per app: cold and warm report vs makemigrations (``reps`` rounds of each)."""
    from importlib.metadata import version

    results = {}
    for app in apps:
        root = ensure_upgraded(app)
        print(f"measuring: upgrade of {app.name}", flush=True)
        r = report_vs_makemigrations(root, reps, reps, report_ok=(0, 1))
        r["release"] = f"{app.older} → {version(app.package)}"
        r["faked"] = len((root / ".faked").read_text().split("\n")) - 1
        results[app.name] = r
    return results
