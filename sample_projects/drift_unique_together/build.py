#!/usr/bin/env python
"""Drift class 17: a unique_together -> UniqueConstraint change applied with --fake.

The migration that removes unique_together (team, person) and adds the constraint
(team, person, season) was faked, so the database still has the old unique index - it keeps
rejecting a second season for the same person, which the models allow - and lacks the new one.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset("teams")

story.step("""Membership starts with unique_together = [("team", "person")].""")
story.use_models("teams", "models_v1.py")
story.manage("makemigrations", "teams")
story.manage("migrate")
story.shell("""
    from teams.models import Membership, Team
    Membership.objects.create(team=Team.objects.create(name="Reds"), person="ann", season=2023)
""")

story.step("""Memberships become per season: unique_together is replaced by a UniqueConstraint
              on (team, person, season). The new migration is made, but on this server it is
              applied with `migrate --fake` (the developer had "already done it by hand").""")
story.use_models("teams", "models_v2.py")
story.manage("makemigrations", "teams", "--name", "membership_per_season")
story.manage("migrate", "teams", "--fake")

story.step("""The symptom: ann's 2024 membership - allowed by the models - fails with
              UNIQUE constraint failed: teams_membership.team_id, teams_membership.person.""")
story.shell("""
    from django.db import IntegrityError
    from teams.models import Membership
    try:
        Membership.objects.create(team_id=1, person="ann", season=2024)
    except IntegrityError as exc:
        print(f"second season: IntegrityError: {exc}")
""")
story.done()
