"""``python manage.py driftaudit report|propose|verify|explain-delete ...``.

The command hands its arguments to the same parser as the ``driftaudit`` executable, so the
options, output and exit codes are identical; Django is already set up by manage.py. It skips
Django's system checks and never opens a Django connection to the audited database.
"""

import sys

from django.core.management.base import BaseCommand

from driftaudit.cli import main


class Command(BaseCommand):
    help = "Audit models, migration history and the SQLite database for drift (see 'driftaudit --help')."

    def run_from_argv(self, argv):
        args = list(argv[2:])
        # manage.py has already applied --settings/--pythonpath; drop them for our parser.
        cleaned, skip = [], False
        for arg in args:
            if skip:
                skip = False
                continue
            if arg in ("--pythonpath",):
                skip = True
                continue
            if arg.startswith("--pythonpath="):
                continue
            cleaned.append(arg)
        sys.exit(main(cleaned, prog="manage.py driftaudit"))

    def handle(self, *args, **options):  # pragma: no cover - call_command path
        sys.exit(main(list(args), prog="manage.py driftaudit"))
