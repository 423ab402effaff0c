"""Skip a source's bad lines and say so: the first few one a line, the rest as a count.

A recipe keeps serving the valid tasks around a bad line, so the person who
started it needs to hear which lines were left out; a file with thousands of
bad lines should not bury the terminal, hence the cap and the closing count.
"""
from __future__ import annotations

import logging
from typing import List

from ..errors import InvalidLine, TruncatedSource

logger = logging.getLogger(__name__)

SHOWN = 5  # lines warned about one by one
KEPT = 20  # errors kept for callers to report


class SkipReport:
    """An ``on_invalid`` handler that counts and logs the lines a stream skips."""

    def __init__(self, source: str, *, warn: bool = True) -> None:
        self.source = source
        self.warn = warn
        self.count = 0
        self.errors: List[InvalidLine] = []

    def __call__(self, error: InvalidLine) -> None:
        self.count += 1
        if len(self.errors) < KEPT:
            self.errors.append(error)
        if self.warn and self.count <= SHOWN:
            if isinstance(error, TruncatedSource):
                logger.warning("%s; kept the tasks before it", error)
            else:
                logger.warning("%s; skipped it", error)

    def reset(self) -> None:
        """Start counting again: the stream is being read from the top."""
        self.count = 0
        self.errors.clear()

    def finish(self) -> None:
        """Log the total once the source is read, when more lines were skipped than shown."""
        if self.warn and self.count > SHOWN:
            logger.warning(
                "%s: skipped %d invalid lines in all (the first %d are above)", self.source, self.count, SHOWN
            )
