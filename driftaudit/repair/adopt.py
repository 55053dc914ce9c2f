"""``driftaudit adopt``: keep the database's way, and bring the models and history to it.

Some drift is right: an index a DBA added to a busy table in production, a column widened by
hand because the data needed it. ``propose`` would undo it; ``adopt`` keeps it. For each
finding chosen (``F3``, ``TABLE``, ``TABLE.COLUMN``, ``--all-of KIND``) it writes the model
change into the app's ``models.py`` (``Meta.indexes`` / ``Meta.constraints`` gets the index
under the database's name, a field's ``max_length`` / ``null`` / ``db_default`` changes) and a
migration ``00NN_driftaudit_adopt`` whose operations are state only, so ``migrate`` records it
without running SQL and no row or DDL changes.

Nothing is written unless every finding chosen can be adopted and the adopted models, rendered
by Django's own schema editor, match the database exactly (:mod:`driftaudit.repair.adopt_check`).
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from collections import defaultdict
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from driftaudit.config.rules import rule_for
from driftaudit.errors import AuditError
from driftaudit.explain.finding import MIGRATION_KINDS, Finding
from driftaudit.repair.adopt_check import ModelOps, adopted_state, check_autodetector, check_tables
from driftaudit.repair.adopt_file import edit_models, render_migration, say
from driftaudit.repair.writer import run_formatters
from driftaudit.repair.adopt_terms import CannotAdopt, default_value, evaluate, field_for_column, index_source, literal
from driftaudit.schema.diff import normalize_type
from driftaudit.schema.read import AuditInput
from driftaudit.sources.model_source import NotEditable, SourceEdits, model_source, preferred_quote

#: the kinds adopt keeps; every other one is refused with its reason
ADOPTABLE = ("index-extra", "unique-extra", "column-type", "column-null", "column-default")
DATA_KINDS = frozenset({"orphan-rows", "duplicate-rows", "null-rows", "check-violation-rows"})
MIGRATION_NAME = "driftaudit_adopt"


@dataclass(frozen=True)
class Change:
    """One finding adopted: a field's keywords, or an index/constraint for ``Meta``."""

    finding: Finding
    model: type
    summary: str
    #: a field's name and its keywords: value (None: the keyword goes) and source text
    field: str | None = None
    keywords: Mapping = dataclasses.field(default_factory=dict)
    sources: Mapping = dataclasses.field(default_factory=dict)
    #: ``indexes`` or ``constraints``, the item's source text and the object it makes
    meta: str | None = None
    source: str | None = None
    item: object = None


@dataclass(frozen=True)
class Adoption:
    """What ``adopt`` writes (``files``: path -> new text) or why it writes nothing."""

    changes: tuple[Change, ...] = ()
    #: findings that cannot be adopted, one line each: nothing is written
    refusals: tuple[str, ...] = ()
    #: model changes the source cannot take safely, with where to make them by hand: nothing
    #: is written, the migration is still shown
    by_hand: tuple[str, ...] = ()
    files: Mapping[Path, str] = dataclasses.field(default_factory=dict)
    #: the text each file had (None: a new file)
    originals: Mapping[Path, str | None] = dataclasses.field(default_factory=dict)
    #: the project folder: paths are shown relative to it
    root: Path | None = None

    def shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root)) if self.root else str(path)
        except ValueError:
            return str(path)

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.by_hand

    @property
    def migrations(self) -> dict[Path, str]:
        return {path: text for path, text in self.files.items() if self.originals.get(path) is None}

    def diff(self) -> str:
        """Every file as a unified diff (a new migration: from /dev/null)."""
        out = []
        for path, text in self.files.items():
            old = self.originals.get(path)
            out += difflib.unified_diff((old or "").splitlines(keepends=True), text.splitlines(keepends=True),
                                        "/dev/null" if old is None else f"a/{self.shown(path)}",
                                        f"b/{self.shown(path)}")
        return "".join(out)

    def write(self) -> list[Path]:
        """Write every file, or none (a file changed since it was read, a migration exists)."""
        if not self.ok:
            raise AuditError("nothing to write: the adoption was refused")
        for path, old in self.originals.items():
            now = path.read_text(encoding="utf-8") if path.exists() else None
            if now != old:
                raise AuditError(f"{path} {'exists already' if old is None else 'changed since it was read'}; "
                                 "nothing was written")
        written = []
        for path, text in self.files.items():
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise AuditError(f"cannot write {path}: {exc.strerror}") from None
            # the same size and second as its compiled copy: Python would keep using the old one
            Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
            written.append(path)
        # like makemigrations: the new migration files through black (the model edits are
        # laid out the way black would already)
        run_formatters(p for p in written if self.originals.get(p) is None and p.parent.name == "migrations")
        return written


def select(findings: list[Finding], targets: list[str], all_of: list[str]) -> list[Finding]:
    """The findings the targets name, in report order; a target that names nothing is an error."""
    chosen: set[str] = set()
    by_id = {f.id.upper(): f for f in findings}
    for target in targets:
        if re.fullmatch(r"[Ff]\d+", target):
            if target.upper() not in by_id:
                raise AuditError(f"no finding {target} in the current report (it has "
                                 f"{_span(findings)}); `driftaudit report` lists them")
            chosen.add(target.upper())
            continue
        table, _, column = target.partition(".")
        matched = [f for f in findings if f.table and f.table.lower() == table.lower()
                   and f.kind not in MIGRATION_KINDS | DATA_KINDS
                   and (not column or column.lower() in [c.strip().lower() for c in (f.column or "").split(",")])]
        if not table or not matched:
            raise AuditError(f"'{target}' names no schema finding of the current report: give a finding id "
                             "(F3), TABLE or TABLE.COLUMN (`driftaudit report` lists them)")
        chosen |= {f.id.upper() for f in matched}
    for kind in all_of:
        try:
            rule_for(kind)
        except AuditError:
            raise AuditError(f"unknown finding kind '{kind}' for --all-of (adopt keeps: "
                             f"{', '.join(ADOPTABLE)})") from None
        chosen |= {f.id.upper() for f in findings if f.kind == kind}
    return [f for f in findings if f.id.upper() in chosen]


def _span(findings: list[Finding]) -> str:
    ids = [f.id for f in findings]
    return "no finding" if not ids else ids[0] if len(ids) == 1 else f"{ids[0]} to {ids[-1]}"


def make_adoption(audit: AuditInput, chosen: list[Finding], reason: str) -> Adoption:
    """Plan, check and render the adoption of ``chosen``; nothing is written here."""
    planner = _Planner(audit)
    changes, refusals = [], []
    for finding in chosen:
        try:
            changes.append(planner.change(finding))
        except CannotAdopt as exc:
            refusals.append(f"cannot adopt {finding.id} ({finding.kind} {finding.subject}): {exc}")
    if refusals:
        return Adoption(tuple(changes), tuple(refusals), root=audit.project.root)
    model_ops = _model_ops(changes)
    state = adopted_state(audit.apps, model_ops)
    for table, why in check_tables(audit.sources, state, model_ops).items():
        ids = ", ".join(f.id for op in model_ops if op.table == table for f in op.findings)
        refusals.append(f"cannot adopt {ids}: {why}")
    history = audit.sources.history
    per_app = _migration_ops(history, model_ops)
    if not refusals:
        try:
            check_autodetector(history, audit.apps, state, per_app)
        except CannotAdopt as exc:
            refusals.append(f"cannot adopt {', '.join(f.id for f in chosen)}: {exc}")
    if refusals:
        return Adoption(tuple(changes), tuple(refusals), root=audit.project.root)
    edits: dict[Path, SourceEdits] = {}
    by_hand = edit_models(changes, edits)
    files: dict[Path, str] = {}
    originals: dict[Path, str | None] = {}
    if not by_hand:
        for path, source in edits.items():
            files[path], originals[path] = source.result(), source.text
    for app, operations in per_app.items():
        if not operations:
            continue
        leaves = history.loader.graph.leaf_nodes(app)
        number = max((int(n[:4]) for _, n in leaves if n[:4].isdigit()), default=0) + 1
        name = f"{number:04d}_{MIGRATION_NAME}"
        path = planner.migrations_folder(app) / f"{name}.py"
        app_changes = [c for c in changes if c.model._meta.app_label == app]
        files[path] = render_migration(app, name, leaves, operations, app_changes, reason)
        originals[path] = None
    return Adoption(tuple(changes), (), tuple(by_hand), files, originals, audit.project.root)


def _model_ops(changes: list[Change]) -> list[ModelOps]:
    """The state operations per model: one ``AlterField`` per field, all its keywords in it."""
    from django.db.migrations import AddConstraint, AddIndex, AlterField

    by_model = defaultdict(list)
    for change in changes:
        by_model[change.model].append(change)
    out = []
    for model, model_changes in by_model.items():
        keywords = defaultdict(dict)
        operations = []
        for change in model_changes:
            if change.field:
                keywords[change.field].update(change.keywords)
            elif change.meta == "indexes":
                operations.append(AddIndex(model_name=model._meta.model_name, index=change.item))
            else:
                operations.append(AddConstraint(model_name=model._meta.model_name, constraint=change.item))
        for name, values in keywords.items():
            _, _, args, kwargs = model._meta.get_field(name).deconstruct()
            for keyword, value in values.items():
                if value is None:
                    kwargs.pop(keyword, None)
                else:
                    kwargs[keyword] = value
            new = type(model._meta.get_field(name))(*args, **kwargs)
            operations.insert(0, AlterField(model_name=model._meta.model_name, name=name, field=new))
        out.append(ModelOps(model._meta.app_label, model._meta.model_name, model._meta.db_table,
                            tuple(operations), tuple(c.finding for c in model_changes)))
    return out


def _migration_ops(history, model_ops: list[ModelOps]) -> dict[str, list]:
    """Per app, the operations its migration needs: what the files' state does not say yet."""
    from django.db.migrations import AddConstraint, AddIndex, AlterField

    per_app = defaultdict(list)
    for change in model_ops:
        leaf = history.leaf_state.models.get((change.app, change.model_name))
        for operation in change.operations:
            if leaf is not None:
                if isinstance(operation, AlterField) and operation.name in leaf.fields and \
                        leaf.fields[operation.name].deconstruct()[1:] == operation.field.deconstruct()[1:]:
                    continue
                if isinstance(operation, AddIndex) and operation.index in leaf.options.get("indexes", []):
                    continue
                if isinstance(operation, AddConstraint) and \
                        operation.constraint in leaf.options.get("constraints", []):
                    continue
            per_app[change.app].append(operation)
        per_app.setdefault(change.app, [])
    return dict(per_app)


class _Planner:
    """Turns one finding into the change that adopts it, or says why it cannot."""

    def __init__(self, audit: AuditInput):
        self.apps = audit.apps
        self.sources = audit.sources
        self.history = audit.sources.history

    def change(self, finding: Finding) -> Change:
        kind = finding.kind
        values = {"table": finding.table, "subject": finding.subject, "kind": kind, "id": finding.id,
                  "database": (finding.sources or {}).get("database"), "models": (finding.sources or {}).get("models")}
        if kind not in ADOPTABLE:
            refusal = words_for(kind)
            raise CannotAdopt(say(f"refuse.{refusal}", **values))
        model = self.model(finding)
        app = model._meta.app_label
        if self.history.leaf_state is None or any(m.migration[0] == app for m in self.history.missing_dependencies):
            raise CannotAdopt(f"the migration files of app {app} do not load (see `driftaudit report`): "
                              "fix the history first")
        self.migrations_folder(app)
        pending = [name for a, name in self.history.unapplied if a == app]
        if pending:
            raise CannotAdopt(say("refuse.unapplied", app=app, names=", ".join(pending)))
        if kind in ("index-extra", "unique-extra"):
            return self.index(finding, model)
        return self.column(finding, model, values)

    def model(self, finding: Finding):
        model = None
        if finding.model:
            try:
                model = self.apps.get_model(finding.model)
            except (LookupError, ValueError):
                model = None
        if model is None or model._meta.auto_created or model._meta.db_table.lower() != (finding.table or "").lower():
            raise CannotAdopt(say("refuse.no-model", table=finding.table))
        return model

    def migrations_folder(self, app: str) -> Path:
        from django.db.migrations.loader import MigrationLoader

        module, _ = MigrationLoader.migrations_module(app)
        spec = importlib.util.find_spec(module) if module else None
        locations = list(spec.submodule_search_locations or []) if spec else []
        if not locations:
            raise CannotAdopt(say("refuse.no-migrations", app=app))
        return Path(locations[0])

    def style(self, model) -> tuple[str, str]:
        """(the name of ``django.db.models`` in the model's module, the file's quote)."""
        try:
            source = model_source(model)
            return source.models_alias or "models", preferred_quote(source.path.read_text(encoding="utf-8"))
        except (NotEditable, OSError):
            return "models", '"'

    def index(self, finding: Finding, model) -> Change:
        unique = finding.kind == "unique-extra"
        d_table = self.sources.d_cat.table(finding.table)
        m_table = self.sources.m_cat.table(finding.table)
        known = {ix.key for ix in m_table.indexes} if m_table else set()
        found = [ix for ix in (d_table.indexes if d_table else ()) if ix.origin != "pk" and ix.unique == unique
                 and ix.describe() == (finding.sources or {}).get("database") and ix.key not in known]
        if not found:
            raise CannotAdopt(say("refuse.gone", id=finding.id))
        alias, quote = self.style(model)
        source = index_source(model, found[0], alias, quote)
        item = evaluate(source, alias)
        attr = "constraints" if unique else "indexes"
        if any(getattr(x, "name", None) == item.name for x in (*model._meta.indexes, *model._meta.constraints)):
            raise CannotAdopt(f"model {model._meta.label} already has an index or constraint named {item.name}")
        return Change(finding, model, f"Meta.{attr} gets {source}", meta=attr, source=source, item=item)

    def column(self, finding: Finding, model, values: dict) -> Change:
        field = field_for_column(model, finding.column or "")
        if field is None:
            raise CannotAdopt(say("refuse.no-field", subject=finding.subject, model=model._meta.label))
        if field.primary_key and finding.kind != "column-type":
            raise CannotAdopt(say("refuse.pk-column", **values))
        d_column = self.sources.d_cat.table(finding.table).column(finding.column)
        m_column = self.sources.m_cat.table(finding.table).column(finding.column)
        if d_column is None or m_column is None:
            raise CannotAdopt(say("refuse.gone", id=finding.id))
        if finding.kind == "column-type":
            if d_column.affinity != m_column.affinity:
                raise CannotAdopt(say("refuse.column-type", **values))
            length = re.fullmatch(r"varchar\((\d+)\)", normalize_type(d_column.declared_type))
            if getattr(field, "max_length", None) is None or not length or \
                    not normalize_type(m_column.declared_type).startswith("varchar("):
                raise CannotAdopt(say("refuse.column-class", **values))
            keywords = {"max_length": int(length.group(1))}
        elif finding.kind == "column-null":
            keywords = {"null": True if not d_column.not_null else None}
        else:
            import django

            if django.VERSION < (5, 0):
                raise CannotAdopt("a column DEFAULT is kept by db_default, which Django 5.0 added")
            keywords = {"db_default": default_value(field, d_column.default)}
        _, quote = self.style(model)
        sources = {k: None if v is None else literal(v, quote) for k, v in keywords.items()}
        summary = ", ".join(f"{k}={s}" if s is not None else f"no {k}" for k, s in sources.items())
        return Change(finding, model, f"field {field.name}: {summary}", field=field.name, keywords=keywords,
                      sources=sources)


def words_for(kind: str) -> str:
    """The refusal sentence of a kind adopt does not keep."""
    return kind if kind in ("stale-table", "stale-column") else "default"
