#!/usr/bin/env python
"""A clean project of popular third-party apps from PyPI: django-allauth and django-axes.

Their migrations were written over a decade by other people with many Django releases
(AlterField with db_index, RemoveField, unique_together, conditional UniqueConstraints, an
expression index added and later removed, RunPython data fixes). The database is made by a
plain `migrate` and used through the apps' own APIs; driftaudit must report no finding.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _story import Story  # noqa: E402

story = Story(Path(__file__).parent, __doc__)
story.reset()
story.step("The developer installs django-allauth and django-axes and migrates.")
story.manage("migrate")
story.step("Users sign up with e-mail addresses; a failed login is recorded by axes.")
story.shell("""
    from django.contrib.auth.models import User
    from allauth.account.models import EmailAddress
    from axes.models import AccessAttempt, AccessLog
    ann = User.objects.create_user("ann", "ann@example.com")
    EmailAddress.objects.create(user=ann, email="ann@example.com", primary=True, verified=True)
    EmailAddress.objects.create(user=ann, email="ann@work.example.com")
    AccessAttempt.objects.create(username="bob", ip_address="10.0.0.1", user_agent="curl",
                                 get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(username="ann", ip_address="10.0.0.2", user_agent="firefox")
""")
story.done()
