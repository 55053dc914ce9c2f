"""DDL goldens per supported Django release: every feature of issue 13 section 1.

For each feature (``golden/features.py``) a small project is built with this Django's real
``makemigrations``/``migrate``, and

(a) the DDL it wrote into ``sqlite_master``, and driftaudit's normalized reading of it, equal
    the golden committed under ``golden/<major.minor>/<feature>.json``: a Django upgrade that
    writes other DDL shows up as a diff to review, then ``python tests/schema/golden/regen.py``
    (with that release's interpreter) writes the new golden;
(b) driftaudit audits the fresh database clean: no finding at all.

A release's goldens run only under that release (``make test`` runs 5.2's; ``make test-matrix``
all three); under another the cases are skipped with the reason.
"""

from __future__ import annotations

import django
import pytest

from conftest import driftaudit
from golden.features import for_version
from golden.snapshot import GOLDEN_DIR, REGEN, build, golden_path, read, snapshot, version_key

#: the releases driftaudit supports, each with its goldens
VERSIONS = ((4, 2), (5, 2), (6, 1))
RUNNING = tuple(django.VERSION[:2])


def cases():
    for version in VERSIONS:
        skip = [] if version == RUNNING else [pytest.mark.skip(
            reason=f"goldens of Django {version_key(version)}; this is Django {version_key(RUNNING)} "
                   f"(make test-matrix runs every release)")]
        for feature in for_version(version):
            yield pytest.param(version, feature, id=f"{version_key(version)}-{feature.name}", marks=skip)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``built(feature)``: the feature's project, migrated once for both tests."""
    projects = {}

    def get(feature):
        if feature.name not in projects:
            projects[feature.name] = build(feature, tmp_path_factory.mktemp(feature.name) / "project", RUNNING)
        return projects[feature.name]

    return get


@pytest.mark.parametrize("version, feature", list(cases()))
def test_django_writes_the_golden_ddl(version, feature, built):
    path = golden_path(version, feature.name)
    assert path.is_file(), f"no golden {path.relative_to(GOLDEN_DIR.parent)}: run {REGEN} {feature.name}"
    golden, now = read(path), snapshot(built(feature).db, feature, version)
    advice = f"review the difference, then run {REGEN} {feature.name}"
    assert now["ddl"] == golden["ddl"], f"Django {version_key(version)} writes other DDL for {feature.name}: {advice}"
    assert now["schema"] == golden["schema"], f"driftaudit reads {feature.name}'s DDL differently: {advice}"


@pytest.mark.parametrize("version, feature", list(cases()))
def test_fresh_database_audits_clean(version, feature, built):
    run = driftaudit("report", "--format", "json", "--fail-on", "info", cwd=built(feature).root)
    assert run.code == 0 and run.json["findings"] == [], run.stdout + run.stderr


@pytest.mark.skipif(RUNNING not in VERSIONS, reason=f"no goldens for Django {version_key(RUNNING)}")
def test_goldens_are_exactly_the_features_of_this_release():
    """A feature left out of the catalog leaves no golden behind (and every feature has one)."""
    names = {f.name for f in for_version(RUNNING)}
    assert {p.stem for p in (GOLDEN_DIR / version_key(RUNNING)).glob("*.json")} == names, f"run {REGEN}"
