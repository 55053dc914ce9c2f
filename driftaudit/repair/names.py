"""Names the repair gives to what it creates: backup tables, renamed ``CREATE TABLE`` text."""

from __future__ import annotations

import re

from driftaudit.schema.read import BACKUP_PREFIX
from driftaudit.sql import quote_identifier as q


def renamed_sql(sql: str, name: str) -> str:
    """``CREATE TABLE <x> (...)`` text with the table named ``name`` instead (quoted)."""

    return re.sub(r'^\s*CREATE\s+TABLE\s+(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\S+)',
                  f"CREATE TABLE {q(name)}", sql, count=1, flags=re.I)

def backup_name(base: str, taken: set) -> str:
    """A free ``driftaudit_backup_...`` table name (a second repair never overwrites a backup)."""
    name, n = f"{BACKUP_PREFIX}{base}", 2
    while name.lower() in taken:
        name, n = f"{BACKUP_PREFIX}{base}_{n}", n + 1
    taken.add(name.lower())
    return name

