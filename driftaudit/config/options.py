"""Per-project configuration: ``driftaudit.yaml``, validated with line numbers.

The file is parsed with PyYAML's safe composer (``yaml.compose`` with ``SafeLoader``: plain
data only, nothing is ever constructed as code) so that every node keeps its line, and every
mistake is reported as ``file:line: message`` with exit code 2.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from driftaudit.errors import AuditError

CONFIG_NAME = "driftaudit.yaml"
SEVERITIES = ("info", "warning", "error")
FAIL_ON = ("info", "warning", "error", "never")
FIX_POLICIES = {
    "stale_tables": ("backup-drop", "drop", "keep"),
    "stale_columns": ("backup-drop", "drop", "keep"),
    "orphans": ("quarantine", "set-null", "delete", "fail"),
    "duplicates": ("quarantine", "keep-first", "keep-last", "fail"),
    # NULLs under a new NOT NULL that no model default fills, rows a new CHECK rejects
    "nulls": ("quarantine", "delete", "fail"),
    "check_violations": ("quarantine", "delete", "fail"),
}
PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}
#: Nothing is lost by default: rows a repair cannot keep are moved, whole and with their reason,
#: into a quarantine table; ``fail`` (stop and list them) is one setting away.
DEFAULT_FIX = {"stale_tables": "backup-drop", "stale_columns": "backup-drop", "orphans": "quarantine",
               "duplicates": "quarantine", "nulls": "quarantine", "check_violations": "quarantine"}


@dataclass(frozen=True)
class Accept:
    rule: str
    table: str | None
    column: str | None
    reason: str
    line: int


@dataclass(frozen=True)
class TableOverride:
    pattern: str
    severity: Mapping[str, str] = field(default_factory=dict)
    fix: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    path: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    exclude_tables: tuple[str, ...] = ()
    exclude_apps: tuple[str, ...] = ()
    fail_on: str | None = None
    data_enabled: bool = True
    sample_size: int = 20
    fix: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIX))
    tables: tuple[TableOverride, ...] = ()
    accept: tuple[Accept, ...] = ()

    def with_fix(self, chosen: Mapping[str, str]) -> "Config":
        """This run's choices (``propose --on-orphans=...``): they win over the file's,
        per-table overrides included - the user asked for them now."""
        if not chosen:
            return self
        tables = tuple(replace(t, fix={k: v for k, v in t.fix.items() if k not in chosen}) for t in self.tables)
        return replace(self, fix={**self.fix, **chosen}, tables=tables)

    def fix_policy(self, name: str, table: str | None = None) -> str:
        """The fix policy for ``table``: the last matching per-table override wins."""
        policy = self.fix[name]
        for override in self.tables:
            if table and fnmatch.fnmatchcase(table.lower(), override.pattern.lower()) and name in override.fix:
                policy = override.fix[name]
        return policy


class _Validator:
    """Walks the composed YAML nodes, checking types and keys, remembering lines."""

    def __init__(self, path: Path, rule_ids: set[str]):
        self.path = path
        self.rule_ids = rule_ids

    def fail(self, node, message: str):
        line = node.start_mark.line + 1 if node is not None else 1
        raise AuditError(f"{self.path}:{line}: {message}")

    def check_tag(self, node):
        """Only plain YAML data: a tag such as !!python/object is refused, never constructed."""
        if node.tag not in PLAIN_TAGS:
            self.fail(node, f"invalid YAML: tag {node.tag} is not allowed in a configuration")

    def scalar(self, node, what: str, kind=str):
        self.check_tag(node)
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{what} must be a {kind.__name__}")
        value = yaml.safe_load(yaml.serialize(node))
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            self.fail(node, f"{what} must be an integer, not {node.value!r}")
        if kind is bool and not isinstance(value, bool):
            self.fail(node, f"{what} must be true or false, not {node.value!r}")
        if kind is str and not isinstance(value, str):
            self.fail(node, f"{what} must be text, not {node.value!r}")
        return value

    def mapping(self, node, what: str, allowed: tuple | None = None) -> list[tuple[Any, Any, str]]:
        self.check_tag(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
        items, seen = [], set()
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key in {what}")
            if key in seen:
                self.fail(key_node, f"duplicate key '{key}' in {what}")
            seen.add(key)
            if allowed is not None and key not in allowed:
                self.fail(key_node, f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})")
            items.append((key_node, value_node, key))
        return items

    def sequence(self, node, what: str) -> list:
        self.check_tag(node)
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        return node.value

    def choice(self, node, what: str, choices) -> str:
        value = self.scalar(node, what)
        if value not in choices:
            self.fail(node, f"{what} must be one of {', '.join(choices)}, not '{value}'")
        return value

    def rule_ref(self, node, what: str, prefix_ok: bool = False) -> str:
        value = self.scalar(node, what).upper()
        known = value in self.rule_ids or (prefix_ok and any(r.startswith(value) for r in self.rule_ids))
        if not re.fullmatch(r"DA\d{1,3}", value) or not known:
            self.fail(node, f"unknown rule '{value}' in {what} ('driftaudit rules' lists them)")
        return value

    def glob(self, node, what: str) -> str:
        value = self.scalar(node, what)
        if not value.strip():
            self.fail(node, f"{what} must not be empty")
        if value.count("[") != value.count("]"):
            self.fail(node, f"bad glob '{value}' in {what}: unbalanced [ ]")
        return value

    def severities(self, node, what: str) -> dict:
        return {self.rule_ref(k, what): self.choice(v, f"severity of {key}", SEVERITIES)
                for k, v, key in self.mapping(node, what)}

    def fixes(self, node, what: str) -> dict:
        return {key: self.choice(v, f"{what}.{key}", FIX_POLICIES[key])
                for _, v, key in self.mapping(node, what, tuple(FIX_POLICIES))}


def parse_config(text: str, path: Path, rule_ids: set[str]) -> Config:
    v = _Validator(path, rule_ids)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise AuditError(f"{path}:{line}: invalid YAML: {problem}") from None
    if root is None:
        return Config(path=str(path))
    values: dict[str, Any] = {"path": str(path)}
    top = ("select", "ignore", "severity", "exclude", "fail_on", "data", "fix", "tables", "accept")
    for _, node, key in v.mapping(root, "the configuration", top):
        if key in ("select", "ignore"):
            values[key] = tuple(v.rule_ref(n, key, prefix_ok=True) for n in v.sequence(node, key))
        elif key == "severity":
            values["severity"] = v.severities(node, "severity")
        elif key == "exclude":
            for _, sub, name in v.mapping(node, "exclude", ("tables", "apps")):
                values[f"exclude_{name}"] = tuple(v.glob(n, f"exclude.{name}") for n in v.sequence(sub, f"exclude.{name}"))
        elif key == "fail_on":
            values["fail_on"] = v.choice(node, "fail_on", FAIL_ON)
        elif key == "data":
            for _, sub, name in v.mapping(node, "data", ("enabled", "sample_size")):
                if name == "enabled":
                    values["data_enabled"] = v.scalar(sub, "data.enabled", bool)
                else:
                    size = v.scalar(sub, "data.sample_size", int)
                    if size < 1:
                        v.fail(sub, "data.sample_size must be at least 1")
                    values["sample_size"] = size
        elif key == "fix":
            values["fix"] = {**DEFAULT_FIX, **v.fixes(node, "fix")}
        elif key == "tables":
            overrides = []
            for pattern_node, sub, pattern in v.mapping(node, "tables"):
                v.glob(pattern_node, "tables")
                parts = dict((name, n) for _, n, name in v.mapping(sub, f"tables.{pattern}", ("severity", "fix")))
                overrides.append(TableOverride(
                    pattern,
                    v.severities(parts["severity"], f"tables.{pattern}.severity") if "severity" in parts else {},
                    v.fixes(parts["fix"], f"tables.{pattern}.fix") if "fix" in parts else {},
                ))
            values["tables"] = tuple(overrides)
        elif key == "accept":
            accepts = []
            for item in v.sequence(node, "accept"):
                fields = {name: n for _, n, name in v.mapping(item, "an accept entry", ("rule", "table", "column", "reason"))}
                for required in ("rule", "reason"):
                    if required not in fields:
                        v.fail(item, f"an accept entry needs '{required}'")
                reason = v.scalar(fields["reason"], "accept.reason")
                if not reason.strip():
                    v.fail(fields["reason"], "accept.reason must say why the finding is accepted")
                accepts.append(Accept(
                    v.rule_ref(fields["rule"], "accept.rule"),
                    v.scalar(fields["table"], "accept.table") if "table" in fields else None,
                    v.scalar(fields["column"], "accept.column") if "column" in fields else None,
                    reason, item.start_mark.line + 1,
                ))
            values["accept"] = tuple(accepts)
    return Config(**values)


def load_config(explicit: str | None, project_root: Path | None) -> Config:
    """``--config FILE``, else ``driftaudit.yaml`` in the project root, else the defaults."""
    from driftaudit.config.rules import load_catalog

    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise AuditError(f"config file not found: {path}")
    elif project_root is not None and (project_root / CONFIG_NAME).is_file():
        path = project_root / CONFIG_NAME
    else:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read config file {path}: {exc}") from None
    return parse_config(text, path, {rule.id for rule in load_catalog().values()})


def write_starter(folder: Path, force: bool = False) -> Path:
    """``driftaudit init``: every option of ``rules/example-project.yaml``, commented out."""
    from driftaudit.config.rules import rules_dir

    if not folder.is_dir():
        raise AuditError(f"project folder not found: {folder}")
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise AuditError(f"{target} already exists; pass --force to overwrite it")
    example = (rules_dir() / "example-project.yaml").read_text(encoding="utf-8")
    lines = [line if not line.strip() or line.startswith("#") else "# " + line for line in example.splitlines()]
    header = ["# Written by `driftaudit init`: every option, commented out. Uncomment what you need."]
    target.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return target
