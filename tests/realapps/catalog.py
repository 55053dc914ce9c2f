"""The reusable apps from PyPI that driftaudit is proven on, pinned in pyproject's ``realapps`` extra.

Each entry says what a project needs to install the package (its ``INSTALLED_APPS`` and the
settings its system checks ask for) and which of its app labels own migrations. Nothing here
says what driftaudit should find: the tests derive that from the packages' own migrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RealApp:
    """One PyPI package as a project installs it."""

    name: str                       # the PyPI name, for messages and test ids
    installed: tuple[str, ...]      # INSTALLED_APPS entries, dependencies first
    labels: tuple[str, ...]         # app labels whose migrations the package ships
    middleware: tuple[str, ...] = ()
    settings: dict = field(default_factory=dict)
    why: str = ""                   # what this package brings that the others do not
    #: the release a project ran before upgrading (its migrations applied for real, the new
    #: ones then recorded with ``migrate --fake``), and its INSTALLED_APPS when they differ
    older: str = ""
    older_installed: tuple[str, ...] | None = None
    #: the Django series the older release needs, when the current one cannot run it: its
    #: database is then built once by ``build_older_db.py`` and committed in ``databases/``
    older_django: str = ""

    @property
    def package(self) -> str:
        return self.name

    def installed_for(self, older: bool) -> tuple[str, ...]:
        return self.older_installed if older and self.older_installed is not None else self.installed


CONTRIB = ("django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
           "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.admin")

APPS = (
    RealApp("django-allauth", ("django.contrib.sites", "allauth", "allauth.account", "allauth.socialaccount",
                               "allauth.usersessions"),
            ("account", "socialaccount", "usersessions"),
            middleware=("allauth.account.middleware.AccountMiddleware",), settings={"SITE_ID": 1},
            why="an index on an expression (UPPER(email)) added then removed, conditional unique",
            older="0.57.2", older_installed=("django.contrib.sites", "allauth", "allauth.account", "allauth.socialaccount")),
    RealApp("django-axes", ("axes",), ("axes",), middleware=("axes.middleware.AxesMiddleware",),
            settings={"AUTHENTICATION_BACKENDS": ["axes.backends.AxesStandaloneBackend",
                                                  "django.contrib.auth.backends.ModelBackend"]},
            why="ten migrations of added columns and indexes",
            older="6.5.2"),
    RealApp("django-taggit", ("taggit",), ("taggit",),
            why="RenameIndex (4 -> 6), generic keys, unique_together turned into a constraint",
            older="4.0.0", older_django="4.2"),
    RealApp("djangorestframework", ("rest_framework", "rest_framework.authtoken"), ("authtoken",),
            why="a custom primary key: Token.key is a CharField primary key; a proxy model",
            older="3.15.2"),
    RealApp("django-oauth-toolkit", ("oauth2_provider",), ("oauth2_provider",),
            why="swappable models, one-to-one keys between its own tables, nullable keys made later",
            older="2.4.0"),
    RealApp("django-reversion", ("reversion",), ("reversion",),
            why="keys to contenttypes and users, a unique_together over three columns",
            older="5.0.12"),
    RealApp("django-guardian", ("guardian",), ("guardian",),
            settings={"AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend",
                                                  "guardian.backends.ObjectPermissionBackend"]},
            why="generic object permissions, indexes added in later releases",
            older="2.4.0"),
    RealApp("django-celery-beat", ("django_celery_beat",), ("django_celery_beat",),
            why="twenty migrations, choices and defaults changed often, one-to-one schedules",
            older="2.5.0"),
    RealApp("django-otp", ("django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static",
                           "django_otp.plugins.otp_hotp", "django_otp.plugins.otp_email"),
            ("otp_totp", "otp_static", "otp_hotp", "otp_email"),
            why="four apps with the same abstract device base, throttling columns added later",
            older="1.3.0"),
    RealApp("wagtail", ("wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.embeds", "wagtail.sites",
                        "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images",
                        "wagtail.search", "wagtail.admin", "wagtail", "modelcluster", "taggit"),
            ("wagtailcore", "wagtailimages", "wagtaildocs", "wagtailsearch", "wagtailredirects",
             "wagtailforms", "wagtailembeds", "wagtailusers", "wagtailadmin"),
            middleware=("wagtail.contrib.redirects.middleware.RedirectMiddleware",),
            settings={"WAGTAIL_SITE_NAME": "realapps", "WAGTAILADMIN_BASE_URL": "http://localhost"},
            why="RunSQL: an FTS5 virtual table and triggers (wagtailsearch), treebeard paths, 100+ migrations",
            older="7.0.3"),
)
