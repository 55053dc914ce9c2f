#!/usr/bin/env python
"""Drift class 18: a database made without history - no django_migrations table at all.

The warehouse app never had migrations: `migrate --run-syncdb` created its tables straight
from the models (the old syncdb way), and since there was no migration to record, Django
never even created django_migrations. When the model later gains a field, nothing can bring
it to the database; `migrate --run-syncdb` only creates missing tables.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("warehouse")

story.step("""The warehouse app has Depot and Crate and no migrations folder; the tables are
              made with `migrate --run-syncdb`. No django_migrations table is created.""")
story.use_models("warehouse", "models_v1.py")
story.manage("migrate", "--run-syncdb")
story.shell("""
    from warehouse.models import Crate, Depot
    Crate.objects.create(depot=Depot.objects.create(city="Oslo"), weight=12.5)
""")

story.step("""Crate gains a unique, nullable barcode. `migrate --run-syncdb` again does nothing:
              the tables exist.""")
story.use_models("warehouse", "models_v2.py")
story.manage("migrate", "--run-syncdb")

story.step("""The symptom: reading crates fails with "no such column: warehouse_crate.barcode".""")
story.shell("""
    from django.db.utils import OperationalError
    from warehouse.models import Crate
    try:
        list(Crate.objects.all())
    except OperationalError as exc:
        print(f"Crate.objects.all(): OperationalError: {exc}")
""")
story.done()
