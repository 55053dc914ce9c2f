"""What stops a proposal, on its own: ``report``'s next steps list the history problems too,
and should not load the whole plan (:mod:`driftaudit.repair.plan`) to say them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Something the repair cannot do safely: the proposal stops and says what to do.

    ``kind`` "policy": a fix policy forbids it (change the policy or the rows); "history": Django
    cannot run any migration on this history until a step outside a migration is done.
    """

    table: str
    text: str
    kind: str = "policy"
    #: the command that does the step, when one does (``driftaudit record ... --apply``)
    argv: tuple[str, ...] = ()
