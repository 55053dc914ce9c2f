"""Settings that load under the old Django that made the database and under today's Django.

Written in the style of the old `startproject` (os.path, no DEFAULT_AUTO_FIELD default):
the project is the same before and after the user upgraded Django.
"""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "sample-project-not-secret"
DEBUG = True
ALLOWED_HOSTS = []
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "library",
]
MIDDLEWARE = []
ROOT_URLCONF = "legacyproject.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
# The old releases made integer AutoField keys; say so, so that today's Django agrees (and does
# not warn, models.W042). Releases before 3.2 ignore this setting.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
