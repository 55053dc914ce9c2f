#!/usr/bin/env python
"""Cause rewritten-migration: the migrations were deleted and regenerated after being applied.

The user adds ExampleTwo.rank, then, tidying up, deletes the migrations folder and regenerates a
single 0001_initial that already has rank. `migrate` says "No migrations to apply" because
appname.0001_initial is recorded, so the database never gets the column. Built with --into DIR,
the project is a git repository and the rewrite is a commit; in place, the git steps are skipped.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("appname")

story.step("The project starts with ExampleOne and ExampleTwo, migrated.")
story.use_models("appname", "models_v1.py")
story.manage("makemigrations", "appname")
story.manage("migrate")

if story.git("init", "-q"):
    (story.root / ".gitignore").write_text("db.sqlite3*\n__pycache__/\n.built\n")
    story.git("add", "-A")
    story.git("commit", "-q", "-m", "Start the project")

story.step("""ExampleTwo gets a rank. Instead of a second migration, the user deletes the
              migrations and regenerates 0001_initial (now with rank) and commits it; `migrate`
              says "No migrations to apply".""")
story.use_models("appname", "models_v2.py")
story.delete_migrations("appname")
story.manage("makemigrations", "appname")
story.manage("migrate")
if story.git("add", "-A"):
    story.git("commit", "-q", "-m", "Squash migrations into a fresh initial")

story.step("The symptom: reading ExampleTwo fails with no such column.")
story.shell("""
    from django.db import OperationalError
    from appname.models import ExampleTwo
    try:
        print(list(ExampleTwo.objects.all()))
    except OperationalError as exc:
        print(f"list ExampleTwo: OperationalError: {exc}")
""")
story.done()
