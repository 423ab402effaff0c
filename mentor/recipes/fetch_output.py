"""The JSONL file a ``*.llm.fetch`` run writes: resumable, and never left with half a line.

Fetching thousands of texts from an LLM takes hours and gets interrupted. A
rerun reads the file first and skips every text (by input hash) already in
it. Each batch is appended as whole lines in one write, fsynced, with SIGINT
and SIGTERM held back for the moment of the write, so Ctrl-C lands between
lines; should a line still be cut short (the process killed, the disk full),
the next run drops the cut-off tail with a warning before appending.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Set

import srsly

from ..errors import InvalidFetchOutput
from ..tasks import Task

__all__ = ["FetchOutput"]

logger = logging.getLogger(__name__)

HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held() -> Iterator[None]:
    """Delay SIGINT/SIGTERM until the block ends (main thread only; elsewhere there's nothing to hold)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class FetchOutput:
    """An output JSONL file: the input hashes it holds, and whole-line appends."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.done: Set[int] = set()
        self.repaired = 0
        if self.path.exists():
            self._repair_tail()
            self._read()

    def _repair_tail(self) -> None:
        """Cut a last line that has no newline: a write that was interrupted."""
        size = self.path.stat().st_size
        if not size:
            return
        with open(self.path, "rb+") as file:
            file.seek(max(0, size - 1))
            if file.read(1) == b"\n":
                return
            position = size
            while position > 0:
                step = min(65536, position)
                file.seek(position - step)
                block = file.read(step)
                cut = block.rfind(b"\n")
                if cut >= 0:
                    position = position - step + cut + 1
                    break
                position -= step
            file.truncate(position)
            self.repaired = size - position
        logger.warning("%s: dropped an unfinished last line (%d bytes) left by an interrupted run",
                       self.path, self.repaired)

    def _read(self) -> None:
        with open(self.path, encoding="utf8") as file:
            for number, line in enumerate(file, 1):
                if not line.strip():
                    continue
                try:
                    task = srsly.json_loads(line)
                except ValueError as err:
                    raise InvalidFetchOutput(self.path, number, f"not valid JSON ({err}); nothing was appended") from None
                key = task.get("_input_hash") if isinstance(task, dict) else None
                if not isinstance(key, int):
                    raise InvalidFetchOutput(self.path, number, "no '_input_hash': not a line a fetch wrote; "
                                             "nothing was appended (give another output file)")
                self.done.add(key)

    def append(self, tasks: List[Task]) -> None:
        """Append whole lines, durably, as one write."""
        if not tasks:
            return
        data = "".join(srsly.json_dumps(task) + "\n" for task in tasks).encode("utf8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _signals_held():
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
        self.done.update(task["_input_hash"] for task in tasks)
