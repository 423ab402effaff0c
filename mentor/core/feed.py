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

Tasks are known by two keys the controller computes once (mentor.core.keys):
``ident``, the task hash and the input, names one task in the pool and in a
session's open tasks; ``key``, by the hash ``exclude_by`` names and the input,
decides what counts as answered. Neither merges two texts whose 32-bit hashes
collide.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from ..tasks import Task
from .keys import KeySet
from .sessions import Session


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
    answered a key in the current dataset, when ``per_task`` > 1, and
    ``prior_bare`` those of stored answers known by their bare hash only.
    """

    def __init__(
        self,
        *,
        timeout: float,
        per_task: int = 1,
        done: Optional[KeySet] = None,
        prior: Optional[Dict[int, Set[str]]] = None,
        prior_bare: Optional[Dict[int, Set[str]]] = None,
    ) -> None:
        self.timeout = timeout
        self.per_task = per_task
        self.done = done.copy() if done is not None else KeySet()
        self.prior: Dict[int, Set[str]] = {k: set(v) for k, v in (prior or {}).items()}
        self.prior_bare: Dict[int, Set[str]] = {h: set(v) for h, v in (prior_bare or {}).items()}
        for k, sessions in self.prior.items():
            if len(sessions) >= per_task:
                self.done.add(k)
        for h, sessions in self.prior_bare.items():
            if len(sessions) >= per_task:
                self.done.hashes.add(h)
        self.pool: Dict[int, TaskState] = {}
        self._admitted: Set[int] = set()

    def is_excluded(self, key: int) -> bool:
        """Whether a task from the stream is not worth admitting (cheap, lock-free read)."""
        return key in self.done or key in self._admitted

    def admit(self, task: Task, ident: int, key: int) -> bool:
        """Add a task pulled from the stream; False when it is excluded or a repeat."""
        if key in self.done or key in self._admitted or ident in self.pool:
            return False
        self._admitted.add(key)
        answered_by = set(self.prior.get(key, ()))
        if self.prior_bare:
            answered_by |= self.prior_bare.get(key >> 64, set())
        self.pool[ident] = TaskState(task, key, answered_by=answered_by)
        return True

    def take(self, session: Session, n: int, now: float, sessions: Dict[str, Session]) -> List[Tuple[int, Task]]:
        """Assign up to ``n`` tasks to a session, as ``(ident, task)``: its reloaded open tasks first, then the oldest free."""
        out: List[Tuple[int, Task]] = []
        sid = session.id
        sent: Set[int] = set()
        for ident in session.resend:
            state = self.pool.get(ident)
            if state is not None and sid in state.open and sid not in state.answered_by and ident not in sent:
                state.open[sid] = now
                session.open[ident] = now
                sent.add(ident)
                out.append((ident, state.task))
        session.resend.clear()
        if len(out) >= n:
            return out
        for ident, state in self.pool.items():
            if len(out) >= n:
                break
            if sid in state.answered_by or ident in sent:
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
                        sessions[other].open.pop(ident, None)
            state.open[sid] = now
            session.open[ident] = now
            out.append((ident, state.task))
        return out

    def mark_answered(self, session: Session, ident: int, key: int) -> None:
        session.open.pop(ident, None)
        state = self.pool.get(ident)
        if state is not None:
            state.open.pop(session.id, None)
            state.answered_by.add(session.id)
            if len(state.answered_by) >= self.per_task:
                del self.pool[ident]
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
        units += sum(min(len(s), self.per_task) for s in self.prior_bare.values())
        units += sum(len(state.answered_by) for state in self.pool.values())
        return units


class OverlapFeed:
    """Every session sees every task; ``done`` holds the keys excluded for all."""

    def __init__(self, *, timeout: float, done: Optional[KeySet] = None) -> None:
        self.timeout = timeout
        self.done = done.copy() if done is not None else KeySet()
        self.log: List[Tuple[int, int]] = []  # (ident, key) in the order admitted
        self._index: Dict[int, Task] = {}
        self._admitted: Set[int] = set()

    def is_excluded(self, key: int) -> bool:
        return key in self.done or key in self._admitted

    def admit(self, task: Task, ident: int, key: int) -> bool:
        if key in self.done or key in self._admitted or ident in self._index:
            return False
        self._admitted.add(key)
        self.log.append((ident, key))
        self._index[ident] = task
        return True

    def take(self, session: Session, n: int, now: float, sessions: Dict[str, Session]) -> List[Tuple[int, Task]]:
        out: List[Tuple[int, Task]] = []
        sent: Set[int] = set()

        def send(ident: int) -> None:
            session.open[ident] = now
            sent.add(ident)
            out.append((ident, self._index[ident]))

        for ident in session.resend:
            if ident in session.open and ident in self._index and ident not in sent:
                send(ident)
        session.resend.clear()
        for ident, sent_at in list(session.open.items()):
            if len(out) >= n:
                break
            if ident not in sent and now - sent_at >= self.timeout and ident in self._index:
                send(ident)
        while len(out) < n and session.cursor < len(self.log):
            ident, key = self.log[session.cursor]
            session.cursor += 1
            if key in session.answered_keys or ident in session.open:
                continue
            send(ident)
        return out

    def mark_answered(self, session: Session, ident: int, key: int) -> None:
        session.open.pop(ident, None)

    def has_pending(self, session: Session) -> bool:
        return bool(session.open) or session.cursor < len(self.log)

    def completed_units(self, session: Session) -> int:
        return len(session.answered_keys)
