"""docs/rules/ holds one generated page per rule, and the committed pages match rules/ (issue 15,
point 8): the text report sends readers there, so a page must never lag behind the catalog."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from driftaudit.config.config_file import parse_config
from driftaudit.config.rules import load_catalog

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tools" / "gen_rule_docs.py"


def generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pages_are_up_to_date_with_the_catalog():
    gen = generator()
    wanted = gen.pages()
    assert set(wanted) == {"README.md"} | {f"{rule.id}.md" for rule in load_catalog().values()}
    assert gen.stale(wanted) == [], "run: python tools/gen_rule_docs.py"
    check = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=REPO)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_changed_rule_makes_the_check_fail(tmp_path, monkeypatch):
    gen = generator()
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    gen.main([])  # written into tmp_path
    assert gen.main(["--check"]) == 0
    page = tmp_path / "DA101.md"
    page.write_text(page.read_text().replace("exists only in the database", "is old"))
    (tmp_path / "DA999.md").write_text("a page of no rule\n")
    assert gen.stale(gen.pages()) == ["DA101.md", "DA999.md"]
    assert gen.main(["--check"]) == 1


def test_each_page_says_the_rule_and_its_example_config_is_valid():
    catalog = load_catalog()
    ids = {rule.id for rule in catalog.values()}
    for rule in catalog.values():
        text = (REPO / "docs" / "rules" / f"{rule.id}.md").read_text()
        assert rule.title in text and f"`{rule.kind}`" in text and f"driftaudit rules {rule.id}" in text
        assert "{" not in text.replace(f"{{{rule.id}: error}}", ""), "a placeholder left unfilled"
        yaml_block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
        config = parse_config(yaml_block, Path("driftaudit.yaml"), ids)  # raises on a mistake
        assert rule.id in config.ignore
