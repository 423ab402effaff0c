from __future__ import annotations

from mentor.cli.commands.train_curve import DOWN, MORE_DATA_FLAT, MORE_DATA_HELPS, UP, advice, marker
from mentor.training.curve import fractions


def test_curve_fractions():
    assert fractions(4) == [0.25, 0.5, 0.75, 1.0]
    assert fractions(1) == [1.0]


def test_curve_markers_and_advice():
    assert marker(0.5, 0.4) == UP
    assert marker(0.3, 0.4) == DOWN
    assert marker(0.4, 0.4) == "" and marker(0.4, None) == ""
    assert advice([0.2, 0.3, 0.5]) == MORE_DATA_HELPS
    assert advice([0.2, 0.5, 0.5]) == MORE_DATA_FLAT
