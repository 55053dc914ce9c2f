"""The two texts an adoption writes: the edited ``models.py`` and the state-only migration.

The model change goes into the project's own file through :mod:`driftaudit.sources.model_source`
(positions from ``ast``, everything else left as the author wrote it). The migration is a
``SeparateDatabaseAndState`` whose ``database_operations`` is empty, its state operations
serialized by Django's ``OperationWriter`` exactly as ``makemigrations`` writes them.
"""

from __future__ import annotations

import sqlite3
import textwrap
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from driftaudit import __version__
from driftaudit.config.rules import fill, read_catalog
from driftaudit.sources.model_source import (
    NotEditable,
    SourceEdits,
    assignment_lines,
    field_call,
    fields_end,
    meta_assignment,
    meta_class,
    model_source,
)

INDENT = "    "


def words() -> dict:
    """``rules/adopt.yaml``: every sentence adopt writes."""
    return read_catalog("adopt.yaml")


def say(key: str, **values) -> str:
    entry = words()
    for part in key.split("."):
        entry = entry[part]
    return " ".join(fill(entry, **values).split())


def edit_models(changes: list, files: dict[Path, SourceEdits]) -> list[str]:
    """Write each change into its model's file (into ``files``); the changes that cannot be
    written safely come back as one line each: why, where to make them by hand, and what."""
    by_model = defaultdict(list)
    for change in changes:
        by_model[change.model].append(change)
    by_hand = []
    for model, model_changes in by_model.items():
        source = None
        try:
            source = model_source(model)
            edits = files.get(source.path) or files.setdefault(source.path, SourceEdits(source.path))
            _edit_model(model, source, edits, model_changes)
        except NotEditable as exc:
            where = source.where if source else f"the module {model.__module__}"
            by_hand.append(say("by_hand", why=str(exc), where=where,
                               what="; ".join(c.summary for c in model_changes)))
    return by_hand


def _edit_model(model, source, edits: SourceEdits, changes: list) -> None:
    fields = defaultdict(dict)
    meta = defaultdict(list)
    for change in changes:
        if change.field:
            fields[change.field].update(change.sources)
        else:
            meta[change.meta].append(change.source)
    if meta and source.models_alias is None:
        raise NotEditable(f"{source.path} does not import django.db.models under a name")
    for name, keywords in fields.items():
        call = field_call(model, source, name)
        present = {k.arg for k in call.keywords}
        for keyword, text in keywords.items():
            if text is None and keyword not in present:
                raise NotEditable(f"{keyword} of {model._meta.label}.{name} is not written in its call "
                                  f"(line {call.lineno})")
        edits.set_keywords(call, keywords)
    if meta:  # in the order Django's documentation lists them
        _edit_meta(model, source, edits, {attr: meta[attr] for attr in ("indexes", "constraints") if attr in meta})


def _edit_meta(model, source, edits: SourceEdits, items: dict) -> None:
    node = meta_class(source)
    for attr in items:
        inherited = getattr(model._meta, attr)
        if inherited and (node is None or meta_assignment(node, attr) is None):
            raise NotEditable(f"{model._meta.label} inherits Meta.{attr} from an abstract model; a new list "
                              "here would drop those")
    if node is None:
        body_indent = edits.indent_of(source.node.body[0].lineno)
        lines = [f"{body_indent}class Meta{_meta_base(model, source)}:"]
        for attr, texts in items.items():
            lines += assignment_lines(body_indent + INDENT, attr, texts)
        edits.add_statement(fields_end(source.node), lines, blank_before=True)
        return
    indent = edits.indent_of(node.lineno) + INDENT
    new_lines = []
    for attr, texts in items.items():
        statement = meta_assignment(node, attr)
        if statement is not None:
            edits.add_items(statement.value, texts, statement)
        else:
            new_lines += assignment_lines(indent, attr, texts)
    if not new_lines:
        return
    import ast

    if len(node.body) == 1 and isinstance(node.body[0], ast.Pass) and node.body[0].lineno != node.lineno:
        edits.replace_statement(node.body[0], new_lines)
    elif node.body[-1].lineno == node.lineno:
        raise NotEditable(f"class Meta of {model._meta.label} is written on one line ({source.path}:{node.lineno})")
    else:
        edits.add_statement(node.body[-1], new_lines)


def _meta_base(model, source) -> str:
    """``(Base.Meta)`` when an abstract parent has a Meta: a new Meta must extend it, as
    Django's documentation says, or the parent's options are lost."""
    import ast

    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is not None and meta.abstract and "Meta" in vars(base):
            named = [b.id for b in source.node.bases if isinstance(b, ast.Name)]
            if base.__name__ not in named:
                raise NotEditable(f"{model._meta.label} inherits Meta from abstract model {base.__name__}, "
                                  "which its class statement does not name")
            return f"({base.__name__}.Meta)"
    return ""


def render_migration(app: str, name: str, dependencies: list, operations: list, changes: list,
                     reason: str) -> str:
    """The adopt migration: one ``SeparateDatabaseAndState`` with only state operations."""
    from django import get_version
    from django.db.migrations.writer import OperationWriter

    header = fill(words()["header"], version=__version__, app=app, name=name, django=get_version(),
                  sqlite=sqlite3.sqlite_version, date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    doc = textwrap.wrap(" ".join(header.split()), 96) + [""] + textwrap.wrap(f"Why: {' '.join(reason.split())}", 96) + [
        "", "Findings of `driftaudit report` it adopts:"]
    for change in changes:
        f = change.finding
        doc += textwrap.wrap(f"{f.id} {f.rule} {f.kind} {f.subject}: {change.summary}", 96, initial_indent="  ",
                             subsequent_indent="      ", break_on_hyphens=False)
    imports = {"from django.db import migrations"}
    body = [f"{INDENT}dependencies = ["]
    body += [f"{INDENT * 2}{tuple(dep)!r}," for dep in sorted(dependencies)]
    body += [f"{INDENT}]", "", f"{INDENT}operations = [", f"{INDENT * 2}migrations.SeparateDatabaseAndState(",
             f"{INDENT * 3}# The database already has all of this: nothing runs on it.",
             f"{INDENT * 3}database_operations=[],", f"{INDENT * 3}state_operations=["]
    for operation in operations:
        text, op_imports = OperationWriter(operation, indentation=4).serialize()
        imports |= op_imports
        body.append(text)
    body += [f"{INDENT * 3}],", f"{INDENT * 2}),", f"{INDENT}]"]
    if "from django.db import models" in imports:
        imports -= {"from django.db import models", "from django.db import migrations"}
        imports.add("from django.db import migrations, models")
    return "\n".join(['"""' + "\n".join(doc).replace('"""', "'''").replace("\\", "\\\\") + '\n"""', "",
                      *sorted(imports, key=lambda i: i.split()[1]), "", "",
                      "class Migration(migrations.Migration):", "", *body, ""])
