"""The package's layout is its pipeline, and its imports must keep saying so (issue 12).

sources -> schema -> explain -> repair -> report, with config, errors and sql beneath them
all, the public API above the stages, and the command line on top. Every import of every
module (function-level ones included) is read with ``ast``; a module may import its own layer
or a lower one, never a higher one, and the modules import no circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "driftaudit"
#: lowest first; a module may import only from its own layer or the ones before it
LAYERS = [
    {"driftaudit", "driftaudit.errors", "driftaudit.sql"},
    {"driftaudit.config"},
    {"driftaudit.sources"},
    {"driftaudit.schema"},
    {"driftaudit.explain"},
    {"driftaudit.repair"},
    {"driftaudit.report"},
    {"driftaudit.api", "driftaudit.many"},
    # where driftaudit runs besides its command line: Django's check, pytest
    {"driftaudit.checks", "driftaudit.testing", "driftaudit.pytest_plugin"},
    {"driftaudit.cli", "driftaudit.cli_many", "driftaudit.cli_history", "driftaudit.cli_questions",
     "driftaudit.__main__"},
    {"driftaudit.management", "driftaudit.apps"},
]
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    best = None
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[1])):
                best = (i, name)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best[0]


def imports(path: Path) -> set[str]:
    """Every driftaudit module ``path`` imports, resolved to a module name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; use absolute driftaudit.* imports"
            if node.module and node.module.split(".")[0] == "driftaudit":
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                              else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "driftaudit"}
    return found


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_every_import_points_down_the_pipeline():
    upward = []
    for name, path in sorted(modules().items()):
        for target in sorted(imports(path)):
            if layer_of(target) > layer_of(name):
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_no_import_cycles():
    graph = {name: {t for t in imports(path) if t in modules()} - {name} for name, path in modules().items()}
    # Tarjan-free check: repeatedly remove modules that import nothing left; what stays is cyclic
    remaining = dict(graph)
    while True:
        leaves = {n for n, deps in remaining.items() if not (deps & remaining.keys())}
        if not leaves:
            break
        for n in leaves:
            del remaining[n]
    assert sorted(remaining) == []


def test_each_subpackage_says_what_it_owns_and_hands_on():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        if init.parent.name == "management":
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()) >= 3, f"{init}: say what the subpackage owns"


def test_no_module_grows_past_the_limit():
    long = {name: n for name, p in modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
