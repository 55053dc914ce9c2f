#!/usr/bin/env python
"""The seed case: "some old rows can't be deleted - FOREIGN KEY constraint failed".

How the drift happened, step by step, with real Django commands. Run it to (re)build
db.sqlite3 here, or with --into DIR to build a copy elsewhere.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("appname")

story.step("""The project starts with ExampleOne.exampletwos, a ManyToManyField to ExampleTwo,
              and ExampleTwo.example_one, a nullable ForeignKey to ExampleOne.""")
story.use_models("appname", "models_v1.py")
story.manage("makemigrations", "appname")
story.manage("migrate")

story.step("""The user creates data: ExampleOne 1 and 2, ExampleTwo 1-3, and links them through
              the many-to-many (1 -> ExampleTwo 1, 2; 2 -> ExampleTwo 3).""")
story.shell("""
    from appname.models import ExampleOne, ExampleTwo
    one, two = ExampleOne.objects.create(name="first"), ExampleOne.objects.create(name="second")
    a, b, c = (ExampleTwo.objects.create(name=n, example_one=one) for n in ("a", "b", "c"))
    one.exampletwos.add(a, b)
    two.exampletwos.add(c)
""")

story.step("""The user removes the many-to-many from the models. Hitting trouble with migrations,
              they delete the migrations folder and regenerate it: a new 0001_initial without the
              field. `migrate` says "No migrations to apply", because appname.0001_initial is
              already recorded - so the join table appname_exampleone_exampletwos stays.""")
story.use_models("appname", "models_v2.py")
story.delete_migrations("appname")
story.manage("makemigrations", "appname")
story.manage("migrate")

story.step("""Life goes on: new rows ExampleOne 3 and 4 and ExampleTwo 4 are created.""")
story.shell("""
    from appname.models import ExampleOne, ExampleTwo
    three = ExampleOne.objects.create(name="third")
    ExampleOne.objects.create(name="fourth")
    ExampleTwo.objects.create(name="d", example_one=three)
""")

story.step("""The symptom: deleting old ExampleOne 1 fails with FOREIGN KEY constraint failed
              (SQLite rolls the delete back), while a newer row (a temporary ExampleOne 5) deletes
              fine.""")
story.shell("""
    from django.db import IntegrityError
    from appname.models import ExampleOne
    ExampleOne.objects.create(pk=5, name="temporary")
    for pk in (1, 5):
        try:
            ExampleOne.objects.get(pk=pk).delete()
            print(f"delete ExampleOne {pk}: ok")
        except IntegrityError as exc:
            print(f"delete ExampleOne {pk}: IntegrityError: {exc}")
""")
story.done()
