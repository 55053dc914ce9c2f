"""The fixed-seed slice of generated cases that ``make test`` runs (``make fuzz`` runs many more).

Each seed draws a project and a history, builds them with real commands and checks the four
invariants (see ``generator/invariants.py``). A seed listed in ``KNOWN`` still breaks a
promise for the reason given: it is expected to fail (strictly - it must be removed from the
list once the defect is fixed).
"""

from __future__ import annotations

import pytest

from generator.fuzz import run_case

SLICE = range(1, 13)
#: seeds ``make fuzz`` found failing whose scripted case (test_regressions.py) did not reproduce
#: the defect - the drawn rows matter: 6008 (a join table orphaned through both keys, over two
#: rounds: each key's quarantine count depended on which statement ran first); 12801 (an
#: unapplied db_table of the model an explicit through model points at, among other drift: the
#: key's new target was called pending-model-change; a scripted copy of the story alone held).
#: A change to the generator's drawing changes what a seed draws: re-find such seeds then.
FOUND = (6008, 12801)
#: seed -> the open defect it shows (issue 13/14)
KNOWN: dict[int, str] = {}


@pytest.mark.parametrize("seed", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=KNOWN[s])) if s in KNOWN else s
    for s in (*SLICE, *FOUND)
])
def test_generated_case_keeps_every_promise(seed):
    result = run_case(seed)
    assert result.classes != ("unplayable",), result.failures
    assert not result.failures, f"{result.description}\n" + "\n".join(result.failures)
