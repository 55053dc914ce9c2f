"""Every sentence ``propose`` and ``verify`` write, from ``rules/repair.yaml``."""

from __future__ import annotations

from functools import lru_cache

from driftaudit.config.rules import fill, read_catalog


@lru_cache(maxsize=1)
def words() -> dict:
    """``rules/repair.yaml``: every sentence propose and verify write."""
    return read_catalog("repair.yaml")


def say(section: str, key: str, **values) -> str:
    return " ".join(fill(words()[section][key], **values).split())

