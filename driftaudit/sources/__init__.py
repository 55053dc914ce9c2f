"""Where the three truths are read - nothing here compares or judges.

- models (M): :mod:`.models` renders the project's models into a private in-memory database;
- history (H): :mod:`.history` loads the migration files tolerantly and ``django_migrations``,
  :mod:`.runsql` replays the applied ``RunSQL``, :mod:`.git` recovers deleted files' history;
- database (D): :mod:`.database` opens the audited file read-only, never anything else;
- :mod:`.project` finds the project, its settings and database (``Selection`` -> ``Project``);
  :mod:`.statecache` keeps replayed states between runs; :mod:`.code` finds the lines of
  classes and fields, :mod:`.model_source` a model class's text and precise edits to it (adopt).

Hands on: a ``Project``, a read-only connection, a ``History`` and rendered scratch databases.
"""
