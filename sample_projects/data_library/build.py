#!/usr/bin/env python
"""Data impact: orphan rows, deletes Django's collector cannot see coming, and duplicates.

A small library project, told as it happened:
- Loan.book is a ForeignKey with on_delete=DO_NOTHING: Django skips it when deleting a book,
  but the database still enforces the key at commit.
- Shelf.featured and Section.shelf reference each other (a cycle). This part of the schema was
  made by Django 1.11, years ago, whose keys were immediate (not DEFERRABLE). We reproduce that
  by rebuilding the two tables by hand in sqlite3 with Django 1.11's DDL (the same CREATE TABLE
  without "DEFERRABLE INITIALLY DEFERRED"): a real table rebuild, rows copied over.
- Member.email became unique=True, and Book.editor (a ForeignKey) became a plain editor_id
  column, in one migration. `migrate` failed on the duplicate e-mails, so the user applied it
  with --fake: the database kept the old key on editor_id and never got the unique index.
- Finally someone imported books with the sqlite3 shell, where foreign keys are off by
  default: two books reference authors that do not exist.
"""

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library")

story.step("""Version 1 of the models: Author, Book (author CASCADE, editor SET_NULL), Loan (book
              DO_NOTHING), Member, and Shelf/Section referencing each other.""")
story.use_models("library", "models_v1.py")
story.manage("makemigrations", "library")
story.manage("migrate")

story.step("""Data: authors 1-3; books 1-3 by author 1 (book 3 edited by author 2); loan 1 of book
              2; members 1-6 with e-mails a, a, b, a, b, c; shelf 1 featuring its section 1, and
              shelf 2 with section 2 and no featured section.""")
story.shell("""
    from library.models import Author, Book, Loan, Member, Section, Shelf
    ann, bob, cy = (Author.objects.create(name=n) for n in ("Ann", "Bob", "Cy"))
    Book.objects.create(title="First", author=ann)
    second = Book.objects.create(title="Second", author=ann)
    Book.objects.create(title="Third", author=ann, editor=bob)
    Loan.objects.create(book=second, borrower="Dee")
    for email in ("a@example.org", "a@example.org", "b@example.org", "a@example.org",
                  "b@example.org", "c@example.org"):
        Member.objects.create(email=email)
    fiction, poetry = Shelf.objects.create(name="Fiction"), Shelf.objects.create(name="Poetry")
    fiction.featured = Section.objects.create(shelf=fiction, name="Novels")
    fiction.save()
    Section.objects.create(shelf=poetry, name="Sonnets")
""")

story.step("""The shelf tables carry Django 1.11's immediate keys: rebuild library_shelf and
              library_section by hand with the same DDL minus "DEFERRABLE INITIALLY DEFERRED"
              (foreign keys off, new table, copy rows, drop, rename, recreate indexes).""")
db = sqlite3.connect(story.root / "db.sqlite3", isolation_level=None)
db.execute("PRAGMA foreign_keys = OFF")
db.execute("BEGIN")
for table in ("library_shelf", "library_section"):
    (ddl,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    indexes = [sql for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
    legacy = ddl.replace(" DEFERRABLE INITIALLY DEFERRED", "").replace(f'"{table}"', f'"new__{table}"', 1)
    db.execute(legacy)
    db.execute(f'INSERT INTO "new__{table}" SELECT * FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "new__{table}" RENAME TO "{table}"')
    for sql in indexes:
        db.execute(sql)
db.execute("COMMIT")
db.close()

story.step("""Version 2: Member.email becomes unique=True, and Book.editor becomes a plain
              editor_id column. `migrate` fails on the duplicate e-mails (UNIQUE constraint
              failed) and rolls back, so the user applies the migration with --fake.""")
story.use_models("library", "models_v2.py")
story.manage("makemigrations", "library", "--noinput")
failed = story.manage("migrate", check=False)
if failed.returncode == 0:
    sys.exit("build failed: migrate was expected to fail on the duplicate e-mails")
story.manage("migrate", "library", "--fake")

story.step("""The symptoms: deleting book 2 (on loan), author 2 (still referenced through the old
              key on editor_id) and shelf 1 (immediate keys in a cycle) all fail with
              FOREIGN KEY constraint failed and roll back.""")
story.shell("""
    from django.db import IntegrityError
    from library.models import Author, Book, Shelf
    for model, pk in ((Book, 2), (Author, 2), (Shelf, 1)):
        try:
            model.objects.get(pk=pk).delete()
            print(f"delete {model.__name__} {pk}: ok")
        except IntegrityError as exc:
            print(f"delete {model.__name__} {pk}: IntegrityError: {exc}")
""")

story.step("""Books imported in the sqlite3 shell, where foreign keys are off by default: book 4
              by author 40 and book 5 by author 41, edited by author 42 - none of them exist.""")
story.sqlite("""
    INSERT INTO library_book (id, title, author_id, editor_id) VALUES (4, 'Imported A', 40, NULL);
    INSERT INTO library_book (id, title, author_id, editor_id) VALUES (5, 'Imported B', 41, 42);
""")
story.done()
