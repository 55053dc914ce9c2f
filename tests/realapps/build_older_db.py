"""Build the committed database of an upgrade that started under an older Django.

django-taggit 4 declares ``index_together``, which Django 5.1 removed: a project that ran it
did so under Django 4.2, and its database is what the upgrade to taggit 6 meets. Tests must not
need an old interpreter, so this script (run by hand, with a Django 4.2 interpreter) writes
``databases/<package>-<version>.sqlite3`` once, and the file is committed beside it::

    python -m venv /tmp/dj42 && /tmp/dj42/bin/pip install "django>=4.2,<4.3"
    /tmp/dj42/bin/python tests/realapps/build_older_db.py django-taggit

It installs the older release from PyPI into a temporary folder, migrates a project of
:mod:`realapps.project` (the test's own layout) and fills the app's tables.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from realapps.catalog import APPS  # noqa: E402
from realapps.project import RealProject  # noqa: E402


def main(name: str) -> None:
    import django

    app = next(a for a in APPS if a.name == name)
    assert app.older_django and django.get_version().startswith(app.older_django), \
        f"{name} {app.older} needs Django {app.older_django}, this is {django.get_version()}"
    with tempfile.TemporaryDirectory() as tmp:
        older = Path(tmp) / "older"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(older),
                        f"{app.package}=={app.older}"], check=True)
        project = RealProject(Path(tmp) / "project", app).write(older=True)
        project.older = older
        project.manage("makemigrations", "shop")
        project.manage("migrate", "--noinput")
        made = project.fill()
        target = HERE / "databases" / f"{app.package}-{app.older}.sqlite3"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(project.db, target)
        print(f"wrote {target.relative_to(HERE.parent.parent)} (Django {django.get_version()}, rows {made})")


if __name__ == "__main__":
    main(sys.argv[1])
