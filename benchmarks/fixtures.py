"""The projects and databases the benchmark measures, built once and reused while their
generator's source (and scale) is unchanged: a ``.stamp`` file in each folder holds a hash of it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import bigdb
import synth
from measure import PY, WORK


def stamp_ok(folder: Path, token: str) -> bool:
    return (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == token


def source_token(*modules, extra="") -> str:
    import hashlib
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules) + extra.encode()).hexdigest()


def ensure_synth(scale: int) -> Path:
    return _generated(WORK / f"synth{scale}", synth, scale, "synthetic project")


def ensure_bigdb(scale: float) -> Path:
    """``scale`` may be a fraction (e.g. 0.01) for smoke runs."""
    return _generated(WORK / f"big{scale:g}", bigdb, scale, "large database")


def _generated(folder: Path, generator, scale, what: str) -> Path:
    """``folder`` made by ``generator.generate`` at ``scale``, again only when the generator's
    source or the scale changed since (its ``.stamp``)."""
    token = source_token(generator, extra=str(scale))
    if not stamp_ok(folder, token):
        print(f"  generating {what} x{scale}: {generator.generate(folder, scale, PY)}", flush=True)
        (folder / ".stamp").write_text(token)
    return folder


def ensure_cms() -> Path:
    import wagtail
    folder = WORK / "cms"
    token = f"wagtail {wagtail.__version__}"
    if not stamp_ok(folder, token):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        subprocess.run([str(Path(PY).parent / "wagtail"), "start", "cmsite", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=folder, check=True)
        (folder / ".stamp").write_text(token)
        print(f"  wagtail {wagtail.__version__} site: migrated", flush=True)
    return folder


def migration_count(project: Path) -> int:
    conn = sqlite3.connect(project / "db.sqlite3")
    try:
        return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    finally:
        conn.close()


