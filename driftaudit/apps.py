"""driftaudit is also a Django app: add it to INSTALLED_APPS for ``manage.py driftaudit``."""

from django.apps import AppConfig


class DriftauditConfig(AppConfig):
    name = "driftaudit"
    verbose_name = "driftaudit"
    default_auto_field = "django.db.models.AutoField"
