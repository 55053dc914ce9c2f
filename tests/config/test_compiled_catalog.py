"""rules/compiled.json: the catalogs without PyYAML, never different from their YAML."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from driftaudit.config.rules import COMPILED, compile_catalogs, read_catalog, rules_dir
from tests.conftest import clean_env


def test_the_compiled_copy_is_current():
    """Fails after a catalog edit until `make catalogs` writes the copy again (order included:
    a rule's escalations are tried in their order)."""
    shipped = json.loads((rules_dir() / COMPILED).read_text(encoding="utf-8"))
    current = compile_catalogs(rules_dir())
    assert shipped == current, "rules/compiled.json is stale: run `make catalogs`"
    assert json.dumps(shipped) == json.dumps(current)


def test_a_catalog_edited_after_compiling_is_read_from_its_yaml(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    groups = folder / "groups.yaml"
    before = read_catalog("groups.yaml", folder)
    groups.write_text(groups.read_text(encoding="utf-8") + "\nadded_after_compiling: yes\n", encoding="utf-8")
    after = read_catalog("groups.yaml", folder)
    assert after == {**before, "added_after_compiling": True}
    assert read_catalog("causes.yaml", folder) == read_catalog("causes.yaml")


def test_without_the_compiled_copy_every_catalog_comes_from_yaml(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    (folder / COMPILED).unlink()
    for name in ("builtin.yaml", "causes.yaml", "repair.yaml"):
        assert read_catalog(name, folder) == read_catalog(name)


def test_reading_every_catalog_does_not_import_yaml():
    names = sorted(compile_catalogs(rules_dir()))
    code = ("import sys; from driftaudit.config.rules import read_catalog\n"
            f"for name in {names!r}: read_catalog(name)\n"
            "print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=True)
    assert out.stdout.strip() == "False"


def test_a_broken_compiled_copy_is_ignored(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    for broken in ("not json", "[1, 2]", '{"groups.yaml": {"data": {}}}', '{"groups.yaml": 3}'):
        (folder / COMPILED).write_text(broken)
        from driftaudit.config.rules import _compiled

        _compiled.cache_clear()
        assert read_catalog("groups.yaml", folder) == read_catalog("groups.yaml")
