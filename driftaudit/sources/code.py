"""Where things are written in the project's Python code: a class, an attribute of a class body,
a module-level assignment, as ``(file, line)``.

SARIF and GitHub annotations point at the code a finding is about (the model field's line in
``models.py``, the migration file). The lines come from ``inspect`` (which file holds a class)
and ``ast`` (where in that file), never from importing anything new or running code: the
classes are the ones Django already imported. Each file is parsed once per ``CodeIndex``.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CodeLocation:
    """A line of a file; ``path`` is absolute (outputs make it relative to where they need)."""

    path: str
    line: int


class CodeIndex:
    """Lines of classes and assignments in source files, each file parsed once."""

    def __init__(self):
        self._trees: dict[str, ast.Module | None] = {}

    def class_location(self, cls) -> CodeLocation | None:
        """The ``class`` line of ``cls``."""
        found = self._class_node(cls)
        return CodeLocation(found[0], found[1].lineno) if found else None

    def attribute_location(self, cls, name: str) -> CodeLocation | None:
        """The line that assigns ``name`` in the body of ``cls`` or the first base that does."""
        for klass in inspect.getmro(cls):
            found = self._class_node(klass)
            if found:
                line = _assignment_line(found[1].body, name)
                if line:
                    return CodeLocation(found[0], line)
        return None

    def file_location(self, path: str | Path, class_name: str | None = None,
                      assigned: str | None = None) -> CodeLocation:
        """A line of ``path``: the top-level ``class class_name`` or ``assigned = ...``, else 1."""
        path = str(Path(path).resolve())
        tree = self._tree(path)
        if tree is not None:
            for node in tree.body:
                if class_name and isinstance(node, ast.ClassDef) and node.name == class_name:
                    return CodeLocation(path, node.lineno)
            line = _assignment_line(tree.body, assigned) if assigned else None
            if line:
                return CodeLocation(path, line)
        return CodeLocation(path, 1)

    def _class_node(self, cls) -> tuple[str, ast.ClassDef] | None:
        try:
            path = inspect.getsourcefile(cls)
        except TypeError:  # a built-in class
            return None
        if not path:
            return None
        path = str(Path(path).resolve())
        tree = self._tree(path)
        body = tree.body if tree else []
        node = None
        for part in cls.__qualname__.split("."):
            node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
            if node is None:
                return None  # made at run time (Django's auto-created join models): no class statement
            body = node.body
        return (path, node) if node else None

    def _tree(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            try:
                self._trees[path] = ast.parse(Path(path).read_text(encoding="utf-8"), path)
            except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
                self._trees[path] = None
        return self._trees[path]


def _assignment_line(body: list, name: str) -> int | None:
    for node in body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
        else:
            continue
        if name in names:
            return node.lineno
    return None
