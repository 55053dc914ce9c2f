"""driftaudit is also a Django app: add it to INSTALLED_APPS for ``manage.py driftaudit`` and
for the drift check of ``manage.py check --database default`` (:mod:`driftaudit.checks`)."""

from django.apps import AppConfig


class DriftauditConfig(AppConfig):
    name = "driftaudit"
    verbose_name = "driftaudit"
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from driftaudit import checks  # noqa: F401 - registers the database-tagged drift check
