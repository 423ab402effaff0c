"""Group commit: many sessions' answers made durable by one commit.

A durable commit costs an fsync (about a millisecond on a good SSD, ten or
more on a busy disk), and SQLite takes one writer at a time. With 20
annotators sending batches at once, committing each batch alone makes them
queue behind each other's fsyncs. Here the request threads take turns as the
*leader*: a leader stores its own batch and every batch waiting behind it in
one transaction, commits once, and hands the lead to the next batch waiting.
Each request returns only after the commit that holds its batch. Alone, a
request commits its own batch straight away, with no thread hand-off.

If a shared transaction fails, each batch in it is retried alone, so one bad
batch can't take the others down with it. There is one leader at a time by
default (SQLite has one writer anyway, and on PostgreSQL one leader forming
bigger groups measured faster than two or four overlapping ones).
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
# measured on PostgreSQL: one leader forms bigger groups and beat 2 and 4 (fewer commits)
DEFAULT_LEADERS = 1


@dataclass
class _Pending:
    records: List[Task]
    datasets: Sequence[str]
    done: threading.Event = field(default_factory=threading.Event)
    lead: Optional[List["_Pending"]] = None  # set when this request is handed the lead, with its group
    saved: int = 0
    error: Optional[BaseException] = None


class GroupWriter:
    """Store batches of answers, committing the batches that wait together at once."""

    def __init__(self, db: Database, *, max_group: int = MAX_GROUP, leaders: Optional[int] = None) -> None:
        self.db = db
        self.max_group = max_group
        self.max_leaders = leaders if leaders is not None else DEFAULT_LEADERS
        self._queue: Deque[_Pending] = deque()
        self._lock = threading.Lock()
        self._leaders = 0
        self._stopping = False

    def write(self, records: List[Task], datasets: Sequence[str]) -> int:
        """Store ``records`` in ``datasets``; return once durable, with the count newly stored.

        Raises StorageUnavailable when the database keeps failing, or the
        error the database layer raised for this batch (DatasetNotFound, ...).
        """
        pending = _Pending(records, datasets)
        with self._lock:
            if self._stopping:
                raise StorageUnavailable("The server is shutting down: send the answers again once it is back")
            if self._leaders < self.max_leaders:
                self._leaders += 1
                group: Optional[List[_Pending]] = self._take_group(pending)
            else:
                self._queue.append(pending)
                group = None
        if group is None:
            pending.done.wait()
            group = pending.lead
        if group is not None:
            self._lead(group)
        if pending.error is not None:
            raise pending.error
        return pending.saved

    def close(self) -> None:
        """Refuse new batches; those already on their way still commit."""
        with self._lock:
            self._stopping = True

    def _take_group(self, leader: _Pending) -> List[_Pending]:
        # caller holds the lock
        group = [leader]
        while self._queue and len(group) < self.max_group:
            group.append(self._queue.popleft())
        return group

    def _lead(self, group: List[_Pending]) -> None:
        try:
            self._commit(group)
        finally:
            for pending in group:
                if not pending.done.is_set():
                    # interrupted before its result was set: never leave a request waiting
                    pending.error = StorageUnavailable("Storing the answers was interrupted: send them again")
                    pending.done.set()
            with self._lock:
                if self._queue:
                    successor = self._queue.popleft()
                    successor.lead = self._take_group(successor)
                    successor.done.set()
                else:
                    self._leaders -= 1

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
