"""Names the repair gives to what it creates: backup tables, renamed ``CREATE TABLE`` text."""

from __future__ import annotations

import re

from driftaudit.schema.read import BACKUP_PREFIX, QUARANTINE_PREFIX
from driftaudit.sql import quote_identifier as q


def renamed_sql(sql: str, name: str) -> str:
    """``CREATE TABLE <x> (...)`` text with the table named ``name`` instead (quoted)."""

    return re.sub(r'^\s*CREATE\s+TABLE\s+(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\S+)',
                  f"CREATE TABLE {q(name)}", sql, count=1, flags=re.I)


def backup_name(base: str, taken: set, prefix: str = BACKUP_PREFIX) -> str:
    """A free ``driftaudit_backup_...`` table name (a second repair never overwrites a backup)."""
    name, n = f"{prefix}{base}", 2
    while name.lower() in taken:
        name, n = f"{prefix}{base}_{n}", n + 1
    taken.add(name.lower())
    return name


def quarantine_name(table: str, taken: set) -> str:
    """A free ``driftaudit_quarantine_<table>`` name for the rows a repair sets aside."""
    return backup_name(table, taken, QUARANTINE_PREFIX)

