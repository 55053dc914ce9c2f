#!/usr/bin/env python
"""Cause faked-migration: a migration recorded with `migrate --fake`, never run.

ExampleTwo gets a rank; the user, believing the column was already there (or copying a command
from a deploy script), runs `migrate --fake`. The record says 0002_exampletwo_rank is applied,
the database has no column rank, and every query on ExampleTwo fails with "no such column".
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

story.step("""ExampleTwo gets a rank: makemigrations writes 0002_exampletwo_rank, and the user
              records it with `migrate --fake` instead of running it.""")
story.use_models("appname", "models_v2.py")
story.manage("makemigrations", "appname")
story.manage("migrate", "--fake")
story.done()
