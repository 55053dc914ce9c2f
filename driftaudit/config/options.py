"""Per-project configuration: what ``driftaudit.yaml`` can say (:class:`Config`) and where it
is found. Reading and validating the YAML is :mod:`.config_file`'s job, imported only when a
project has the file: most runs have none and never pay for PyYAML's import.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

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
#: Nothing is lost by default: rows a repair cannot keep are moved, whole and with their reason,
#: into a quarantine table; ``fail`` (stop and list them) is one setting away.
DEFAULT_FIX = {"stale_tables": "backup-drop", "stale_columns": "backup-drop", "orphans": "quarantine",
               "duplicates": "quarantine", "nulls": "quarantine", "check_violations": "quarantine"}


@dataclass(frozen=True)
class Accept:
    """Drift the project decided to keep (``accept:`` in driftaudit.yaml): the finding is shown as
    accepted, with this reason, and ``propose`` never undoes it."""

    rule: str
    table: str | None
    column: str | None
    reason: str
    line: int


@dataclass(frozen=True)
class TableOverride:
    """Severities and fix policies for the tables a glob matches (``tables:``); the last match wins."""

    pattern: str
    severity: Mapping[str, str] = field(default_factory=dict)
    fix: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """What a project's driftaudit.yaml says, with the defaults for what it leaves out."""

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


def config_path(explicit: str | None, project_root: Path | None) -> Path | None:
    """``--config FILE``, else ``driftaudit.yaml`` in the project root, else ``None`` (the
    defaults). :func:`driftaudit.config.config_file.read_config` reads it."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise AuditError(f"config file not found: {path}")
        return path
    if project_root is not None and (project_root / CONFIG_NAME).is_file():
        return project_root / CONFIG_NAME
    return None


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
