#!/usr/bin/env python
"""No django_migrations: a database restored without Django's own bookkeeping table.

A small notes project, told as it happened:
- notes.0001 (Note) and notes.0002 (Note.pinned) were applied in production.
- notes.0003 (Tag, and Note.tags) was written and committed, but not deployed yet.
- The production database was moved to a new server from a dump that left out the
  django_migrations table (a "data only, skip framework tables" export). Every `migrate` now
  fails: it starts with the initial migrations and stops on "table already exists".
`python manage.py migrate --fake` would record notes.0003 too, and its tables would never be
made. `driftaudit stamp` records exactly what the tables show (0001, 0002 and the contrib apps'),
after which `migrate` applies 0003.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("notes")

story.step("Version 1: Note(title). makemigrations, migrate, two notes.")
story.use_models("notes", "models_v1.py")
story.manage("makemigrations", "notes")
story.manage("migrate")
story.shell("""
    from notes.models import Note
    Note.objects.create(title="Groceries")
    Note.objects.create(title="Ideas")
""")

story.step("Version 2: Note.pinned. makemigrations, migrate.")
story.use_models("notes", "models_v2.py")
story.manage("makemigrations", "notes")
story.manage("migrate")

story.step("Version 3: Tag and Note.tags. makemigrations only: not deployed yet.")
story.use_models("notes", "models_v3.py")
story.manage("makemigrations", "notes")

story.step("""The database moves to a new server from a dump without Django's own tables:
              django_migrations is gone (dropped here in the sqlite3 shell).""")
story.sqlite("DROP TABLE django_migrations;")
story.done()
