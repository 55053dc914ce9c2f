"""What ``driftaudit adopt`` prints: the changes, the files written or the diff, and why
nothing was written when a finding cannot be adopted or a model must be changed by hand."""

from __future__ import annotations


def render_adoption(adoption, all_of: list[str], dry_run: bool, written: list) -> tuple[str, str]:
    """``(stdout, stderr)`` of one ``adopt`` run."""
    if adoption.refusals:
        return "", "".join(f"driftaudit: {line}\n" for line in adoption.refusals) + \
            "driftaudit: nothing was written\n"
    if not adoption.changes:
        return f"nothing to adopt: the report has no {' or '.join(all_of)} finding\n", ""
    out = [f"adopt {c.finding.id} ({c.finding.kind} {c.finding.subject}): {c.model._meta.label} {c.summary}\n"
           for c in adoption.changes]
    if adoption.by_hand:
        for path, text in adoption.migrations.items():
            out.append(f"# {adoption.shown(path)} (not written: write it once the model says the same)\n{text}")
        return "".join(out), "".join(f"driftaudit: {line}\n" for line in adoption.by_hand) + \
            "driftaudit: nothing was written\n"
    if dry_run:
        return "".join(out) + adoption.diff() + "(dry run: nothing written)\n", ""
    out += [f"wrote {adoption.shown(path)}\n" for path in written]
    if adoption.migrations:
        out.append("next: `python manage.py migrate` records the adopt migration (it runs no SQL), then "
                   "`driftaudit report` no longer has these findings\n")
    else:
        out.append("next: `driftaudit report` no longer has these findings (the migration files already "
                   "said so)\n")
    return "".join(out), ""
