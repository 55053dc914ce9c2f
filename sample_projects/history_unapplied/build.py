#!/usr/bin/env python
"""Cause unapplied-migration: the migration exists, `migrate` was never run.

ExampleTwo gets a rank and makemigrations writes 0002_exampletwo_rank, but this database was
never migrated: queries on ExampleTwo fail with "no such column" until `migrate` runs.
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

story.step("""ExampleTwo gets a rank: makemigrations writes 0002_exampletwo_rank; nobody runs
              migrate on this database.""")
story.use_models("appname", "models_v2.py")
story.manage("makemigrations", "appname")
story.done()
