#!/usr/bin/env python
"""Cause deleted-migration: a migration was applied, then its file was deleted.

The user added ExampleTwo.rank, migrated, then changed their mind and "undid" it by deleting
the migration file and the field instead of migrating backwards. The record stays in
django_migrations (a ghost) and the NOT NULL column stays in the database, so every new
ExampleTwo fails with "NOT NULL constraint failed". Built with --into DIR, the project is a git
repository and the deletion is a commit; in place, the git steps are skipped.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("appname")

story.step("The project starts with ExampleOne and ExampleTwo, committed to git.")
story.use_models("appname", "models_v1.py")
story.manage("makemigrations", "appname")
story.manage("migrate")
if story.git("init", "-q"):
    (story.root / ".gitignore").write_text("db.sqlite3*\n__pycache__/\n.built\n")
    story.git("add", "-A")
    story.git("commit", "-q", "-m", "Start the project")

story.step("""ExampleTwo gets a rank with default 0: makemigrations names the migration after its
              only operation, 0002_exampletwo_rank; migrate adds the column NOT NULL (Django keeps
              Python-side defaults out of the database).""")
story.use_models("appname", "models_v2.py")
story.manage("makemigrations", "appname")
story.manage("migrate")
story.shell("""
    from appname.models import ExampleOne, ExampleTwo
    one = ExampleOne.objects.create(name="first")
    ExampleTwo.objects.create(name="a", example_one=one, rank=3)
""")
if story.git("add", "-A"):
    story.git("commit", "-q", "-m", "Add ExampleTwo.rank")

story.step("""The feature is dropped: the user removes the field and deletes
              0002_exampletwo_rank.py instead of migrating backwards. `migrate` says "No
              migrations to apply"; the record and the column stay.""")
story.use_models("appname", "models_v1.py")
story.delete_migrations("appname", "0002_exampletwo_rank")
story.manage("migrate")
if story.git("add", "-A"):
    story.git("commit", "-q", "-m", "Drop the rank feature")

story.step("The symptom: creating an ExampleTwo fails with NOT NULL constraint failed.")
story.shell("""
    from django.db import IntegrityError
    from appname.models import ExampleTwo
    try:
        ExampleTwo.objects.create(name="b")
        print("create ExampleTwo: ok")
    except IntegrityError as exc:
        print(f"create ExampleTwo: IntegrityError: {exc}")
""")
story.done()
