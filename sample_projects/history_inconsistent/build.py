#!/usr/bin/env python
"""inconsistent-history: a record deleted by hand to "re-run" a migration.

ExampleTwo gets a rank (0002) and then an index on it (0003). To re-run 0002, the user deletes
its row from django_migrations. Now 0003 is recorded as applied before its dependency 0002:
`migrate` stops with InconsistentMigrationHistory, and 0002 would fail anyway ("duplicate column
name"), because the database already has the column.
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

story.step("""ExampleTwo gets a rank (0002_exampletwo_rank), then an index on it
              (0003_alter_exampletwo_rank); both are migrated.""")
story.use_models("appname", "models_v2.py")
story.manage("makemigrations", "appname")
story.use_models("appname", "models_v3.py")
story.manage("makemigrations", "appname")
story.manage("migrate")

story.step("""The user deletes the record of 0002 to make Django run it again.""")
story.shell("""
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s",
                       ["appname", "0002_exampletwo_rank"])
""")
story.manage("migrate", check=False)
story.done()
