#!/usr/bin/env python
"""Cause pending-model-change: the models changed, makemigrations was never run.

ExampleTwo gets a rank in models.py only: no migration file makes it, so `migrate` has nothing
to do and queries on ExampleTwo fail with "no such column".
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

story.step("""ExampleTwo gets a rank in models.py; makemigrations is not run, and `migrate`
              finds nothing to apply.""")
story.use_models("appname", "models_v2.py")
story.manage("migrate")
story.done()
