"""What the controller and the sorters need from a model in the loop.

A recipe composes a model, maybe a pattern matcher, and a sorter; none of them
knows the concrete class of the others. These protocols are the contract:
anything with ``__call__`` and ``update`` can sit in a teach loop, and anything
that can also ``score_tasks`` lets the sorter re-score its pool after an update.
"""
from __future__ import annotations

from typing import Iterable, Iterator, List, Optional, Protocol, Sequence, Tuple, runtime_checkable

from ..tasks import Task

ScoredTask = Tuple[float, Task]


@runtime_checkable
class ScoringModel(Protocol):
    """A model that turns input tasks into scored questions and learns from answers."""

    def __call__(self, stream: Iterable[Task]) -> Iterator[ScoredTask]:
        """Yield ``(score, question)`` pairs, lazily; one input may give several questions."""
        ...

    def update(self, answers: List[Task]) -> Optional[float]:
        """Learn from a batch of answers; return the loss, or None if nothing was learnt."""
        ...


@runtime_checkable
class RescoringModel(ScoringModel, Protocol):
    """A model that can also score questions it produced earlier, after it changed."""

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """Return the current score of each question, in order."""
        ...
