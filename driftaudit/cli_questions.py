"""``propose`` on a terminal asks what to do with the rows a repair cannot keep.

Like ``makemigrations``' questioner: only when both standard input and output are a terminal,
never with ``--no-input`` or a ``--on-…`` option, and the answer that is already in force
(``driftaudit.yaml``'s ``fix:``, else quarantine) is the default an empty line keeps. One
question per kind of row (orphans, duplicates, NULLs, CHECK violations) that the plan moves;
the proposal is planned again only when an answer changes a policy.
"""

from __future__ import annotations

import sys

#: the RowFix kind's first word -> the fix policy that decides it
POLICY_OF_KIND = {"orphans": "orphans", "duplicates": "duplicates", "nulls": "nulls", "checks": "check_violations"}


def interactive(args) -> bool:
    """Ask? A terminal on both ends, and the user has not already answered on the command line."""
    answered = any(getattr(args, f"on_{key}", None) for key in POLICY_OF_KIND.values())
    return not (args.no_input or answered or args.dry_run or args.sql or args.format != "text") \
        and sys.stdin.isatty() and sys.stdout.isatty()


def _ask(prompt: str) -> str:
    """One answer from the terminal. (``input()`` would write the prompt to stderr when the
    readline module is not loaded: CPython's own line reader does.)"""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


def ask_policies(plan, ask=_ask) -> dict:
    """``{policy: choice}`` for the answers that differ from the plan's; ``ask`` reads a line."""
    from driftaudit.config.options import FIX_POLICIES
    from driftaudit.repair.wording import say

    moved: dict[str, list] = {}
    for repair in plan.repairs:
        for fix in repair.row_fixes:
            kind, _, current = fix.kind.partition("-")
            if kind in POLICY_OF_KIND:
                moved.setdefault(kind, []).append((fix, current))
    changed = {}
    for kind, fixes in moved.items():
        policy = POLICY_OF_KIND[kind]
        current = fixes[0][1]
        choices = FIX_POLICIES[policy]
        tables = ", ".join(dict.fromkeys(f.table for f, _ in fixes))
        prompt = say("question", kind, count=sum(f.count for f, _ in fixes), tables=tables,
                     choices=" / ".join(f"[{c}]" if c == current else c for c in choices))
        while True:
            try:
                answer = ask(prompt + " ").strip().lower()
            except EOFError:
                answer = ""
            if not answer or answer == current:
                break
            matches = [c for c in choices if c.startswith(answer)]
            if len(matches) == 1:
                changed[policy] = matches[0]
                break
            print(say("question", "again", choices=", ".join(choices)))
    return changed
