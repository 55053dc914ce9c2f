#!/usr/bin/env python
"""Drift class 10: objects made by hand in the sqlite3 shell, which Django cannot see.

Models and migrations agree; the database was edited by hand: the books table rebuilt with
ON DELETE CASCADE on a key the model PROTECTs and a CHECK on the year, and an extra index.
SQLite silently cascades: raw deletes of an author take the books with them, and Django's
next rebuild of the table would silently drop all three hand-made objects.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("books")

story.step("""The project has Author and Book; Book.author is a ForeignKey with on_delete=PROTECT.""")
story.use_models("books", "models.py")
story.manage("makemigrations", "books")
story.manage("migrate")
story.shell("""
    from books.models import Author, Book
    ann = Author.objects.create(name="Ann")
    Book.objects.create(title="First", year=1999, author=ann)
    Book.objects.create(title="Second", year=2004, author=Author.objects.create(name="Bob"))
""")

story.step("""A DBA "hardens" the database in the sqlite3 shell: SQLite cannot ALTER a key, so
              they rebuild books_book with ON DELETE CASCADE on author_id and a CHECK on year,
              copy the rows over, recreate Django's index on author_id, and add their own index
              on title.""")
story.sqlite("""
    PRAGMA foreign_keys = OFF;
    BEGIN;
    CREATE TABLE "new_books_book" (
        "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
        "title" varchar(200) NOT NULL,
        "year" integer NOT NULL CHECK ("year" > 1450),
        "author_id" bigint NOT NULL REFERENCES "books_author" ("id")
            ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
    );
    INSERT INTO "new_books_book" ("id", "title", "year", "author_id")
        SELECT "id", "title", "year", "author_id" FROM "books_book";
    DROP TABLE "books_book";
    ALTER TABLE "new_books_book" RENAME TO "books_book";
    CREATE INDEX "books_book_author_id_by_hand" ON "books_book" ("author_id");
    CREATE INDEX "books_title_idx" ON "books_book" ("title");
    COMMIT;
""")

story.step("""The symptom: a report script deletes author Ann with raw SQL, expecting PROTECT to
              refuse - and her book silently disappears with her.""")
story.shell("""
    from django.db import connection
    from books.models import Book
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM books_author WHERE name = 'Ann'")
    print("books left:", list(Book.objects.values_list("title", flat=True)))
""")
story.done()
