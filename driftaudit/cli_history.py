"""The commands that change the migration history or the models, not the database's data:
``record`` and ``stamp`` (django_migrations records, only with ``--apply`` after a backup),
``restore`` (a deleted migration file) and ``adopt`` (the models brought to the database's way).
Parsing stays in :mod:`driftaudit.cli`; each handler gets the parsed arguments and the
selection as the API's keywords."""

from __future__ import annotations

import sys

from driftaudit.errors import AuditError


def record(args, selection: dict) -> int:
    """Exit 0: recorded (``--apply``) or listed what would be."""

    from driftaudit import api

    recording = api.record(args.migrations, **selection, apply=args.apply)
    if recording.missing:
        print(f"partly in the database: {', '.join(recording.missing)} not there yet; "
              "`driftaudit propose` (after the record) writes the repair that creates them")
    return _recorded(recording.migrations, recording.applied, recording.backup,
                     ["driftaudit", "record", *args.migrations], selection)


def stamp(args, selection: dict) -> int:
    """Exit 0 recorded or listed; 1 refused for an app (nothing written)."""

    from driftaudit import api

    stamping = api.stamp(**selection, apply=args.apply)
    for app, why in stamping.refused:
        print(f"not recorded: app '{app}': {why}")
    if stamping.refused:
        print("nothing was written: the database does not match these migrations; `driftaudit report` "
              "says what differs")
        return 1
    if not stamping.records:
        print("nothing to record: every migration whose work the database has is recorded")
        return 0
    return _recorded(stamping.records, stamping.applied, stamping.backup, ["driftaudit", "stamp"], selection)


def _recorded(keys, applied: bool, backup, command: list[str], selection: dict) -> int:
    """What ``record`` and ``stamp`` wrote, or would write and the command that writes it."""
    import shlex

    from driftaudit.sources.history import migration_label
    from driftaudit.sources.project import Selection

    names = ", ".join(migration_label(k) for k in keys)
    if applied:
        print(f"recorded as applied (not run): {names}")
        print(f"backup of the database before: {backup}")
        return 0
    print(f"would record as applied (not run): {names}")
    again = Selection(**{k: v for k, v in selection.items() if k != "project"})
    print(f"to write them (a backup copy is taken first): {shlex.join([*command, *again.argv(), '--apply'])}")
    return 0


def adopt(args, selection: dict) -> int:
    """Exit 0 written, printed (--dry-run) or nothing matched --all-of; 1 nothing written: a
    finding cannot be adopted, or the model source must be changed by hand (the migration is
    still printed)."""
    from driftaudit import api
    from driftaudit.report.adopt_text import render_adoption

    if not args.targets and not args.all_of:
        raise AuditError("name what to adopt: a finding id (F3), TABLE, TABLE.COLUMN or --all-of KIND "
                         "(see 'driftaudit adopt --help')")
    adoption = api.adopt(args.targets, **selection, all_of=args.all_of, reason=args.reason)
    written = adoption.write() if adoption.ok and adoption.changes and not args.dry_run else []
    out, err = render_adoption(adoption, args.all_of, args.dry_run, written)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return 0 if adoption.ok else 1


def restore(args, selection: dict) -> int:
    from driftaudit import api

    restored = api.restore(args.migration, **selection, write=not args.dry_run)
    if not restored.written:
        print(f"# {restored.path} ({restored.source}; dry run: not written)\n{restored.text}")
        return 0
    print(f"wrote {restored.path} ({restored.source})")
    print("next: `driftaudit report` compares the database with the models again; `driftaudit propose` "
          "writes what is still needed.")
    return 0
