"""A lazy, re-iterable stream of tasks that knows (or can count) its length."""
from __future__ import annotations

from typing import Any, Callable, Iterator, List, Optional

from ..errors import InvalidLine
from ..tasks import Task
from .skips import SkipReport

TaskIterator = Iterator[Task]


class Stream:
    """Tasks from a source, produced lazily each time the stream is iterated.

    Sources run to millions of lines, so nothing is read until iteration, and
    ``total`` is only counted when someone asks (a fast byte scan for files).
    ``apply`` chains transforms without losing the length, which the progress
    bar needs; pass ``keep_total=False`` for transforms that change the count.
    """

    def __init__(
        self,
        factory: Callable[[], TaskIterator],
        *,
        source: Optional[str] = None,
        count: Optional[Callable[[], Optional[int]]] = None,
        skips: Optional[SkipReport] = None,
        validate: Optional[Callable[[], None]] = None,
    ) -> None:
        self._factory = factory
        self._validate = validate
        self._count = count
        self._total: Optional[int] = None
        self._counted = False
        self.source = source
        self._skips = skips

    @property
    def skipped(self) -> int:
        """Invalid lines skipped on the last read of the source (streams made by ``apply`` report their source's)."""
        return self._skips.count if self._skips is not None else 0

    @property
    def errors(self) -> List[InvalidLine]:
        """The first errors of the skipped lines, for a caller to report."""
        return self._skips.errors if self._skips is not None else []

    def __iter__(self) -> TaskIterator:
        return self._factory()

    def validate(self) -> None:
        """Read the whole source once and raise InvalidSource if any line is bad.

        For ``strict_sources``: a recipe that must not serve a partial source
        stops at start, before an annotator sees a task. A source that can only
        be read once (stdin) has no validator and passes.
        """
        if self._validate is not None:
            self._validate()

    @property
    def total(self) -> Optional[int]:
        """Number of tasks, or None when it can't be known without reading (stdin)."""
        if not self._counted:
            self._total = self._count() if self._count is not None else None
            self._counted = True
        return self._total

    def apply(
        self, func: Callable[..., TaskIterator], *args: Any, keep_total: bool = True, **kwargs: Any
    ) -> "Stream":
        """Return a new stream over ``func(iter(self), *args, **kwargs)``."""
        parent = self

        def factory() -> TaskIterator:
            return func(iter(parent), *args, **kwargs)

        count = (lambda: parent.total) if keep_total else None
        return Stream(factory, source=self.source, count=count, skips=self._skips, validate=self._validate)

    def __repr__(self) -> str:
        return f"<Stream source={self.source!r}>"
