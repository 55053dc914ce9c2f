"""Every sentence ``propose`` and ``verify`` write, from ``rules/repair.yaml``."""

from __future__ import annotations

from functools import lru_cache

from driftaudit.config.rules import fill, read_yaml, rules_dir


@lru_cache(maxsize=1)
def words() -> dict:
    """``rules/repair.yaml``: every sentence propose and verify write."""
    return read_yaml(rules_dir() / "repair.yaml")


def say(section: str, key: str, **values) -> str:
    return " ".join(fill(words()[section][key], **values).split())

