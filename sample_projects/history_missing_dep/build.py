#!/usr/bin/env python
"""missing-dependency: a migration other apps depend on was deleted.

library.0002_book_isbn is applied, and shelf.0001_initial (made after it) depends on it. The user
drops the isbn field by deleting 0002_book_isbn.py. Now every manage.py command that loads
migrations dies with NodeNotFoundError - while driftaudit must still produce the full report.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("library", "shelf")
shelf_models = (story.root / "shelf" / "models.py").read_text()

story.step("""library starts with Book; Book then gets an isbn (0002_book_isbn), migrated.""")
story.use_models("library", "library_v1.py")
(story.root / "shelf" / "models.py").write_text("")
story.manage("makemigrations", "library")
story.use_models("library", "library_v2.py")
story.manage("makemigrations", "library")
story.manage("migrate")

story.step("""shelf is added with a key to Book: its 0001_initial depends on library.0002_book_isbn,
              the latest library migration.""")
(story.root / "shelf" / "models.py").write_text(shelf_models)
story.manage("makemigrations", "shelf")
story.manage("migrate")

story.step("""The isbn is dropped by deleting 0002_book_isbn.py and the field. Every command now
              fails with NodeNotFoundError.""")
story.use_models("library", "library_v1.py")
story.delete_migrations("library", "0002_book_isbn")
story.manage("migrate", check=False)
story.done()
