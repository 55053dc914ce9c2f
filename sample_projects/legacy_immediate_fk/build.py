#!/usr/bin/env python
"""Legacy class 8: immediate (non-deferrable) foreign keys, made by Django 1.11.

Django 2.0 made every SQLite key DEFERRABLE INITIALLY DEFERRED; Django 1.x wrote plain
``REFERENCES`` clauses, which SQLite checks at once, statement by statement. Upgrading Django
rebuilds nothing, so a database that started on 1.x keeps immediate keys: forward references
inside one transaction (loaddata, cycles) fail with "FOREIGN KEY constraint failed". Built with
the real Django 1.11.29 on Python 3.7 (a cached virtualenv), then the user upgrades to today's
Django. (This project has no auth/admin: with them, Django 1.11 on SQLite >= 3.26 would also
leave class-6 "__old" keys, which sample legacy_old_keys shows on its own.)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _legacy import legacy_django  # noqa: E402
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library")
current_python = story.python

story.step("""The project starts on Django 1.11 (Python 3.7): a library app with Author and Book
              (a ForeignKey to Author). makemigrations + migrate write library_book.author_id as
              a plain, immediate REFERENCES "library_author" ("id").""")
story.python = legacy_django("1.11.29")
story.use_models("library", "models_v1.py")
story.manage("makemigrations", "library")
story.manage("migrate")
story.shell("""
    from library.models import Author, Book
    ann = Author.objects.create(name="Ann")
    Book.objects.create(title="First", author=ann)
""")

story.step("""The user upgrades to today's Django: the migration files and models load unchanged,
              migrate has nothing to do, and the keys stay immediate.""")
story.python = current_python
story.manage("migrate")

story.step("""The symptom: loading a fixture that lists a book before its new author fails with
              "FOREIGN KEY constraint failed" (a deferred key would only be checked at commit,
              when the author exists). Nothing is loaded.""")
loaded = story.manage("loaddata", "story/new_books.json", check=False)
if loaded.returncode == 0 or "FOREIGN KEY constraint failed" not in loaded.stderr:
    sys.exit("build failed: loaddata was expected to fail on the immediate key")
story.done()
