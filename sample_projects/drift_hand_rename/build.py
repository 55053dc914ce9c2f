#!/usr/bin/env python
"""Class 7: a table renamed by hand, the way SQLite < 3.26 (or legacy_alter_table=ON) renames.

The DBA renamed library_author to library_writer in the sqlite3 shell with the old rename
semantics, so library_book's key still says REFERENCES "library_author"; the migration that
Django generated for the rename was then faked, because "the table is already renamed".
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library")

story.step("The library starts with Author and Book (Book.author is a ForeignKey).")
story.use_models("library", "models_v1.py")
story.manage("makemigrations", "library")
story.manage("migrate")
story.shell("""
    from library.models import Author, Book
    ann = Author.objects.create(name="Ann")
    Book.objects.create(title="Drift", author=ann)
""")

story.step("""The DBA renames the table by hand, as SQLite before 3.26 did it (legacy_alter_table=ON):
              the table gets its new name, but library_book still references "library_author".""")
story.sqlite("""
    PRAGMA legacy_alter_table = ON;
    ALTER TABLE "library_author" RENAME TO "library_writer";
""")

story.step("""The developer sets Meta.db_table = "library_writer", makes the migration and fakes it,
              since the table already has its new name.""")
story.use_models("library", "models_v2.py")
story.manage("makemigrations", "library", "--name", "rename_author_table")
story.manage("migrate", "library", "--fake")

story.step("The symptom: adding a book fails, because its key points at a table that no longer exists.")
story.shell("""
    from django.db import OperationalError
    from library.models import Author, Book
    try:
        Book.objects.create(title="Repair", author=Author.objects.get(name="Ann"))
    except OperationalError as exc:
        print(f"add a book: OperationalError: {exc}")
""")
story.done()
