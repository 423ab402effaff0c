"""``prodigy.components.sorters``: ``(score, task)`` pairs in, questions out.

``prefer_uncertain``/``prefer_high_scores``/``prefer_low_scores`` are mentor's
pool sorters, which serve the best question first and drop none (Prodigy's
EMA sorters drop about half; ``algorithm`` is accepted and not used).
``Probability`` keeps Prodigy's meaning: each task is served with the
probability of its score, the others dropped.
"""
from __future__ import annotations

import random
from typing import Any, Iterable, Iterator, Optional, Tuple

from mentor.sorters import prefer_high_scores as _prefer_high_scores
from mentor.sorters import prefer_low_scores as _prefer_low_scores
from mentor.sorters import prefer_uncertain as _prefer_uncertain
from mentor.tasks import Task

__all__ = ["prefer_uncertain", "prefer_high_scores", "prefer_low_scores", "Probability"]

Scored = Iterable[Tuple[float, Task]]


def prefer_uncertain(stream: Scored, bias: float = 0.0, algorithm: str = "ema", **_ignored: Any) -> Iterator[Task]:
    """Questions scored nearest ``0.5 + bias`` first."""
    return _prefer_uncertain(stream, bias=bias)


def prefer_high_scores(stream: Scored, algorithm: str = "ema", **_ignored: Any) -> Iterator[Task]:
    """Questions with the highest score first."""
    return _prefer_high_scores(stream)


def prefer_low_scores(stream: Scored, algorithm: str = "ema", **_ignored: Any) -> Iterator[Task]:
    """Questions with the lowest score first."""
    return _prefer_low_scores(stream)


def Probability(stream: Scored, seed: Optional[int] = None) -> Iterator[Task]:  # noqa: N802 - Prodigy's name
    """Serve each task with probability equal to its score (clipped to [0, 1])."""
    rng = random.Random(seed)
    for score, task in stream:
        if rng.random() < min(max(float(score), 0.0), 1.0):
            yield task
