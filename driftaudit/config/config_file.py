"""``driftaudit.yaml`` read and validated.

The file is parsed with PyYAML's safe composer (``yaml.compose`` with ``SafeLoader``: plain
data only, nothing is ever constructed as code) so that every node keeps its line, and every
mistake is reported as ``file:line: message`` with exit code 2. The only module that imports
PyYAML at run time, and only for a project that has the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from driftaudit.config.options import (
    DEFAULT_FIX,
    FAIL_ON,
    FIX_POLICIES,
    SEVERITIES,
    Accept,
    Config,
    TableOverride,
)
from driftaudit.errors import AuditError

PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}


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


def read_config(path: Path) -> Config:
    """The project's configuration file, validated against the rule catalog's ids."""
    from driftaudit.config.rules import load_catalog

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read config file {path}: {exc}") from None
    return parse_config(text, path, {rule.id for rule in load_catalog().values()})
