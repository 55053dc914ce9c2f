"""The one normalized schema model, and the three-way diff over it.

:mod:`.catalog` is the model (``Catalog`` of ``Table``, ``Column``, ``ForeignKey``, ``Index``,
``RawObject``); :mod:`.introspect` reads any SQLite connection into it (PRAGMA + sqlglot facts
from :mod:`.ddl`); :mod:`.history_catalog` makes the history's catalog; :mod:`.read` reads all
three into ``Sources`` and bundles the ``AuditInput``; :mod:`.diff` compares M, H and D.

Hands on: ``AuditInput`` (project, connection, app registry, ``Sources``) and the ``Difference`` list.
"""
