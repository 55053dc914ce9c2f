"""driftaudit's replay (sources/replay_speed.py skips the reference scan only rendered apps need)
ends in exactly the state Django's own replay does.

Each project's whole history is replayed in a fresh process by Django (``MigrationLoader
.project_state()``, as ``makemigrations`` does) and by driftaudit's ``replay``; the states must be
equal by Django's own ``ProjectState`` equality (fields deconstructed, so a ``to_field`` a
``RenameField`` failed to follow would show). The hand-written history renames a field another
model's key points at through ``to_field``, renames the model, and alters the field after.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import clean_env

COMPARE = textwrap.dedent("""\
    import os, sys
    sys.path.insert(0, os.getcwd())
    os.environ["DJANGO_SETTINGS_MODULE"] = sys.argv[1]
    import django
    django.setup()
    from django.db.migrations.loader import MigrationLoader
    import django.db.migrations.state as state_module
    from driftaudit.sources.history import replay

    loader = MigrationLoader(None, ignore_no_migrations=True)
    django_state = loader.project_state()
    plan = [key for leaf in sorted(loader.graph.leaf_nodes()) for key in loader.graph.forwards_plan(leaf)]
    failures = []
    ours = replay(loader.graph, list(dict.fromkeys(plan)), loader.unmigrated_apps, failures)
    assert not failures, failures
    assert state_module.get_references.__module__ == "django.db.migrations.utils", "restored after the replay"
    assert ours == django_state, "states differ"
    renamed = [f for m in ours.models.values() for f in m.fields.values() if getattr(f, "to_fields", None)]
    print(len(plan), len(ours.models), sorted(str(f.to_fields) for f in renamed))
""")

TO_FIELD_HISTORY = {
    "0001_initial.py": """
        from django.db import migrations, models
        import django.db.models.deletion

        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel("Target", [
                    ("id", models.BigAutoField(primary_key=True, serialize=False)),
                    ("code", models.CharField(max_length=10, unique=True)),
                ]),
                migrations.CreateModel("Ref", [
                    ("id", models.BigAutoField(primary_key=True, serialize=False)),
                    ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                 to="shop.target", to_field="code")),
                ]),
                migrations.CreateModel("TargetProxy", [], options={"proxy": True}, bases=("shop.target",)),
            ]
        """,
    "0002_renames.py": """
        from django.db import migrations, models

        class Migration(migrations.Migration):
            dependencies = [("shop", "0001_initial")]
            operations = [
                migrations.RenameField("target", "code", "key"),
                migrations.AlterField("target", "key", models.CharField(max_length=20, unique=True)),
                migrations.RenameModel("Target", "Goal"),
                migrations.RenameField("goal", "key", "slug"),
            ]
        """,
}


def to_field_project(root: Path) -> Path:
    (root / "shop" / "migrations").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "migrations" / "__init__.py").write_text("")
    for name, text in TO_FIELD_HISTORY.items():
        (root / "shop" / "migrations" / name).write_text(textwrap.dedent(text))
    (root / "settings.py").write_text('SECRET_KEY = "x"\nINSTALLED_APPS = ["shop"]\n'
                                      'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n')
    return root


def compare(project: Path, settings: str) -> str:
    result = subprocess.run([sys.executable, "-c", COMPARE, settings], cwd=project, capture_output=True,
                            text=True, env=clean_env(), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_to_field_followed_through_renames_as_django_does(tmp_path):
    out = compare(to_field_project(tmp_path), "settings")
    assert out.split()[:2] == ["2", "3"]
    assert "('slug',)" in out  # the key follows both renames of the field it points at


@pytest.mark.parametrize("sample", ["clean_history", "clean_thirdparty", "history_squash", "drift_hand_rename"])
def test_sample_histories_replay_to_django_s_state(built_samples, sample):
    project = built_samples(sample)
    (settings,) = project.glob("*/settings.py")
    compare(project, f"{settings.parent.name}.settings")
