"""What ``driftaudit --help`` and ``driftaudit COMMAND --help`` say beyond the options: what
the command is for, examples to copy, and its exit codes. Kept apart from :mod:`driftaudit.cli`
so the parser stays readable; every example here is a command that works as printed."""

from __future__ import annotations

AUDIT_EXIT = """\
exit codes:
  0  no finding at or above --fail-on (default: the config's fail_on, else warning)
  1  findings at or above --fail-on
  2  the audit could not run (usage, settings, missing/corrupt/locked database, bad config):
     one line on stderr, the traceback only with --traceback"""

MAIN = """\
Migration-aware schema drift auditor for Django projects on SQLite: it compares the models,
the migration history (files and django_migrations) and the real database, and explains every
mismatch - which source disagrees, what most likely caused it, what it breaks, what to do.
It only ever reads the database. Run it in the folder with manage.py, or give --project."""

MAIN_EPILOG = """\
examples:
  driftaudit report                      audit the project in this folder
  driftaudit report --verbose            the whole story of every finding
  driftaudit propose --dry-run           print the repair migration without writing it
  driftaudit verify                      try the repair on a copy of the database
  driftaudit adopt F3 --dry-run          keep the database's way for finding F3 instead
  driftaudit rules DA101                 what a rule detects, breaks and fixes
  driftaudit init                        write a starter driftaudit.yaml
  python manage.py driftaudit report     the same, with "driftaudit" in INSTALLED_APPS

exit codes (every command; COMMAND --help says what 1 means there):
  0  clean, or done
  1  findings at or above --fail-on (report), the delete would fail (explain-delete),
     nothing written (propose, adopt), the repaired copy is not clean (verify)
  2  could not run: usage, settings, database or config (one line on stderr)

docs: README.md (options, driftaudit.yaml, formats), docs/rules/DAxxx.md (one page per rule)"""

REPORT = """\
Audit models, migration history and database, and explain every mismatch. The text report is
compact by default (one headline and one "to do" per finding, grouped by table, then a summary
table and the commands to run next); --verbose tells each finding's whole story. Colour only on
a terminal, never with NO_COLOR set; the width follows the terminal (COLUMNS, else 100 columns
when piped). Long row scans show a progress bar on stderr."""

REPORT_EPILOG = f"""\
examples:
  driftaudit report                                  compact text report
  driftaudit report --verbose                        what, why, what breaks, what to do
  driftaudit report --format json --output drift.json
  driftaudit report --format markdown                for a pull-request comment
  driftaudit report --format html --with-repair --output drift.html
  driftaudit report --db /backups/prod.sqlite3       audit a copy of production
  driftaudit report --no-data --fail-on error        schema only; fail CI on errors only
  NO_COLOR=1 driftaudit report | less                no colour (as when piped)
  driftaudit report --db 'backups/*.sqlite3'         several databases: each in brief, then the aggregate
  driftaudit report --db a.sqlite3 --db b.sqlite3 --format json
  driftaudit report --db 'tenants/**/*.sqlite3' --jobs 4 --format jsonl
  driftaudit report --db 'backups/*.sqlite3' --shard 2/4 --format json --output shard2.json
  driftaudit merge shard1.json shard2.json shard3.json shard4.json

several databases (a quoted glob, or --db repeated): the models and the history are rendered
once; each database is read and explained in a worker process (--jobs N, default: the cores).
--shard K/N audits a stable share of them (a CI matrix); `driftaudit merge` joins the shares'
JSON reports. The exit code is the worst database's: 2 if any could not be audited (its one
line is in the report; the others are still reported).

{AUDIT_EXIT}"""

PROPOSE = """\
Write the repair migration(s) the findings call for: one migration per affected app, into the
app's migrations package, then run `python manage.py migrate`. Stale tables and columns are
backed up first; orphan and duplicate rows follow the fix policies of driftaudit.yaml."""

PROPOSE_EPILOG = """\
examples:
  driftaudit propose --dry-run               print the migration(s), write nothing
  driftaudit propose                         write them; then: python manage.py migrate
  driftaudit propose --app core --name fix   put every step into app core's 00NN_fix.py
  driftaudit propose --db 'backups/*.sqlite3'  one repair for them all, or who needs what

With several databases (--db repeated, or a glob) the repair is written only when every
database needs exactly the same SQL; otherwise nothing is written and the databases are
listed by the repair each needs.

exit codes:
  0  written, or nothing to repair
  1  nothing written: a fix policy forbids the repair, or the history needs a step no
     migration can do first (both printed, with what to do), or several databases need
     different repairs (listed by repair)
  2  could not run (one line on stderr; with several databases: one could not be read)"""

VERIFY = """\
Apply what `propose` would write to a temporary copy of the project and database, run
migrate, makemigrations --check and a new audit there, and show rows per table before/after.
The real database and project are never touched."""

VERIFY_EPILOG = """\
examples:
  driftaudit verify
  driftaudit verify --db /backups/prod.sqlite3

exit codes:
  0  the copy migrates, audits clean and keeps every row it should
  1  it does not (what remains is printed), or the proposal cannot be made
  2  could not run (one line on stderr)"""

RECORD = """\
Record migrations as applied without running them (like `migrate --fake`, but exactly the
ones named, and refusing one whose tables or columns the database lacks). Without --apply it
only says what it would record."""

RECORD_EPILOG = """\
examples:
  driftaudit record appname.0002_exampletwo_rank            say what would be recorded
  driftaudit record appname.0002_exampletwo_rank --apply    record it (backup copy first)

exit codes:
  0  recorded, or listed what would be
  2  could not run: unknown migration, or one the database does not match (one line)"""

STAMP = """\
Record in django_migrations the migrations whose work the database already has (Flyway's
baseline, Alembic's stamp), deciding per migration from the tables and columns it makes: for a
database without django_migrations, or whose records were lost. Refuses (and writes nothing)
when the database does not match an app's history. Without --apply it only lists them."""

STAMP_EPILOG = """\
examples:
  driftaudit stamp            list the records it would write, and why not others
  driftaudit stamp --apply    write them (a backup copy of the database is taken first)

exit codes:
  0  recorded, listed, or nothing to record
  1  the database does not match an app's migrations: nothing written (each listed)
  2  could not run (one line on stderr)"""

RESTORE = """\
Write back a deleted migration file that other migrations depend on: git's last text of it;
else, for a migration recorded as applied, the operations the models and its neighbours say it
had (with a confidence: it never runs, it gives the history its state); else a stand-in
without operations, so that Django's loader works again."""

RESTORE_EPILOG = """\
examples:
  driftaudit restore appname.0002_add_rank --dry-run     print the file, write nothing
  driftaudit restore appname.0002_add_rank

exit codes:
  0  written (or printed)
  2  could not run (one line on stderr)"""

ADOPT = """\
Keep the database's way for drift kept on purpose - an index added by hand in production, a
column widened by hand, a NULL or DEFAULT changed: write the model change into the app's
models.py (Meta.indexes / Meta.constraints under the database's index name, or the field's
max_length / null / db_default) and a migration 00NN_driftaudit_adopt whose operations are
state only (SeparateDatabaseAndState, no database operation), so `python manage.py migrate`
records it without running SQL. Nothing is written unless every finding named can be adopted
and the adopted models, rendered by Django, match the database exactly.

TARGET is a finding id of the current report (F3), TABLE (all its schema findings) or
TABLE.COLUMN (those on that column, indexes over it included); --all-of KIND adds every
finding of a kind. Kept: index-extra, unique-extra, column-type (a varchar length),
column-null, column-default (a literal db_default). Anything else is refused with the reason."""

ADOPT_EPILOG = """\
examples:
  driftaudit adopt F3 --dry-run                  the diff of models.py and the migration
  driftaudit adopt shop_order.note               keep what the database has for this column
  driftaudit adopt --all-of index-extra --reason "tuned in production"

exit codes:
  0  written (or printed with --dry-run), or no finding of an --all-of kind
  1  nothing written: a finding cannot be adopted (one line each), or the model source must be
     changed by hand (where is printed, and the migration)
  2  could not run: a target names no finding, unknown kind, usage (one line on stderr)"""

EXPLAIN_DELETE = """\
Would Model.objects.get(pk=PK).delete() succeed on this database? Simulates Django's deletion
collector against the real keys, read-only, and names the rows that would stop it."""

EXPLAIN_DELETE_EPILOG = """\
examples:
  driftaudit explain-delete appname.ExampleOne 1
  driftaudit explain-delete library.Author 2 --format json

exit codes:
  0  the delete would succeed
  1  it would fail (the blocking rows and key are printed)
  2  it cannot be simulated (one line on stderr)"""

INIT = """\
Write a starter driftaudit.yaml next to manage.py, every option commented out with what it
does (select, ignore, severity, exclude, fail_on, data, fix policies, tables, accept)."""

INIT_EPILOG = """\
examples:
  driftaudit init
  driftaudit init --project path/to/project --force

exit codes:
  0  written
  2  a driftaudit.yaml already exists (use --force), or the folder cannot be written"""

MERGE = """\
Combine the JSON reports of `driftaudit report --db 'PATTERN' --shard K/N --format json`
(or single-database JSON reports) into the report one run over every database would write:
the databases in path order and the aggregate counted again over all of them."""

MERGE_EPILOG = """\
examples:
  driftaudit merge shard1.json shard2.json
  driftaudit merge shards/*.json --output fleet.json --fail-on error

exit codes:
  0  no finding at or above --fail-on (default: warning) in any database
  1  findings at or above --fail-on
  2  a database could not be audited, or an input is not a driftaudit JSON report, or two
     inputs hold the same database (one line on stderr)"""

RULES = """\
List the rule catalog (id, default severity, finding kind, title), or show one rule: what it
detects, what it breaks and what the repair does. Each rule also has a page in docs/rules/."""

RULES_EPILOG = """\
examples:
  driftaudit rules
  driftaudit rules DA101
  driftaudit rules stale-table

exit codes:
  0  shown
  2  unknown rule (one line on stderr)"""
