"""One story per cause: the report's findings grouped by their root cause.

An app taken out of ``INSTALLED_APPS`` leaves stale tables and ghost migration records; a
migration recorded with ``--fake`` leaves several differences over several tables. Each is one
thing that happened, with one thing to do, and a reader should meet it once: the ``Group`` says
the cause, the migration or app, what it left, what it blocks and the one thing to do, and names
its findings, which stay as they are (the flat ``findings`` of the contract).

Grouping is a fact about the findings, not about how they are shown, so it is computed once
here and every output format (text, JSON, markdown, HTML, SARIF, GitHub) only renders it.
Every finding belongs to exactly one group; group ids (``G1``...) follow the report: the worst
severity first, then the order of each group's first finding.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from driftaudit.config.rules import fill, join_values, load_causes, read_catalog, rule_for
from driftaudit.explain.finding import SEVERITY_ORDER, Finding

#: causes that one migration makes: one group per migration (per app when none is known)
PER_MIGRATION = frozenset({"deleted-migration", "rewritten-migration", "faked-migration", "unapplied-migration"})
#: causes that one app makes: one group per app
PER_APP = frozenset({"removed-app", "pending-model-change"})
#: causes that one event made to the whole database (an old Django, checks turned off)
PER_DATABASE = frozenset({"legacy-rename-bug", "legacy-immediate-fk", "fk-checks-disabled"})


@dataclass(frozen=True)
class Left:
    """What a group left in the database or the history, per finding kind."""

    kind: str
    objects: tuple[str, ...]


@dataclass(frozen=True)
class Blocked:
    """Deletes of ``table``'s rows that fail because of the group (from the findings' impact)."""

    table: str
    model: str | None
    count: int
    via: str | None


@dataclass(frozen=True)
class Group:
    """The findings one root cause explains, told once (``causes`` in the text report, ``groups`` in
    JSON), with the one thing to do about them."""

    id: str
    cause: str
    title: str
    severity: str
    app: str | None
    migration: str | None
    finding_ids: tuple[str, ...]
    left: tuple[Left, ...]
    blocks: tuple[Blocked, ...]
    to_do: str

    def to_json(self) -> dict:
        return {
            "id": self.id, "cause": self.cause, "title": self.title, "severity": self.severity,
            "app": self.app, "migration": self.migration, "findings": list(self.finding_ids),
            "left": [{"kind": left.kind, "objects": list(left.objects)} for left in self.left],
            "blocks": [{"table": b.table, "model": b.model, "count": b.count, "via": b.via} for b in self.blocks],
            "to_do": self.to_do,
        }


def group_findings(findings: list[Finding]) -> list[Group]:
    """The findings (already numbered) as groups, one per root cause."""
    members: dict[tuple, list[Finding]] = {}
    for f in findings:
        members.setdefault(_key(f), []).append(f)
    _join_unknown_to_known(members)
    position = {f.id: i for i, f in enumerate(findings)}
    ordered = sorted(members.items(), key=lambda item: (-max(f.rank for f in item[1]),
                                                        min(position[f.id] for f in item[1])))
    return [_group(f"G{i}", key, sorted(fs, key=lambda f: position[f.id])) for i, (key, fs) in enumerate(ordered, 1)]


def _key(f: Finding) -> tuple:
    if f.cause in PER_MIGRATION:
        return (f.cause, f.migration or f.app)
    if f.cause in PER_APP:
        return (f.cause, f.app)
    if f.cause in PER_DATABASE:
        return (f.cause,)
    if f.cause == "manual-sql":
        return (f.cause, (f.table or "").lower() or f.app)
    return (f.cause, f.id)  # cause not known: its own story


def _join_unknown_to_known(members: dict[tuple, list[Finding]]) -> None:
    """A finding whose cause is not known joins the story of a finding on the same column.

    Duplicates behind a ``unique=True`` that was faked are the faked migration's doing: the
    duplicate-rows finding cannot know why the index is missing, the unique-missing one does.
    """
    owner = {}
    for key, fs in members.items():
        for f in fs:
            if f.cause != "unknown" and f.table and f.column:
                owner.setdefault((f.table.lower(), f.column.lower()), key)
    for key in [k for k in members if k[0] == "unknown"]:
        f = members[key][0]
        target = owner.get(((f.table or "").lower(), (f.column or "").lower()))
        if target is not None:
            members[target].append(members.pop(key)[0])


@lru_cache(maxsize=1)
def _words() -> dict:
    """``rules/groups.yaml``: the titles and the one thing to do, per cause."""
    return read_catalog("groups.yaml") or {}


def _group(group_id: str, key: tuple, fs: list[Finding]) -> Group:
    cause = key[0]
    apps = {f.app for f in fs if f.app}
    migrations = {f.migration for f in fs if f.migration}
    app = apps.pop() if len(apps) == 1 else None
    if cause in PER_MIGRATION and key[1] in migrations:  # the migration the story is about
        migration = key[1]
    else:
        migration = migrations.pop() if len(migrations) == 1 else None
    subjects = _unique(f.subject for f in fs)
    values = {
        "app": app, "migration": migration, "cause_title": load_causes().get(cause, {}).get("title", cause),
        "subject": join_values(subjects[:3], len(subjects)),
        "tables": len(_unique(f.table.lower() for f in fs if f.kind == "stale-table" and f.table)) or None,
        "these": "this finding" if len(fs) == 1 else f"these {len(fs)} findings",
    }
    return Group(
        id=group_id, cause=cause, title=_say("title", cause, values),
        severity=max((f.severity for f in fs), key=SEVERITY_ORDER.__getitem__),
        app=app, migration=migration, finding_ids=tuple(f.id for f in fs), left=_left(fs),
        blocks=tuple(_blocks(fs)), to_do=_to_do(cause, fs, values),
    )


def _to_do(cause: str, fs: list[Finding], values: dict) -> str:
    own = [f for f in fs if f.kind in _words().get("own_fix", ()) and f.fix]
    if own:  # a step no repair migration can take: that finding's own fix is the thing to do
        return " ".join(max(own, key=lambda f: f.rank).fix.split())
    return _say("to_do", cause, values)


def _say(section: str, cause: str, values: dict) -> str:
    """The cause's sentence when every value it names is known, else the section's default."""
    templates = _words().get(section, {})
    template = templates.get(cause)
    if template is None or any(values.get(name) is None for name in _placeholders(template)):
        template = templates["default"]
    return " ".join(fill(template, **{k: v for k, v in values.items() if v is not None}).split())


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _left(fs: list[Finding]) -> tuple[Left, ...]:
    by_kind: dict[str, list[str]] = {}
    for f in fs:
        by_kind.setdefault(f.kind, []).append(f.subject)
    order = {f.kind: rule_for(f.kind).id for f in fs}
    return tuple(Left(kind, tuple(_unique(objects))) for kind, objects in sorted(by_kind.items(), key=lambda i: order[i[0]]))


def _blocks(fs: list[Finding]) -> Iterable[Blocked]:
    seen = set()
    for f in fs:
        for b in (f.impact or {}).get("blocked_deletes") or ():
            item = Blocked(b["table"], b.get("model"), b["count"], b.get("via"))
            if item not in seen:
                seen.add(item)
                yield item


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
