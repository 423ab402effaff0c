"""Which task goes to which session, and when an unanswered one is served again.

Two feeds share one interface. :class:`SharedFeed` gives each task to
``annotations_per_task`` different sessions (one by default): tasks are
assigned lazily, when a session asks, so a declared annotator who never
connects holds nothing back. :class:`OverlapFeed` (``feed_overlap``) shows every
task to every session, each session walking its own cursor through the tasks
pulled so far.

A task sent to a session and not answered within ``timeout`` seconds is served
again (to anyone in a shared feed, to the same session with overlap), so a
closed tab loses nothing. Feeds are plain state: the controller holds its lock
around every call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Set

from ..tasks import Task
from .sessions import Session

KeyFn = Callable[[Task], int]


@dataclass
class TaskState:
    """A task pulled from the stream and not yet answered by enough sessions."""

    task: Task
    key: int
    answered_by: Set[str] = field(default_factory=set)
    open: Dict[str, float] = field(default_factory=dict)  # session id -> time sent


class SharedFeed:
    """Each task to ``per_task`` distinct sessions, assigned on request.

    ``done`` holds the keys never to serve (excluded datasets, and the current
    dataset's answers with ``per_task`` 1); ``prior`` the sessions that already
    answered a key in the current dataset, when ``per_task`` > 1.
    """

    def __init__(
        self,
        *,
        key: KeyFn,
        timeout: float,
        per_task: int = 1,
        done: Optional[Set[int]] = None,
        prior: Optional[Dict[int, Set[str]]] = None,
    ) -> None:
        self.key = key
        self.timeout = timeout
        self.per_task = per_task
        self.done: Set[int] = set(done or ())
        self.prior: Dict[int, Set[str]] = {k: set(v) for k, v in (prior or {}).items()}
        for k, sessions in self.prior.items():
            if len(sessions) >= per_task:
                self.done.add(k)
        self.pool: Dict[int, TaskState] = {}
        self._admitted: Set[int] = set()

    def is_excluded(self, task: Task) -> bool:
        """Whether a task from the stream is not worth admitting (cheap, lock-free read)."""
        key = self.key(task)
        return key in self.done or key in self._admitted

    def admit(self, task: Task) -> bool:
        """Add a task pulled from the stream; False when it is excluded or a repeat."""
        key = self.key(task)
        if key in self.done or key in self._admitted:
            return False
        self._admitted.add(key)
        self.pool[task["_task_hash"]] = TaskState(task, key, answered_by=set(self.prior.get(key, ())))
        return True

    def take(self, session: Session, n: int, now: float, sessions: Dict[str, Session]) -> List[Task]:
        """Assign up to ``n`` tasks to a session: its reloaded open tasks first, then the oldest free."""
        out: List[Task] = []
        sid = session.id
        for task_hash in session.resend:
            state = self.pool.get(task_hash)
            if state is not None and sid in state.open and sid not in state.answered_by:
                state.open[sid] = now
                session.open[task_hash] = now
                out.append(state.task)
        session.resend.clear()
        if len(out) >= n:
            return out
        sent = {t["_task_hash"] for t in out}
        for task_hash, state in self.pool.items():
            if len(out) >= n:
                break
            if sid in state.answered_by or task_hash in sent:
                continue
            mine = state.open.get(sid)
            if mine is not None and now - mine < self.timeout:
                continue
            holders = sum(1 for s, t in state.open.items() if s != sid and now - t < self.timeout)
            if holders + len(state.answered_by) >= self.per_task:
                continue
            for other, sent_at in list(state.open.items()):
                if other != sid and now - sent_at >= self.timeout:
                    # taken over: the late session no longer gets it back on reload
                    del state.open[other]
                    if other in sessions:
                        sessions[other].open.pop(task_hash, None)
            state.open[sid] = now
            session.open[task_hash] = now
            out.append(state.task)
        return out

    def mark_answered(self, session: Session, task_hash: int, key: int) -> None:
        session.open.pop(task_hash, None)
        state = self.pool.get(task_hash)
        if state is not None:
            state.open.pop(session.id, None)
            state.answered_by.add(session.id)
            if len(state.answered_by) >= self.per_task:
                del self.pool[task_hash]
                self.done.add(state.key)
            return
        # answered outside the pool: a batch sent before a restart, or a late answer
        if self.per_task <= 1:
            self.done.add(key)
            return
        sessions = self.prior.setdefault(key, set())
        sessions.add(session.id)
        if len(sessions) >= self.per_task:
            self.done.add(key)

    def has_pending(self, session: Session) -> bool:
        return bool(self.pool)

    def completed_units(self, session: Session) -> int:
        """Answers counted towards the total, for progress (capped at ``per_task`` a task)."""
        if self.per_task <= 1:
            return -1  # the controller counts the dataset's distinct keys instead
        units = sum(min(len(s), self.per_task) for s in self.prior.values())
        units += sum(len(state.answered_by) for state in self.pool.values())
        return units


class OverlapFeed:
    """Every session sees every task; ``done`` holds the keys excluded for all."""

    def __init__(self, *, key: KeyFn, timeout: float, done: Optional[Set[int]] = None) -> None:
        self.key = key
        self.timeout = timeout
        self.done: Set[int] = set(done or ())
        self.log: List[Task] = []
        self._index: Dict[int, Task] = {}
        self._admitted: Set[int] = set()

    def is_excluded(self, task: Task) -> bool:
        key = self.key(task)
        return key in self.done or key in self._admitted

    def admit(self, task: Task) -> bool:
        key = self.key(task)
        if key in self.done or key in self._admitted:
            return False
        self._admitted.add(key)
        self.log.append(task)
        self._index[task["_task_hash"]] = task
        return True

    def take(self, session: Session, n: int, now: float, sessions: Dict[str, Session]) -> List[Task]:
        out: List[Task] = []
        sent: Set[int] = set()

        def send(task_hash: int) -> None:
            session.open[task_hash] = now
            sent.add(task_hash)
            out.append(self._index[task_hash])

        for task_hash in session.resend:
            if task_hash in session.open and task_hash in self._index and task_hash not in sent:
                send(task_hash)
        session.resend.clear()
        for task_hash, sent_at in list(session.open.items()):
            if len(out) >= n:
                break
            if task_hash not in sent and now - sent_at >= self.timeout and task_hash in self._index:
                send(task_hash)
        while len(out) < n and session.cursor < len(self.log):
            task = self.log[session.cursor]
            session.cursor += 1
            task_hash = task["_task_hash"]
            if self.key(task) in session.answered_keys or task_hash in session.open:
                continue
            send(task_hash)
        return out

    def mark_answered(self, session: Session, task_hash: int, key: int) -> None:
        session.open.pop(task_hash, None)

    def has_pending(self, session: Session) -> bool:
        return bool(session.open) or session.cursor < len(self.log)

    def completed_units(self, session: Session) -> int:
        return len(session.answered_keys)
