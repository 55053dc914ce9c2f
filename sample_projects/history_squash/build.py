#!/usr/bin/env python
"""Squash applied too early: replaced files deleted while this database is mid-squash.

Migrations 0002 and 0003 are made; this database only got 0002 (`migrate appname 0002`). The
team squashes 0001-0003 and, thinking every database is up to date, deletes the replaced files.
This database has 0001 and 0002 recorded but not 0003, and nothing left can finish it.
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

story.step("""ExampleTwo gets a rank (0002) and an index on it (0003); this database is only
              migrated to 0002.""")
story.use_models("appname", "models_v2.py")
story.manage("makemigrations", "appname")
story.use_models("appname", "models_v3.py")
story.manage("makemigrations", "appname")
story.manage("migrate", "appname", "0002")

story.step("""squashmigrations replaces 0001-0003 with one file; the replaced files are deleted
              too early.""")
story.manage("squashmigrations", "appname", "0003", "--noinput")
story.delete_migrations("appname", "0001_initial", "0002_exampletwo_rank", "0003_alter_exampletwo_rank")
story.manage("migrate", check=False)
story.done()
