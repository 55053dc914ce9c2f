"""The finding: one explained mismatch, shaped exactly like the contract's JSON FINDING."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
#: the severities that call for a repair (info findings do not)
SERIOUS = ("warning", "error")
#: kinds whose subject is a migration, not a database object
MIGRATION_KINDS = frozenset({"ghost-migration", "unapplied-migration", "inconsistent-history", "missing-dependency",
                             "rewritten-migration", "broken-migration", "pending-model-change"})


@dataclass(frozen=True)
class Finding:
    """One difference explained: the contract's FINDING (rule, where, which sources disagree, the
    cause, what it breaks and what to do)."""

    rule: str
    kind: str
    severity: str
    signature: str | None
    cause: str
    explanation: str
    fix: str | None = None
    app: str | None = None
    model: str | None = None
    table: str | None = None
    column: str | None = None
    migration: str | None = None
    sources: Mapping[str, Any] | None = None
    impact: Mapping[str, Any] | None = None
    count: int | None = None
    id: str = ""
    #: the reason from the project's ``accept`` entry; accepted findings do not fail the audit
    accepted: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def rank(self) -> int:
        return SEVERITY_ORDER[self.severity]

    @property
    def subject(self) -> str:
        """What the finding is about, as people name it: a migration, ``table.column``, a table."""
        if self.kind in MIGRATION_KINDS and self.migration:
            return self.migration
        where = self.table or self.migration or self.app or ""
        return where + (f".{self.column}" if self.column and self.table else "")

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        order = ["id", "rule", "kind", "severity", "app", "model", "table", "column", "migration",
                 "signature", "sources", "cause", "explanation", "impact", "count", "fix", "accepted"]
        return {key: data[key] for key in order}
