"""A model class in its ``models.py``, found with ``ast``, and precise edits to that text.

``driftaudit adopt`` writes a model change into the project's own code: a keyword of a field's
call (``max_length=200``, ``null=True``), an item of ``Meta.indexes`` / ``Meta.constraints``, or
a ``class Meta`` where the model has none. The file is never regenerated: every edit replaces
or inserts text at offsets that ``ast`` gives, so comments, blank lines and the author's layout
stay as they were. Where an edit makes a line longer than black's 88 columns (the style of
Django's own code), only that call or list is laid out the way black would.

What cannot be edited safely raises :class:`NotEditable` with where to make the change by
hand: a model made by a function, a field inherited from an abstract model (changing it there
changes every model that inherits it), a field or list that is not written literally.
"""

from __future__ import annotations

import ast
import inspect
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

#: black's default line length, which Django's own code uses
LINE_LENGTH = 88


class NotEditable(Exception):
    """The model's source cannot be edited safely; the message says why and where to edit by hand."""


@dataclass(frozen=True)
class ModelSource:
    """Where a model class is written: its file and its ``class`` statement."""

    path: Path
    node: ast.ClassDef
    #: the name under which the module imports ``django.db.models`` (``models``), or None
    models_alias: str | None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.node.lineno}"


def model_source(model) -> ModelSource:
    """The ``class`` statement of ``model`` in its module's file."""
    label = model._meta.label
    if "<locals>" in model.__qualname__:
        raise NotEditable(f"model {label} is made inside a function ({model.__module__}.{model.__qualname__})")
    try:
        path = Path(inspect.getsourcefile(model) or "").resolve()
    except TypeError:
        path = None
    if not path or not path.is_file():
        raise NotEditable(f"the source file of model {label} cannot be found")
    tree = _parse(path)
    body, node = tree.body, None
    for part in model.__qualname__.split("."):
        found = [n for n in body if isinstance(n, ast.ClassDef) and n.name == part]
        if not found:
            raise NotEditable(f"model {label} has no `class {part}` statement in {path} (made at run time)")
        node = found[-1]  # a name defined twice: the last definition is the live one
        body = node.body
    return ModelSource(path, node, _models_alias(model))


def _models_alias(model) -> str | None:
    import sys

    from django.db import models

    module = sys.modules.get(model.__module__)
    names = [name for name, value in vars(module).items() if value is models] if module else []
    return "models" if "models" in names else (sorted(names)[0] if names else None)


def _parse(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, ValueError) as exc:
        raise NotEditable(f"{path} cannot be read as Python ({exc})") from None


def field_call(model, source: ModelSource, name: str) -> ast.Call:
    """The call that makes field ``name`` in the model's class body (``name = models.X(...)``)."""
    for statement in source.node.body:
        if _assigns(statement, name):
            if not isinstance(statement.value, ast.Call):
                raise NotEditable(f"field {model._meta.label}.{name} is not written as `{name} = "
                                  f"models.Field(...)` ({source.path}:{statement.lineno})")
            return statement.value
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or not getattr(meta, "abstract", False):
            continue
        try:
            base_source = model_source(base)
        except NotEditable:
            continue
        if any(_assigns(s, name) for s in base_source.node.body):
            raise NotEditable(f"field {model._meta.label}.{name} comes from abstract model {base.__name__} "
                              f"({base_source.where}); a change there changes every model that inherits it")
    raise NotEditable(f"field {model._meta.label}.{name} is not assigned in the body of class "
                      f"{model.__name__} ({source.where})")


def _assigns(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    return isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
        and statement.target.id == name and statement.value is not None


def preferred_quote(text: str) -> str:
    """The quote the file's strings mostly use (``"`` when there is no string, as black writes)."""
    counts = {'"': 0, "'": 0}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                body = token.string.lstrip("rbuRBUfF")
                if body[:3] not in ('"""', "'''") and body[:1] in counts:
                    counts[body[0]] += 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return "'" if counts["'"] > counts['"'] else '"'


def string_literal(value: str, quote: str) -> str:
    """``value`` as a Python string literal in the file's quote style."""
    text = repr(value)
    if quote == '"' and text.startswith("'") and '"' not in value and "\\" not in text:
        return f'"{value}"'
    return text


@dataclass
class SourceEdits:
    """The edits to one file, kept as ``(start, end, text)`` on the original text and applied
    together: offsets never shift while edits are collected."""

    path: Path
    text: str = ""
    edits: list = field(default_factory=list)

    def __post_init__(self):
        self.text = self.path.read_text(encoding="utf-8")
        self._lines = self.text.splitlines(keepends=True)
        self._starts = [0]
        for line in self._lines:
            self._starts.append(self._starts[-1] + len(line))

    # -- positions -------------------------------------------------------------------------
    def offset(self, line: int, col: int) -> int:
        """``ast``'s (1-based line, UTF-8 byte column) as an offset into the text."""
        raw = self._lines[line - 1].encode("utf-8")[:col]
        return self._starts[line - 1] + len(raw.decode("utf-8", errors="ignore"))

    def span(self, node) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def indent_of(self, line: int) -> str:
        text = self._lines[line - 1]
        return text[: len(text) - len(text.lstrip())]

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]

    def column(self, offset: int) -> int:
        return offset - self.text.rfind("\n", 0, offset) - 1

    def rest_of_line(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len((self.text[offset:] if end < 0 else self.text[offset:end]).rstrip())

    def _next_char(self, offset: int) -> tuple[int, str]:
        """The next character that is not blank (nor a comment) from ``offset``."""
        i = offset
        while i < len(self.text):
            ch = self.text[i]
            if ch == "#":
                i = self.text.find("\n", i)
                if i < 0:
                    break
            elif not ch.isspace():
                return i, ch
            i += 1
        return len(self.text), ""

    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, text, len(self.edits)))

    # -- the edits ---------------------------------------------------------------------------
    def set_keywords(self, call: ast.Call, changes: dict) -> None:
        """Set (``{kw: source}``) or remove (``{kw: None}``) keywords of ``call``, in one edit."""
        keywords = {k.arg: k for k in call.keywords if k.arg}
        unpacked = any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)
        for kw, source in changes.items():
            if kw in keywords:
                continue
            if unpacked:
                raise NotEditable(f"the call at line {call.lineno} passes *args or **kwargs, which may hold {kw}")
            if source is not None and len(call.args) > 2:
                raise NotEditable(f"the call at line {call.lineno} has {len(call.args)} positional arguments; "
                                  f"one of them may be {kw}")
        args = sorted([*call.args, *call.keywords], key=lambda n: (n.lineno, n.col_offset))
        added = [f"{kw}={source}" for kw, source in changes.items() if kw not in keywords and source is not None]
        removed = [keywords[kw] for kw, source in changes.items() if kw in keywords and source is None]
        open_at, close_at = self._parentheses(call)
        if (added or removed) and "\n" not in self.text[open_at:close_at]:
            texts = [f"{arg.arg}={changes[arg.arg]}" if getattr(arg, "arg", None) in changes else self.segment(arg)
                     for arg in args if arg not in removed] + added
            self.replace(open_at, close_at + 1,
                         self._layout("(", ")", texts, open_at, close_at + 1, self.indent_of(call.lineno)))
            return
        for kw, source in changes.items():
            if kw in keywords and source is not None:
                self.replace(*self.span(keywords[kw].value), source)
        for node in removed:
            self._remove_argument(node, args)
        if added:
            kept = [a for a in args if a not in removed]
            if kept:
                self._append(kept, added, close_at)
            else:
                self.replace(open_at + 1, close_at, ", ".join(added))

    def add_items(self, sequence: ast.expr, items: list[str], statement: ast.stmt) -> None:
        """Append ``items`` (source texts) to a list or tuple literal."""
        if not isinstance(sequence, (ast.List, ast.Tuple)):
            raise NotEditable(f"line {sequence.lineno} is not a list literal")
        start, end = self.span(sequence)
        brackets = self.text[start] + self.text[end - 1]
        if brackets not in ("[]", "()"):
            raise NotEditable(f"the tuple at line {sequence.lineno} has no parentheses")
        if not sequence.elts or "\n" not in self.text[start:end]:
            texts = [self.segment(e) for e in sequence.elts] + items
            self.replace(start, end, self._layout(brackets[0], brackets[1], texts, start, end,
                                                  self.indent_of(statement.lineno)))
            return
        self._append(sequence.elts, items, end - 1)

    def add_statement(self, after: ast.stmt, lines: list[str], blank_before: bool = False) -> None:
        """Insert ``lines`` (already indented) on the lines after the statement ``after``."""
        at = self.line_start(after.end_lineno + 1) if after.end_lineno < len(self._lines) else len(self.text)
        prefix = "" if self.text[:at].endswith("\n") else "\n"
        self.replace(at, at, prefix + ("\n" if blank_before else "") + "".join(f"{line}\n" for line in lines))

    def replace_statement(self, statement: ast.stmt, lines: list[str]) -> None:
        start = self.line_start(statement.lineno)
        end = self.line_start(statement.end_lineno + 1) if statement.end_lineno < len(self._lines) else len(self.text)
        self.replace(start, end, "".join(f"{line}\n" for line in lines))

    def result(self) -> str:
        text = self.text
        for start, end, new, _ in sorted(self.edits, key=lambda e: (e[0], e[3]), reverse=True):
            text = text[:start] + new + text[end:]
        return text

    # -- helpers -------------------------------------------------------------------------------
    def _parentheses(self, call: ast.Call) -> tuple[int, int]:
        open_at, ch = self._next_char(self.span(call.func)[1])
        close_at = self.span(call)[1] - 1
        if ch != "(" or self.text[close_at] != ")":
            raise NotEditable(f"the call at line {call.lineno} cannot be read")
        return open_at, close_at

    def _layout(self, opening: str, closing: str, texts: list[str], start: int, end: int, indent: str) -> str:
        """Items between brackets that sat on one line, laid out as black would from there."""
        return bracketed(opening, closing, texts, self.column(start), self.rest_of_line(end), indent)

    def _append(self, nodes: list, items: list[str], close_at: int) -> None:
        """Add items after the last of ``nodes``, in a bracket that spans several lines."""
        last = nodes[-1]
        last_end = self.span(last)[1]
        comma_at, ch = self._next_char(last_end)
        after = comma_at + 1 if ch == "," else last_end
        indent = self.indent_of(last.lineno)
        line_end = self.text.find("\n", after)
        if line_end < 0 or close_at < line_end:  # the bracket closes on the last item's line
            self.replace(after, after, ("" if ch == "," else ",") + ",".join(f"\n{indent}{item}" for item in items))
            return
        if ch != ",":
            self.replace(last_end, last_end, ",")
        self.replace(line_end + 1, line_end + 1, "".join(f"{indent}{item},\n" for item in items))

    def _remove_argument(self, node, args: list) -> None:
        start, end = self.span(node)
        index = args.index(node)
        line_from = self.line_start(node.lineno)
        after, ch = self._next_char(end)
        if self.text[line_from:start].strip() == "":
            through = after + 1 if ch == "," else end
            line_end = self.text.find("\n", through)
            rest = self.text[through:line_end].strip() if line_end >= 0 else "x"
            if rest == "" or rest.startswith("#"):  # alone on its lines (with its comment): drop them
                self.replace(line_from, line_end + 1, "")
                return
        if index > 0:
            self.replace(self.span(args[index - 1])[1], end, "")
        elif index + 1 < len(args):
            self.replace(start, self.span(args[index + 1])[0], "")
        else:
            self.replace(start, after + 1 if ch == "," else end, "")


def bracketed(opening: str, closing: str, texts: list[str], column: int, after: int, indent: str) -> str:
    """``texts`` between brackets as black lays them out, the opening bracket at ``column`` and
    ``after`` characters following the closing one: on one line if it fits, else the items on
    one indented line, else one item per line with a trailing comma."""
    one = f"{opening}{', '.join(texts)}{closing}"
    if column + len(one) + after <= LINE_LENGTH:
        return one
    inner = ", ".join(texts)
    if len(indent) + 4 + len(inner) <= LINE_LENGTH:
        return f"{opening}\n{indent}    {inner}\n{indent}{closing}"
    return opening + "\n" + "".join(f"{indent}    {_split_call(t, indent + '    ')},\n" for t in texts) + \
        f"{indent}{closing}"


def _split_call(text: str, indent: str) -> str:
    """An item too long for its line: when it is a call, its arguments laid out in turn."""
    if len(indent) + len(text) + 1 <= LINE_LENGTH:
        return text
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if not isinstance(node, ast.Call) or not (node.args or node.keywords):
        return text
    args = sorted([*node.args, *node.keywords], key=lambda n: n.col_offset)
    func = ast.get_source_segment(text, node.func)
    segments = [ast.get_source_segment(text, a) for a in args]
    return func + bracketed("(", ")", segments, len(indent) + len(func), 1, indent)


def assignment_lines(indent: str, name: str, items: list[str]) -> list[str]:
    """A new ``name = [items]`` statement, laid out as black would."""
    text = f"{indent}{name} = " + bracketed("[", "]", items, len(indent) + len(name) + 3, 0, indent)
    return text.split("\n")


def meta_class(source: ModelSource) -> ast.ClassDef | None:
    return next((n for n in source.node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)


def meta_assignment(meta: ast.ClassDef, name: str) -> ast.Assign | None:
    return next((s for s in meta.body if _assigns(s, name)), None)


def fields_end(node: ast.ClassDef) -> ast.stmt:
    """The statement after which a new ``class Meta`` goes: Django's order is fields, managers,
    ``class Meta``, methods - so after the last assignment (or the docstring)."""
    last = node.body[0]
    for statement in node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) or (
                isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            last = statement
    return last
