"""Fixtures for generated cases: a case is played in a temporary folder and checked."""

from __future__ import annotations

import pytest

from generator.fuzz import features
from generator.invariants import check
from generator.scenario import Scenario, play
from generator.workspace import Workspace


@pytest.fixture
def holds(tmp_path):
    """``holds(scenario)`` plays the scenario with real commands and returns the broken promises."""
    def run(scenario: Scenario) -> list[str]:
        ws = Workspace(tmp_path / "project", scenario.features)
        played = play(scenario, ws)
        return check(scenario.honest, ws, played)

    return run


@pytest.fixture
def django_features():
    return features()
