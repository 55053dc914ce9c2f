#!/usr/bin/env python
"""Drift class 3: the models changed and makemigrations was never run (M≠H=D).

The migration files and the database agree with each other; the models moved ahead. The fix
is the normal one: `makemigrations`, then `migrate` for real.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library")

story.step("""The project starts with Shelf and Book (nullable isbn, a notes text).""")
story.use_models("library", "models_v1.py")
story.manage("makemigrations", "library")
story.manage("migrate")
story.shell("""
    from library.models import Book, Shelf
    Book.objects.create(title="Dune", shelf=Shelf.objects.create(label="A1"))
""")

story.step("""The developer renames Shelf to Rack and Book.title to name, makes isbn required,
              adds a PositiveIntegerField `pages` and removes `notes` - and deploys without
              running makemigrations.""")
story.use_models("library", "models_v2.py")
story.manage("migrate")

story.step("""The symptom: reading books fails with "no such column: library_book.pages";
              `makemigrations --check` would have said so.""")
story.shell("""
    from django.db.utils import OperationalError
    from library.models import Book
    try:
        list(Book.objects.all())
    except OperationalError as exc:
        print(f"Book.objects.all(): OperationalError: {exc}")
""")
story.manage("makemigrations", "--check", "--dry-run", check=False)
story.done()
