"""The rule catalog: every finding kind's id, severity and words, read from ``rules/*.yaml``.

Rule text lives in YAML so it can be read, reviewed and (later) overridden per project
without touching code. Loaded with YAML's safe loader only.

Every run reads the catalogs, and PyYAML's import and parse cost a cold ``report`` ~30 ms (a
tenth of a small project's whole ``makemigrations --check``). So ``rules/compiled.json`` holds
the same data, each catalog beside the SHA-256 of the YAML text it came from, the way a
``.pyc`` records its source: a catalog whose YAML no longer matches is read from the YAML, so
the copy can be stale but never wrong. ``make catalogs`` (``python -m driftaudit.config.rules``)
writes it; a test fails while it is stale.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from driftaudit.errors import AuditError

SEVERITIES = ("info", "warning", "error")


@dataclass(frozen=True)
class Rule:
    """One finding kind's entry in ``rules/builtin.yaml``: its id, severity and every sentence said
    about it (``driftaudit rules DAxxx`` prints it)."""

    id: str
    kind: str
    severity: str
    title: str
    description: str
    breaks: str
    fix: str
    templates: Mapping[str, str] = field(default_factory=dict)
    escalate: Mapping[str, str] = field(default_factory=dict)

    def severity_for(self, conditions: frozenset) -> str:
        """The default severity, or the escalated one when a listed condition holds."""
        for condition, severity in self.escalate.items():
            if condition in conditions:
                return severity
        return self.severity

    def template(self, name: str) -> str:
        return self.templates.get(name) or self.templates.get("default", "")


def rules_dir() -> Path:
    """``rules/`` beside the package in a checkout; the packaged copy when installed."""
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "rules"
    if (checkout / "builtin.yaml").is_file():
        return checkout
    from importlib.resources import files

    return Path(str(files("driftaudit.rules")))


@lru_cache(maxsize=1)
def load_catalog() -> Mapping[str, Rule]:
    """All rules, keyed by finding kind."""
    by_kind: dict[str, Rule] = {}
    path = rules_dir() / "builtin.yaml"
    for entry in read_catalog("builtin.yaml") or []:
        rule = Rule(**entry)
        if rule.severity not in SEVERITIES:
            raise AuditError(f"{path}: rule {rule.id} has unknown severity {rule.severity!r}")
        by_kind[rule.kind] = rule
    return by_kind


#: the catalogs' data as JSON, with the hash of the YAML each came from (see the module's doc)
COMPILED = "compiled.json"


def read_catalog(name: str, folder: Path | None = None):
    """The catalog ``rules/<name>``: from the compiled copy while the YAML text matches it."""
    folder = folder or rules_dir()
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"{path}: cannot read the rule catalog: {exc}") from None
    compiled = _compiled(folder).get(name)
    if isinstance(compiled, dict) and compiled.get("sha256") == _digest(text) and "data" in compiled:
        return compiled["data"]
    return read_yaml(path, text)


def read_yaml(path: Path, text: str | None = None):
    """A catalog's YAML, with libyaml's safe loader when PyYAML was built with it (the same
    documents, ~10x faster), the pure-Python one otherwise."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8") if text is None else text, Loader=loader)  # noqa: S506 - a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise AuditError(f"{path}: cannot read the rule catalog: {exc}") from None


@lru_cache(maxsize=4)
def _compiled(folder: Path) -> dict:
    try:
        compiled = json.loads((folder / COMPILED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        compiled = None
    return compiled if isinstance(compiled, dict) else {}  # none, or broken: every catalog from its YAML


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compile_catalogs(folder: Path) -> dict:
    """``{name: {"sha256": ..., "data": ...}}`` for every catalog YAML in ``folder`` (the
    per-project example excluded: only ``driftaudit init`` reads it, as text). Refuses a catalog
    whose data JSON would not carry unchanged (a date, a non-text key)."""
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "example-project.yaml":
            continue
        text = path.read_text(encoding="utf-8")
        data = read_yaml(path, text)
        if json.loads(json.dumps(data)) != data:
            raise AuditError(f"{path}: its data does not survive JSON unchanged; keep to text, numbers, "
                             "lists and mappings with text keys")
        out[path.name] = {"sha256": _digest(text), "data": data}
    return out


@lru_cache(maxsize=1)
def load_causes() -> Mapping[str, Mapping[str, str]]:
    """The cause vocabulary: ``{cause: {"title": ..., "evidence": template}}``."""
    return read_catalog("causes.yaml") or {}


def rule_for(kind: str) -> Rule:
    try:
        return load_catalog()[kind]
    except KeyError:
        raise AuditError(f"no rule for finding kind {kind!r} in {rules_dir()}") from None


class _Missing(str):
    """A placeholder with no value: stays visible (``{name}``) whatever its format spec."""


class _Wording(string.Formatter):
    """``str.format`` for catalog sentences, with counted nouns and verbs.

    ``{rows:row|rows}`` is ``1 row`` / ``3 rows``; with a leading ``~`` only the word is written,
    for verbs that agree with a count: ``{count:~references|reference}``. A placeholder with no
    value stays visible rather than raising.
    """

    def get_value(self, key, args, kwargs):
        return kwargs[key] if key in kwargs else _Missing("{" + str(key) + "}")

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return str(value)
        if "|" in format_spec:
            one, many = format_spec.lstrip("~").split("|", 1)
            try:
                word = one if int(value) == 1 else many
            except (TypeError, ValueError):
                word = many
            return word if format_spec.startswith("~") else f"{value} {word}"
        return super().format_field(value, format_spec)


_WORDING = _Wording()


def fill(template: str, **values) -> str:
    """Fill a catalog template (see :class:`_Wording` for ``{count:row|rows}``)."""
    return _WORDING.vformat(template, (), values).strip()


def counted(count: int, one: str, many: str) -> str:
    """``1 row``, ``3 rows``: a count with its noun, for sentences built in code."""
    return f"{count} {one if count == 1 else many}"


def join_values(values, count: int | None = None) -> str:
    """Values as prose: ``1, 2 and 3``; with more rows than shown, ``1, 2, 3 and 17 more``."""
    shown = [str(v) for v in values]
    count = len(shown) if count is None else count
    if count > len(shown):
        return ", ".join(shown) + f" and {count - len(shown)} more"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else "(none)"


if __name__ == "__main__":  # make catalogs
    target = rules_dir() / COMPILED
    target.write_text(json.dumps(compile_catalogs(rules_dir()), indent=1, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    print(f"wrote {target}")
