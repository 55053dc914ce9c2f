"""What did a migration whose file is gone most likely do? Read it from its automatic name.

``makemigrations`` names a one-operation migration after its operation
(``Migration.suggest_name``): ``0002_exampletwo_rank`` adds field ``rank`` to ``exampletwo``,
``0003_remove_exampleone_tags`` removes one, ``0004_alter_…`` alters one, ``0005_rename_…``
renames, ``…_initial`` creates the app's first models. When the file is gone (a *ghost*: the
record in ``django_migrations`` stays), the name is the only trace of what the database still
carries. A name is ambiguous (``exampletwo_rank`` could be a model called that) so it is read
against the model names this app is known to have had, and every guess says it is a guess.

The guesses are then matched to schema differences: the stale column ``rank`` of
``appname_exampletwo`` is *explained* by the ghost ``appname.0002_exampletwo_rank``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.migrations import operations as ops

from driftaudit.config.rules import fill, read_catalog

NUMBER = re.compile(r"^\d+_")


@dataclass(frozen=True)
class InferredOperation:
    """One operation a migration most likely performed.

    ``source`` is ``"name"`` when read from the automatic migration name (a guess) and
    ``"file"`` when read from the migration's own operations (e.g. a version recovered from git).
    """

    action: str  # create-model, delete-model, rename-model, add-field, remove-field, alter-field, rename-field, alter-model, initial
    model: str | None = None  # lower-case model name
    field: str | None = None  # lower-case field name (the new name for renames)
    old_name: str | None = None  # old field or model name for renames
    source: str = "name"
    fields: tuple = ()  # lower-case field names of a CreateModel read from a file
    # For an alter-model read from a file: the difference kinds it can make (an AddIndex makes
    # no unique constraint, an AlterModelOptions no DDL at all); None = any index/unique/check.
    scope: tuple | None = None

    def describe(self) -> str:
        return fill(operation_phrases().get(self.action, self.action), model=self.model or "?",
                    field=self.field or "?", old_name=self.old_name or "?")

    def explains(self, kind: str, table_model: str | None, column: str | None) -> bool:
        """Would this operation, done in the database and then forgotten, leave this difference?"""
        column = (column or "").lower()
        field = (self.field or "").lower()
        same_model = table_model is not None and self.model == table_model
        if self.action == "initial":
            return kind == "stale-table" and table_model is not None
        if self.action in ("add-field", "remove-field") and kind in ("stale-table", "missing-table") \
                and table_model and table_model == f"{self.model}_{field}":
            # a ManyToManyField's join table: <app>_<model>_<field>
            return kind == ("stale-table" if self.action == "add-field" else "missing-table")
        if self.action == "create-model":
            if table_model is not None and table_model in {f"{self.model}_{f}" for f in self.fields}:
                return kind in ("stale-table", "renamed-table")  # a ManyToManyField's join table
            if same_model and column and column in {n for f in self.fields for n in (f, f"{f}_id")}:
                return kind not in ("missing-column", "missing-table")
            # (renamed-table: the file makes the table under the name the models have now)
            return kind in ("stale-table", "renamed-table") and same_model
        if self.action == "delete-model":  # its table and its auto-created join tables
            return kind == "missing-table" and table_model is not None and (
                same_model or table_model.startswith(f"{self.model}_"))
        if self.action == "rename-model":
            joined = table_model is not None and table_model.startswith(f"{self.model}_")  # its join tables
            old_joined = table_model is not None and table_model.startswith(f"{self.old_name}_")
            return (kind in ("stale-table", "renamed-table") and (same_model or joined)) or (
                kind == "missing-table" and (table_model == self.old_name or old_joined))
        if self.action == "alter-model" and self.scope and "renamed-table" in self.scope and \
                table_model is not None and table_model.startswith(f"{self.model}_"):
            return kind in self.scope  # AlterModelTable renames the model's join tables with it
        if not same_model:
            return False
        names = {field, f"{field}_id"}
        if self.action == "add-field":
            return kind not in ("missing-column", "missing-table") and column in names
        if self.action == "remove-field":
            return kind == "missing-column" and column in names
        if self.action == "rename-field":
            old = (self.old_name or "").lower()
            return (kind in ("stale-column", "renamed-column") and column in names) or (
                kind == "missing-column" and column in {old, f"{old}_id"})
        if self.action == "alter-field":
            return column in names and kind not in ("stale-column", "missing-column")
        if self.action == "alter-model":
            return kind in (self.scope if self.scope is not None else MODEL_LEVEL_KINDS)
        return False


@lru_cache(maxsize=1)
def operation_phrases() -> dict:
    return read_catalog("operations.yaml") or {}


def infer_from_name(name: str, models: set[str]) -> tuple[InferredOperation, ...]:
    """Operations Django's automatic name ``name`` stands for, given the app's known model names.

    ``models`` are lower-case model names the app has had (current models, history states,
    tables in the database). Returns ``()`` for a hand-chosen or ``auto_<timestamp>`` name.
    """
    rest = NUMBER.sub("", name, count=1).lower()
    if rest == "initial":
        return (InferredOperation("initial"),)
    if rest.startswith("auto_") or rest.endswith("_and_more"):
        rest = rest.removesuffix("_and_more")
        if rest.startswith("auto_"):
            return ()
    found = _parse(rest, sorted(models, key=len, reverse=True))
    return tuple(found) if found is not None else ()


def _parse(rest: str, models: list[str]) -> list[InferredOperation] | None:
    """Split ``rest`` into operation fragments, trying the longest model names first."""
    if not rest:
        return []
    for model in models:
        for op, tail in _fragments(rest, model, models):
            if tail is None:
                continue
            following = _parse(tail, models)
            if following is not None:
                return [op, *following]
    return None


def _fragments(rest: str, model: str, models: list[str]):
    """Each way one fragment about ``model`` can start ``rest``: (operation, the rest or None)."""
    def after(prefix: str):
        return rest[len(prefix):] if rest.startswith(prefix) else None

    for prefix, action in (("remove_", "remove-field"), ("alter_", "alter-field")):
        tail = after(f"{prefix}{model}_")
        if tail is not None:
            for what, remainder in _word_then_rest(tail):
                if action == "alter-field" and what in ("options", "managers", "table", "unique_together",
                                                        "index_together", "order_with_respect_to"):
                    yield InferredOperation("alter-model", model, None), remainder
                else:
                    yield InferredOperation(action, model, what), remainder
    if rest.startswith(f"delete_{model}"):
        yield InferredOperation("delete-model", model), _tail(rest, f"delete_{model}")
    if rest.startswith("rename_"):
        body = rest[len("rename_"):]
        # RenameModel: rename_<old>_<new>, with <new> a known model
        for new in models:
            for old_len in range(1, len(body)):
                if body[old_len:].startswith(f"_{new}") and model == new:
                    tail = _tail(body, body[:old_len] + f"_{new}")
                    if tail is not None:
                        yield InferredOperation("rename-model", new, None, body[:old_len]), tail
        # RenameField: rename_<old>_<model>_<new>
        marker = f"_{model}_"
        position = body.find(marker)
        if position > 0:
            old = body[:position]
            for what, remainder in _word_then_rest(body[position + len(marker):]):
                yield InferredOperation("rename-field", model, what, old), remainder
    if rest.startswith(f"{model}_"):
        for what, remainder in _word_then_rest(rest[len(model) + 1:]):
            yield InferredOperation("add-field", model, what), remainder
    if rest == model or rest.startswith(f"{model}_"):
        yield InferredOperation("create-model", model), _tail(rest, model)


def _tail(rest: str, prefix: str) -> str | None:
    """What follows ``prefix`` in ``rest`` as the next fragment ('' at the end, None if no split)."""
    if rest == prefix:
        return ""
    if rest.startswith(prefix + "_"):
        return rest[len(prefix) + 1:]
    return None


def _word_then_rest(text: str):
    """Split ``a_b_c`` as (``a``, ``b_c``), (``a_b``, ``c``), then (``a_b_c``, '').

    Shortest name first: the split is only kept when what follows parses as further fragments
    (``rank_exampletwo_score`` is two AddFields), so ``is_active`` still ends up one name.
    """
    parts = text.split("_")
    for cut in range(1, len(parts) + 1):
        yield "_".join(parts[:cut]), "_".join(parts[cut:])


def from_operations(operations) -> tuple[InferredOperation, ...]:
    """The same facts read from real operations (a migration file recovered from git)."""
    out = []
    for op in operations:
        if isinstance(op, ops.CreateModel):
            out.append(InferredOperation("create-model", op.name_lower, source="file",
                                         fields=tuple(_column(name, f) for name, f in op.fields)))
        elif isinstance(op, ops.DeleteModel):
            out.append(InferredOperation("delete-model", op.name_lower, source="file"))
        elif isinstance(op, ops.RenameModel):
            out.append(InferredOperation("rename-model", op.new_name_lower, None, op.old_name_lower, "file"))
        elif isinstance(op, ops.AddField):
            out.append(InferredOperation("add-field", op.model_name_lower, _column(op.name, op.field), source="file"))
        elif isinstance(op, ops.RemoveField):
            out.append(InferredOperation("remove-field", op.model_name_lower, op.name_lower, source="file"))
        elif isinstance(op, ops.AlterField):
            out.append(InferredOperation("alter-field", op.model_name_lower, _column(op.name, op.field),
                                         source="file"))
        elif isinstance(op, ops.RenameField):
            out.append(InferredOperation("rename-field", op.model_name_lower, op.new_name_lower,
                                         op.old_name_lower, "file"))
        elif hasattr(op, "model_name_lower") or hasattr(op, "name_lower"):
            model = getattr(op, "model_name_lower", None) or getattr(op, "name_lower", None)
            out.append(InferredOperation("alter-model", model, source="file", scope=_model_level_scope(op)))
    return tuple(out)


def _column(name: str, field) -> str:
    """The lower-case name a field's column has (``db_column`` when it sets one)."""
    return (getattr(field, "db_column", None) or name).lower()


MODEL_LEVEL_KINDS = ("unique-extra", "unique-missing", "index-extra", "index-missing", "index-renamed",
                     "check-extra", "check-missing")
_INDEX_KINDS = ("index-extra", "index-missing", "index-renamed")
_UNIQUE_KINDS = ("unique-extra", "unique-missing")
_CHECK_KINDS = ("check-extra", "check-missing")


def _model_level_scope(op) -> tuple | None:
    """The difference kinds a model-level operation can make, so that the right migration is
    named: a later AddConstraint(UniqueConstraint) on the same model must not take the blame for
    the index changes of a faked earlier migration (django-allauth's account.0009 vs 0007).
    ``None`` when the operation is unknown."""
    if isinstance(op, (ops.AddIndex, ops.RemoveIndex, ops.RenameIndex)) or \
            type(op).__name__ == "AlterIndexTogether":
        return _INDEX_KINDS
    if isinstance(op, ops.AlterUniqueTogether):
        return _UNIQUE_KINDS
    if isinstance(op, ops.AddConstraint):
        from django.db.models import CheckConstraint, UniqueConstraint
        if isinstance(op.constraint, UniqueConstraint):
            return _UNIQUE_KINDS
        if isinstance(op.constraint, CheckConstraint):
            return _CHECK_KINDS
    if isinstance(op, ops.AlterModelTable):
        return ("renamed-table", "stale-table", "missing-table")
    if isinstance(op, (ops.AlterModelOptions, ops.AlterModelManagers)):
        return ()  # no DDL
    return None


def describe_all(operations: tuple[InferredOperation, ...]) -> str:
    return "; ".join(op.describe() for op in operations)


def objects_in_database(history, d_cat, key) -> list[str]:
    """What of migration ``key``'s operations (tables it creates, columns it adds) the database
    ``d_cat`` already has: ``migrate`` would fail on each ("table already exists")."""
    node = history.loader.graph.nodes.get(key)
    if node is None or d_cat is None:
        return []
    state = history.leaf_state
    found = []
    for op in from_operations(node.operations):
        model = state.models.get((key[0], op.model)) if state is not None and op.model else None
        table_name = (model.options.get("db_table") if model else None) or f"{key[0]}_{op.model}"
        table = d_cat.table(table_name)
        if table is None:
            continue
        if op.action == "create-model":
            found.append(table.name)
        elif op.action == "add-field":
            column = table.column(op.field) or table.column(f"{op.field}_id")
            if column is not None:
                found.append(f"{table.name}.{column.name}")
    return found
