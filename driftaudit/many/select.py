"""Which databases a run audits: the ``--db`` values expanded, and a stable share of them.

A value with glob characters (``*``, ``?``, ``[``; ``**`` for any depth) is a pattern; any
other value is one file. ``--shard K/N`` keeps the databases whose name hashes to ``K``: the
name is the path relative to the pattern's root (the folders before its first glob
character), or the path as given for a plain file, so every machine of a CI matrix, whatever
folder it checks out to and in whatever order its file system lists them, picks the same
share, and the N shards together hold every database exactly once.
"""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from driftaudit.errors import AuditError

MAGIC = frozenset("*?[")


@dataclass(frozen=True)
class Target:
    """One database to audit."""

    #: the file, absolute (what the reports call ``database``)
    path: str
    #: its stable name for ``--shard``: relative to the glob's root, or as given
    name: str


def is_pattern(value: str) -> bool:
    return any(ch in MAGIC for ch in value)


def expand(values: list[str]) -> list[Target]:
    """The databases of the ``--db`` values, each once, sorted by path; a pattern that
    matches no file is an error (a typo must not look like a clean run)."""
    found: dict[str, Target] = {}
    for value in values:
        if not is_pattern(value):
            path = str(Path(value).resolve())
            found.setdefault(path, Target(path, PurePath(os.path.normpath(value)).as_posix()))
            continue
        root = _root(value)
        matches = [m for m in glob.glob(value, recursive=True) if os.path.isfile(m)]
        if not matches:
            raise AuditError(f"--db {value!r} matches no file (quote the pattern so the shell does not expand it)")
        for match in matches:
            path = str(Path(match).resolve())
            found.setdefault(path, Target(path, PurePath(os.path.relpath(match, root)).as_posix()))
    return sorted(found.values(), key=lambda t: t.path)


def _root(pattern: str) -> str:
    """The folders of ``pattern`` before its first glob character (``.`` when none)."""
    parts = []
    for part in PurePath(pattern).parts[:-1]:
        if is_pattern(part):
            break
        parts.append(part)
    return str(PurePath(*parts)) if parts else "."


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/5"`` -> ``(2, 5)``; anything else is a one-line error."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise AuditError(f"--shard {text!r}: give K/N, e.g. 1/4 (the first of four shares)") from None
    if not 1 <= k <= n:
        raise AuditError(f"--shard {text!r}: K must be between 1 and N (1/{max(n, 1)} ... {max(n, 1)}/{max(n, 1)})")
    return k, n


def shard(targets: list[Target], k: int, n: int) -> list[Target]:
    """The share ``k`` of ``n``: by a hash of each database's name, never by its position."""
    return [t for t in targets if int(hashlib.sha256(t.name.encode()).hexdigest(), 16) % n == k - 1]
