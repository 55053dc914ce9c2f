"""Generate a large synthetic Django project: many apps, models and a long migration history.

At scale 1: 40 apps x 10 models, 50 migrations per app (2000 in all): an initial migration, then
rounds of the churn real projects accumulate - AddField (plain, nullable, cross-app ForeignKey,
ManyToManyField), AlterField (max_length, null, db_index, help_text), RenameField, RemoveField.
Cross-app keys depend on the target app's initial migration, as ``makemigrations`` would write.

Migration files are written directly with Django's own ``MigrationWriter`` (running
``makemigrations`` 2000 times would not fit the time budget); ``models.py`` is written from the
same field definitions. ``--check`` runs the real ``makemigrations --check`` to prove that models
and history agree; ``run.py`` requires its exit 0 on every measured run anyway. The database is the final state created by Django's schema
editor plus the records ``migrate --fake`` writes (what ``migrate`` produces, without 2000 table rebuilds:
``--real-migrate`` runs the real thing, and the two schemas were compared once, see RESULTS.md).

    python benchmarks/synth.py DIR [--scale N] [--real-migrate]
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

MODELS_PER_APP = 10
MIGRATIONS_PER_APP = 50
APPS_PER_SCALE = 40


@dataclass
class FieldDef:
    name: str
    src: str  # the field's constructor, e.g. 'models.CharField(max_length=40)'
    kind: str  # char, int, bool, text, dt, dec, fk, m2m


@dataclass
class ModelDef:
    app: str
    name: str
    fields: list[FieldDef] = field(default_factory=list)
    serial: int = 0  # for fresh field names

    def get(self, name: str) -> FieldDef:
        return next(f for f in self.fields if f.name == name)


def _plain_field(rng: random.Random, nullable: bool = False) -> tuple[str, str]:
    kind = rng.choice(["char", "char", "int", "bool", "text", "dt", "dec"])
    null = ", null=True" if nullable else ""
    if kind == "char":
        return kind, f"models.CharField(max_length={rng.choice([20, 40, 80, 120, 255])}" + (
            ", null=True, blank=True)" if nullable else ", default='')")
    if kind == "int":
        return kind, "models.IntegerField(default=0)" if not nullable else "models.IntegerField(null=True)"
    if kind == "bool":
        return kind, "models.BooleanField(default=False)"
    if kind == "text":
        return kind, "models.TextField(blank=True, default='')"
    if kind == "dt":
        return kind, f"models.DateTimeField(null=True, blank=True{'' if nullable else ''})"
    return kind, f"models.DecimalField(max_digits=12, decimal_places=2{null}, default=0)"


class Generator:
    def __init__(self, root: Path, scale: int, seed: int = 20261121):
        self.root = root
        self.apps = [f"app{i:03d}" for i in range(APPS_PER_SCALE * scale)]
        self.rng = random.Random(seed)
        self.models: dict[str, list[ModelDef]] = {}
        self.migrations: dict[str, list[str]] = {app: [] for app in self.apps}
        self.m2m_serial = 0

    # -- the story ---------------------------------------------------------------------------
    def initial(self, index: int, app: str):
        from django.db import migrations, models

        rng = self.rng
        defs = []
        for m in range(MODELS_PER_APP):
            model = ModelDef(app, f"Item{m}")
            for _ in range(rng.randint(3, 6)):
                kind, src = _plain_field(rng)
                model.serial += 1
                model.fields.append(FieldDef(f"f{model.serial}", src, kind))
            if m > 0 and rng.random() < 0.6:  # a key to an earlier model of the same app
                target = f"{app}.Item{rng.randrange(m)}"
                model.fields.append(self._fk(model, target, nullable=False))
            if index > 0 and rng.random() < 0.4:  # a key to an earlier app
                target_app = self.apps[rng.randrange(index)]
                model.fields.append(self._fk(model, f"{target_app}.Item{rng.randrange(MODELS_PER_APP)}",
                                             nullable=True))
            defs.append(model)
        self.models[app] = defs
        ops = [
            migrations.CreateModel(
                name=model.name,
                fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID"))]
                + [(f.name, self._obj(f.src)) for f in model.fields],
            )
            for model in defs
        ]
        deps = sorted({self._target_app(f) for model in defs for f in model.fields if f.kind in ("fk", "m2m")}
                      - {app})
        return ops, [(d, "0001_initial") for d in deps]

    def churn(self, app: str):
        """One later migration of ``app``: 1-3 operations on its models."""
        from django.db import migrations

        rng = self.rng
        ops, deps = [], set()
        touched = set()
        for _ in range(rng.randint(1, 3)):
            model = rng.choice(self.models[app])
            if model.name in touched:
                continue
            touched.add(model.name)
            roll = rng.random()
            plain = [f for f in model.fields if f.kind not in ("fk", "m2m")]
            if roll < 0.30:  # AddField, nullable so no default is asked for
                if rng.random() < 0.25:
                    target_app = rng.choice(self.apps)
                    new = self._fk(model, f"{target_app}.Item{rng.randrange(MODELS_PER_APP)}", nullable=True)
                elif rng.random() < 0.12:
                    target_app = rng.choice(self.apps)
                    new = self._m2m(model, f"{target_app}.Item{rng.randrange(MODELS_PER_APP)}")
                else:
                    kind, src = _plain_field(rng, nullable=True)
                    model.serial += 1
                    new = FieldDef(f"f{model.serial}", src, kind)
                model.fields.append(new)
                ops.append(migrations.AddField(model.name.lower(), new.name, self._obj(new.src)))
                if new.kind in ("fk", "m2m") and self._target_app(new) != app:
                    deps.add(self._target_app(new))
            elif roll < 0.65 and plain:  # AlterField
                f = rng.choice(plain)
                f.src = self._altered(f)
                ops.append(migrations.AlterField(model.name.lower(), f.name, self._obj(f.src)))
            elif roll < 0.85 and plain:  # RenameField
                f = rng.choice(plain)
                model.serial += 1
                new_name = f"f{model.serial}"
                ops.append(migrations.RenameField(model.name.lower(), f.name, new_name))
                f.name = new_name
            elif plain and len(model.fields) > 3:  # RemoveField
                f = rng.choice(plain)
                model.fields.remove(f)
                ops.append(migrations.RemoveField(model.name.lower(), f.name))
        if not ops:
            return self.churn(app)
        return ops, [(d, "0001_initial") for d in sorted(deps)]

    def _altered(self, f: FieldDef) -> str:
        rng = self.rng
        src = f.src
        if f.kind == "char" and "max_length=" in src:
            old = int(src.split("max_length=")[1].split(",")[0].split(")")[0])
            new = rng.choice([n for n in (20, 40, 80, 120, 255, 300) if n != old])
            return src.replace(f"max_length={old}", f"max_length={new}")
        if "db_index=True" in src:
            return src.replace(", db_index=True", "")
        if "help_text=" not in src and rng.random() < 0.5:
            return src[:-1] + f", help_text='note {rng.randrange(1000)}')"
        return src[:-1] + ", db_index=True)"

    def _fk(self, model: ModelDef, target: str, nullable: bool) -> FieldDef:
        model.serial += 1
        name = f"f{model.serial}"
        related = f"{model.app}_{model.name.lower()}_{name}"
        action = "models.SET_NULL, null=True, blank=True" if nullable else "models.CASCADE"
        return FieldDef(name, f"models.ForeignKey('{target}', on_delete={action}, related_name='{related}')", "fk")

    def _m2m(self, model: ModelDef, target: str) -> FieldDef:
        model.serial += 1
        name = f"f{model.serial}"
        related = f"{model.app}_{model.name.lower()}_{name}"
        return FieldDef(name, f"models.ManyToManyField('{target}', blank=True, related_name='{related}')", "m2m")

    @staticmethod
    def _target_app(f: FieldDef) -> str:
        return f.src.split("('")[1].split(".")[0]

    @staticmethod
    def _obj(src: str):
        from django.db import models

        return eval(src, {"models": models})  # noqa: S307 - our own generated constructor text

    # -- files -------------------------------------------------------------------------------
    def write(self) -> int:
        from django.db import migrations
        from django.db.migrations.writer import MigrationWriter

        if self.root.exists():
            shutil.rmtree(self.root)
        (self.root / "synthproject").mkdir(parents=True)
        self._project_files()
        for app in self.apps:
            (self.root / app / "migrations").mkdir(parents=True)
            (self.root / app / "__init__.py").write_text("")
            (self.root / app / "migrations" / "__init__.py").write_text("")
        count = 0
        for number in range(1, MIGRATIONS_PER_APP + 1):
            for index, app in enumerate(self.apps):
                if number == 1:
                    ops, deps = self.initial(index, app)
                    name = "0001_initial"
                else:
                    ops, deps = self.churn(app)
                    name = f"{number:04d}_auto_{number}"
                deps = [(app, self.migrations[app][-1])] + deps if self.migrations[app] else deps
                migration = type("Migration", (migrations.Migration,), {
                    "operations": ops, "dependencies": deps, "initial": number == 1})(name, app)
                text = MigrationWriter(migration, include_header=False).as_string()
                (self.root / app / "migrations" / f"{name}.py").write_text(text)
                self.migrations[app].append(name)
                count += 1
        for app in self.apps:
            (self.root / app / "models.py").write_text(self._models_source(app))
        return count

    def _models_source(self, app: str) -> str:
        lines = ["from django.db import models", ""]
        for model in self.models[app]:
            lines += ["", f"class {model.name}(models.Model):"]
            lines += [f"    {f.name} = {f.src}" for f in model.fields]
            lines.append("")
        return "\n".join(lines)

    def _project_files(self) -> None:
        apps = ",\n".join(f'    "{a}"' for a in self.apps)
        (self.root / "synthproject" / "__init__.py").write_text("")
        (self.root / "synthproject" / "settings.py").write_text(
            "from pathlib import Path\n\n"
            "BASE_DIR = Path(__file__).resolve().parent.parent\n"
            'SECRET_KEY = "benchmark-not-secret"\n'
            f"INSTALLED_APPS = [\n{apps},\n]\n"
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}\n'
            'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
            "USE_TZ = True\n"
        )
        (self.root / "manage.py").write_text(
            "import os\nimport sys\n\n"
            'if __name__ == "__main__":\n'
            '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "synthproject.settings")\n'
            "    from django.core.management import execute_from_command_line\n\n"
            "    execute_from_command_line(sys.argv)\n"
        )


#: Creates the final state's tables with Django's schema editor (what ``migrate`` ends with) and
#: records every migration as applied, in dependency order, as ``migrate --fake`` would (which
#: itself replays the whole history for its "models have changes" check: minutes at 4x).
CREATE_TABLES = """
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
with connection.schema_editor() as editor:
    for model in apps.get_models():
        editor.create_model(model)
graph = MigrationLoader(None, ignore_no_migrations=True).graph
recorder = MigrationRecorder(connection)
recorder.ensure_schema()
done = set()
for leaf in sorted(graph.leaf_nodes()):
    for key in graph.forwards_plan(leaf):
        if key not in done:
            done.add(key)
            recorder.record_applied(*key)
"""


def build_database(root: Path, python: str, real_migrate: bool) -> None:
    (root / "db.sqlite3").unlink(missing_ok=True)
    command = ["migrate", "-v", "0"] if real_migrate else ["shell", "-c", CREATE_TABLES]
    subprocess.run([python, "manage.py", *command], cwd=root, check=True, stdout=subprocess.DEVNULL)


def generate(root: Path, scale: int, python: str = sys.executable, real_migrate: bool = False,
             check: bool = False) -> dict:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=[], USE_TZ=True)
        django.setup()
    start = time.monotonic()
    gen = Generator(root, scale)
    count = gen.write()
    written = time.monotonic() - start
    if check:  # models and history must agree: Django's own verdict
        result = subprocess.run([python, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=root,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"generated project is inconsistent:\n{result.stdout}{result.stderr}")
    build_database(root, python, real_migrate)
    models = sum(len(v) for v in gen.models.values())
    return {"apps": len(gen.apps), "models": models, "migrations": count,
            "write_s": round(written, 1), "total_s": round(time.monotonic() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--real-migrate", action="store_true", help="build the database with `migrate`")
    parser.add_argument("--check", action="store_true", help="prove with `makemigrations --check` first")
    args = parser.parse_args()
    print(generate(Path(args.dir).resolve(), args.scale, real_migrate=args.real_migrate, check=args.check))


if __name__ == "__main__":
    main()
