"""How far along the annotation is, from whatever is known.

In order of preference: the recipe's own ``progress`` function; the loss that
``update`` returns, extrapolated to zero with a least-squares line (as Prodigy
estimates model-in-the-loop progress); answered / total when the stream knows
its length. Only when none of these is known is the progress None (∞).
While the loss line still lacks its second point, :meth:`LossTracker.answers_needed`
says how many more answers it waits for, so the app can say "estimate after N
answers" instead of a bare ∞ for the first batches of a teach session.
"""
from __future__ import annotations

from typing import List, Literal, Optional, Tuple

ProgressKind = Literal["answered", "loss", "recipe"]

LOSS_WINDOW = 50
# a line needs two points: the loss after two updates
MIN_LOSSES = 2


class LossTracker:
    """Losses returned by ``update``, against the number of answers seen when each came."""

    def __init__(self, window: int = LOSS_WINDOW) -> None:
        self.window = window
        self.points: List[Tuple[float, float]] = []
        self._last_estimate: Optional[float] = None
        self.silent = False  # an update returned no loss (and none has yet): its progress may never come

    def add(self, answers_seen: int, loss: object) -> None:
        if isinstance(loss, bool) or not isinstance(loss, (int, float)):
            self.silent = True
            return
        self.points.append((float(answers_seen), float(loss)))
        if len(self.points) > self.window:
            del self.points[: len(self.points) - self.window]

    def estimate(self) -> Optional[float]:
        """Answers seen / answers at which the fitted loss line reaches zero, in [0, 1].

        None until two losses are known; while the loss does not fall, the last
        estimate is kept rather than jumping back.
        """
        if len(self.points) < MIN_LOSSES:
            return self._last_estimate
        n = len(self.points)
        mean_x = sum(x for x, _ in self.points) / n
        mean_y = sum(y for _, y in self.points) / n
        var_x = sum((x - mean_x) ** 2 for x, _ in self.points)
        if var_x == 0:
            return self._last_estimate
        slope = sum((x - mean_x) * (y - mean_y) for x, y in self.points) / var_x
        intercept = mean_y - slope * mean_x
        current = self.points[-1][0]
        if intercept <= 0:
            self._last_estimate = 1.0
        elif slope < 0:
            at_zero = -intercept / slope
            self._last_estimate = min(1.0, max(0.0, current / at_zero)) if at_zero > 0 else 1.0
        return self._last_estimate

    def answers_needed(self, batch_size: int) -> Optional[int]:
        """Answers still to arrive before the first estimate (one update per batch), or None.

        None when there is no wait to announce: the line already has its points
        (a loss that does not fall is unknown progress, not a wait), or the
        recipe's updates return no loss at all.
        """
        if (self.silent and not self.points) or len(self.points) >= MIN_LOSSES:
            return None
        return (MIN_LOSSES - len(self.points)) * max(1, batch_size)


def answered_fraction(done: int, total: Optional[int]) -> Optional[float]:
    if not total:
        return None
    return min(1.0, max(0.0, done / total))
