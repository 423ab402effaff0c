"""Group commit: many sessions' answers made durable by one commit.

A durable commit costs an fsync (about a millisecond on a good SSD, ten or
more on a busy disk), and SQLite takes one writer at a time. With 20
annotators sending batches at once, committing each batch alone makes them
queue behind each other's fsyncs. Here one writer thread takes every batch
waiting, stores them all in one transaction and commits once; each request
returns only after the commit that holds its batch. If that shared
transaction fails, each batch is retried alone, so one bad batch can't take
the others down with it.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Deque, List, Optional, Sequence

from sqlalchemy.exc import DBAPIError

from ..db import Database
from ..tasks import Task
from .sessions import StorageUnavailable

logger = logging.getLogger(__name__)

ATTEMPTS = 3
MAX_GROUP = 64
SERVER_DB_WRITERS = 4


@dataclass
class _Pending:
    records: List[Task]
    datasets: Sequence[str]
    done: threading.Event = field(default_factory=threading.Event)
    saved: int = 0
    error: Optional[BaseException] = None


class GroupWriter:
    """Store batches of answers through writer threads, committing groups at once."""

    def __init__(self, db: Database, *, max_group: int = MAX_GROUP, threads: Optional[int] = None) -> None:
        self.db = db
        self.max_group = max_group
        # SQLite has one writer at a time; a server database overlaps transactions' round trips
        self.n_threads = threads if threads is not None else (1 if db.backend == "sqlite" else SERVER_DB_WRITERS)
        self._queue: Deque[_Pending] = deque()
        self._cond = threading.Condition()
        self._threads: List[threading.Thread] = []
        self._stopping = False

    def write(self, records: List[Task], datasets: Sequence[str]) -> int:
        """Store ``records`` in ``datasets``; return once durable, with the count newly stored.

        Raises StorageUnavailable when the database keeps failing, or the
        error the database layer raised for this batch (DatasetNotFound, ...).
        """
        pending = _Pending(records, datasets)
        with self._cond:
            if self._stopping:
                raise StorageUnavailable("The server is shutting down: send the answers again once it is back")
            if not self._threads:
                for index in range(self.n_threads):
                    thread = threading.Thread(target=self._run, name=f"mentor-writer-{index}", daemon=True)
                    thread.start()
                    self._threads.append(thread)
            self._queue.append(pending)
            self._cond.notify()
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        return pending.saved

    def close(self) -> None:
        """Finish the batches already queued, then stop the writer thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue and self._stopping:
                    return
                group = [self._queue.popleft() for _ in range(min(len(self._queue), self.max_group))]
            self._commit(group)

    def _commit(self, group: List[_Pending]) -> None:
        if len(group) > 1:
            try:
                with self.db.transaction() as conn:
                    counts = [self.db.add_examples(p.records, p.datasets, conn=conn) for p in group]
            except Exception as err:  # noqa: BLE001 - any failure: fall back to one batch at a time
                logger.warning("Group commit of %d batches failed (%s); storing them one by one", len(group), err)
            else:
                for pending, saved in zip(group, counts):
                    pending.saved = saved
                    pending.done.set()
                return
        for pending in group:
            try:
                pending.saved = self._store_alone(pending)
            except BaseException as err:  # handed to the waiting request, which raises it
                pending.error = err
            finally:
                pending.done.set()

    def _store_alone(self, pending: _Pending) -> int:
        for attempt in range(ATTEMPTS):
            try:
                return self.db.add_examples(pending.records, pending.datasets)
            except DBAPIError as err:
                # a dropped connection (PostgreSQL restarted) or a race with another process:
                # the next attempt reconnects (pre-ping) and skips what was stored
                logger.warning("Storing answers failed (attempt %d): %s", attempt + 1, err)
                if attempt + 1 < ATTEMPTS:
                    time.sleep(0.25 * (attempt + 1))
        raise StorageUnavailable(
            f"Can't store the answers in {self.db.location} right now: they are kept in the browser, retry soon"
        )
