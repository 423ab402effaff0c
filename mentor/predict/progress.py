"""A progress bar on stderr with count, rate and time left, for runs over large sources."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Optional

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items a second, over rich's recent window (texts/s for predict, answers/s for model-annotate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


@contextmanager
def progress_bar(label: str, total: Optional[int], *, done: int = 0) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; ``done`` items count as finished before the first (a resumed run's)."""
    columns = (
        TextColumn(label), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(), TimeRemainingColumn()
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total, completed=done)
        yield lambda n: bar.advance(task, n)
