"""Which task goes to which session, and when an unanswered one is served again.

Two feeds share one interface. :class:`SharedFeed` gives each task to
``annotations_per_task`` different sessions (one by default): tasks are
assigned lazily, when a session asks, so a declared annotator who never
connects holds nothing back. :class:`OverlapFeed` (``feed_overlap``) shows every
task to every session, each session walking its own cursor through the tasks
pulled so far.

A task sent to a session is held by the tab it was sent to (``tab``, the
app's tab id; ``""`` for a client that sends none), so two tabs of one session
never get the same task. A tab that has not asked, answered or pinged for
``hold`` seconds (``session_hold_seconds``) no longer holds its tasks, and a
task not answered within ``timeout`` seconds (``task_timeout``) is served again
even to a tab still answering: either way it goes to whoever asks next (anyone
in a shared feed, another tab of the same session with overlap), so a closed
tab loses nothing. ``held_elsewhere`` counts what a tab can't have now because
another tab or session holds it, so the app waits instead of saying it is
done. Feeds are plain state: the controller holds its lock around every call.

Tasks are known by two keys the controller computes once (mentor.core.keys):
``ident``, the task hash and the input, names one task in the pool and in a
session's open tasks; ``key``, by the hash ``exclude_by`` names and the input,
decides what counts as answered. Neither merges two texts whose 32-bit hashes
collide.

With several server processes on one database (mentor.core.claims), a task
the controller could not claim because another process holds it waits in
:attr:`SharedFeed.elsewhere` until that process's lease runs out, then comes
back to the pool to be claimed again; a task another process answered leaves
the pool for good. With ``per_task`` > 1 the controller claims a *slot* for a
session when a task is about to go to it: a session with no place left waits
for that task (:attr:`TaskState.waits`) while the others may still get it, and
the sessions the database says answered it join :attr:`TaskState.answered_by`.
The same claim may *reserve* slots of the tasks the session would take next
(:meth:`SharedFeed.upcoming`, :meth:`SharedFeed.reserve`): while its session is
still there, a reservation takes a place as a task sent does, and the session
gets its reserved tasks first, sent without another claim.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple

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
    claimed_until: float = 0.0  # this process's claim on it lasts until then (mentor.core.claims)
    slots: Dict[str, float] = field(default_factory=dict)  # per_task > 1: session id -> its slot's claim lasts until
    waits: Dict[str, float] = field(default_factory=dict)  # per_task > 1: session id -> no slot for it before then
    full_until: float = 0.0  # per_task > 1: other processes fill every place until then, for any session of this one


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
        hold: Optional[float] = None,
        per_task: int = 1,
        done: Optional[KeySet] = None,
        prior: Optional[Dict[int, Set[str]]] = None,
        prior_bare: Optional[Dict[int, Set[str]]] = None,
    ) -> None:
        self.timeout = timeout
        self.hold = hold if hold is not None else timeout
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
        self.elsewhere: Dict[int, TaskState] = {}  # held by another server process (claims)
        self._wake: List[Tuple[float, int]] = []  # (when its holder's lease ends, ident), a heap
        self._admitted: Set[int] = set()
        # per_task > 1: session id -> the tasks whose slot it holds and hasn't been sent yet, in the order to send
        self.ahead: Dict[str, Dict[int, None]] = {}
        # ident -> sessions a claim in flight may reserve its slot for (:meth:`pend`)
        self.pending: Dict[int, Set[str]] = {}

    def is_excluded(self, key: int) -> bool:
        """Whether a task from the stream is not worth admitting (cheap, lock-free read)."""
        return key in self.done or key in self._admitted

    def admit(self, task: Task, ident: int, key: int, claimed_until: float = 0.0, parked: float = 0.0) -> bool:
        """Add a task pulled from the stream; False when it is excluded or a repeat.

        ``claimed_until``: this process claimed it until then; ``parked``:
        another process holds it until then, so it waits in ``elsewhere``.
        """
        if key in self.done or key in self._admitted or ident in self.pool or ident in self.elsewhere:
            return False
        self._admitted.add(key)
        answered_by = set(self.prior.get(key, ()))
        if self.prior_bare:
            answered_by |= self.prior_bare.get(key >> 64, set())
        state = TaskState(task, key, answered_by=answered_by, claimed_until=claimed_until)
        if parked:
            self.elsewhere[ident] = state
            heapq.heappush(self._wake, (parked, ident))
        else:
            self.pool[ident] = state
        return True

    def _holds(self, sid: str, ident: int, now: float, sessions: Dict[str, Session]) -> bool:
        session = sessions.get(sid)
        return session is not None and session.holds(ident, now, self.timeout, self.hold)

    def take(
        self, session: Session, n: int, now: float, sessions: Dict[str, Session], tab: str = ""
    ) -> List[Tuple[int, Task]]:
        """Assign up to ``n`` tasks to a session's tab, as ``(ident, task)``: the tab's reloaded open tasks first, then the oldest free."""
        out: List[Tuple[int, Task]] = []
        sid = session.id
        sent: Set[int] = set()
        session.seen[tab] = now
        for ident in session.resend.pop(tab, ()):
            state = self.pool.get(ident)
            if (
                state is not None and sid in state.open and sid not in state.answered_by and ident not in sent
                and session.holder.get(ident) == tab
            ):
                state.open[sid] = now
                session.send(ident, tab, now)
                sent.add(ident)
                out.append((ident, state.task))
        if len(out) >= n:
            return out
        reserved = self.ahead.get(sid)
        while reserved and len(out) < n:
            # the tasks whose slot a claim reserved for this session: first, so it needs no claim of its own
            ident = next(iter(reserved))
            del reserved[ident]
            state = self.pool.get(ident)
            if (
                state is not None and ident not in sent and state.slots.get(sid, 0.0) >= now
                and self._free_for(session, ident, state, now, sessions)
            ):
                self._send(session, ident, state, tab, now, sessions)
                sent.add(ident)
                out.append((ident, state.task))
        for ident, state in self.pool.items():
            if len(out) >= n:
                break
            if ident in sent or not self._free_for(session, ident, state, now, sessions):
                continue
            self._send(session, ident, state, tab, now, sessions)
            out.append((ident, state.task))
        return out

    def _free_for(self, session: Session, ident: int, state: TaskState, now: float, sessions: Dict[str, Session]) -> bool:
        """Whether the session may take the task now: not answered nor held by it, and a place left."""
        sid = session.id
        if sid in state.answered_by or state.waits.get(sid, 0.0) >= now or state.full_until >= now:
            return False
        if sid in state.open and session.holds(ident, now, self.timeout, self.hold):
            return False  # this tab or another tab of this session has it
        return len(self._places(ident, state, now, sessions) - {sid}) + len(state.answered_by) < self.per_task

    def _send(
        self, session: Session, ident: int, state: TaskState, tab: str, now: float, sessions: Dict[str, Session]
    ) -> None:
        sid = session.id
        for other in list(state.open):
            if other != sid and not self._holds(other, ident, now, sessions):
                # taken over: the late session no longer gets it back on reload
                del state.open[other]
                if other in sessions:
                    sessions[other].drop(ident)
        state.open[sid] = now
        session.send(ident, tab, now)

    def held_elsewhere(self, session: Session, now: float, sessions: Dict[str, Session], tab: str = "") -> int:
        """Tasks this tab could answer but another tab or session (or server process) holds now."""
        sid = session.id
        count = len(self.elsewhere)
        for ident, state in self.pool.items():
            if sid in state.answered_by:
                continue
            if state.waits.get(sid, 0.0) >= now or state.full_until >= now:
                count += 1  # other processes' sessions fill its places for now
                continue
            if sid in state.open and session.holds(ident, now, self.timeout, self.hold):
                if session.holder.get(ident, "") != tab:
                    count += 1
                continue
            holders = len(self._places(ident, state, now, sessions) - {sid})
            if holders and holders + len(state.answered_by) >= self.per_task:
                count += 1
        return count

    def mark_answered(self, session: Session, ident: int, key: int) -> None:
        session.drop(ident)
        if self.per_task <= 1 and self.elsewhere.pop(ident, None) is not None:
            self.done.add(key)  # a late answer to a task another process claimed since
            return
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
        return bool(self.pool) or bool(self.elsewhere)

    # -- several server processes (mentor.core.claims) ----------------------

    def _unassign(self, session: Session, ident: int) -> Optional[TaskState]:
        """Take back a task just given to ``session``: it may not send it after all."""
        self.release(session, ident)
        return self.pool.pop(ident, None)

    def release(self, session: Session, ident: int) -> None:
        """A task taken for ``session`` and not sent after all (the database failed): free again."""
        session.drop(ident)
        state = self.pool.get(ident)
        if state is not None:
            state.open.pop(session.id, None)

    def hold_elsewhere(self, session: Session, ident: int, until: float) -> None:
        """Another process holds the task until ``until``: park it, and offer it again then."""
        state = self._unassign(session, ident)
        if state is not None:
            self.elsewhere[ident] = state
            heapq.heappush(self._wake, (until, ident))

    def answered_elsewhere(self, session: Optional[Session], ident: int) -> Optional[int]:
        """The dataset has an answer from another process: forget the task; return its key."""
        state = self._unassign(session, ident) if session is not None else self.pool.pop(ident, None)
        state = state or self.elsewhere.pop(ident, None)
        if state is None:
            return None
        self.done.add(state.key)
        return state.key

    def due_parked(self, now: float, recheck: float) -> List[Tuple[int, int]]:
        """``(ident, key)`` of the parked tasks whose holder's lease has run out, to claim again.

        They stay parked (and counted) meanwhile, due again at ``recheck``
        unless :meth:`unpark`, :meth:`repark` or :meth:`answered_elsewhere` settles them first.
        """
        due: List[Tuple[int, int]] = []
        while self._wake and self._wake[0][0] <= now:
            _, ident = heapq.heappop(self._wake)
            state = self.elsewhere.get(ident)
            if state is not None:
                due.append((ident, state.key))
        for ident, _ in due:
            heapq.heappush(self._wake, (recheck, ident))
        return due

    def parked(self) -> List[Tuple[int, int]]:
        """``(ident, key)`` of the tasks another process holds."""
        return [(ident, state.key) for ident, state in self.elsewhere.items()]

    def repark(self, ident: int, until: float) -> None:
        """Still held by another process: offer it again at ``until``."""
        if ident in self.elsewhere:
            heapq.heappush(self._wake, (until, ident))

    def unpark(self, ident: int, claimed_until: float = 0.0) -> None:
        """Back to the pool (its holder let it go), claimed by this process until ``claimed_until``."""
        state = self.elsewhere.pop(ident, None)
        if state is not None:
            state.claimed_until = claimed_until
            self.pool[ident] = state

    def unclaimed(self, idents: List[int], before: float) -> List[int]:
        """Those of ``idents`` whose claim by this process ends before ``before``.

        A task no longer in the pool is one too: it left after it was taken
        (a late answer of another session, or parked or answered elsewhere as
        another thread's claim learnt), so only a claim, which reads the
        answers, may still send it.
        """
        return [ident for ident in idents if ident not in self.pool or self.pool[ident].claimed_until < before]

    def set_claimed(self, idents: Iterable[int], until: float) -> None:
        for ident in idents:
            state = self.pool.get(ident)
            if state is not None:
                state.claimed_until = until

    def held_keys(self, now: float, sessions: Dict[str, Session]) -> Dict[int, int]:
        """``ident -> key`` of the tasks a session of this process holds now (their claims are renewed)."""
        return {
            ident: state.key
            for ident, state in self.pool.items()
            if any(self._holds(sid, ident, now, sessions) for sid in state.open)
        }

    # -- slots: per_task > 1 across processes (mentor.core.claims) -----------

    def unclaimed_slots(self, session: Session, idents: List[int], before: float) -> List[int]:
        """Those of ``idents`` whose slot this process holds for ``session`` ends before ``before``.

        A task no longer in the pool is one too: it left after it was taken
        (answered by enough sessions, as another thread's claim learnt), so
        only a claim, which reads the answers, may still send it.
        """
        sid = session.id
        return [ident for ident in idents if ident not in self.pool or self.pool[ident].slots.get(sid, 0.0) < before]

    def set_slots(self, held: Iterable[Tuple[int, str]], until: float, renewed: bool = False) -> None:
        """This process holds a slot of each ``(ident, session id)`` until ``until``.

        ``renewed``: a renewal read the pairs before it wrote; a slot handed
        on since (:meth:`places_for` forfeited it) stays forfeited.
        """
        for ident, sid in held:
            state = self.pool.get(ident)
            if state is not None and (not renewed or state.slots.get(sid, 0.0) > 0.0):
                state.slots[sid] = until

    def reserve(self, session: Session, idents: Iterable[int], until: float) -> None:
        """This process holds a slot of each task for ``session``, which gets them first, unsent till then."""
        reserved = self.ahead.setdefault(session.id, {})
        for ident in idents:
            state = self.pool.get(ident)
            if state is not None:
                state.slots[session.id] = until
                reserved[ident] = None

    def pend(self, session: Session, idents: Iterable[int]) -> None:
        """A claim about to reserve these tasks' slots for ``session``: the claims made meanwhile count it.

        Another claim of this process could otherwise run between that
        claim's commit and :meth:`reserve`, and hand the new slot on.
        """
        for ident in idents:
            self.pending.setdefault(ident, set()).add(session.id)

    def unpend(self, session: Session, idents: Iterable[int]) -> None:
        """The claim :meth:`pend` announced is over (its reservations made, or failed)."""
        for ident in idents:
            waiting = self.pending.get(ident)
            if waiting is not None:
                waiting.discard(session.id)
                if not waiting:
                    del self.pending[ident]

    def reserved(self, session: Session, now: float) -> int:
        """How many tasks the session has reserved slots of and not been sent yet."""
        sid = session.id
        count = 0
        for ident in self.ahead.get(sid, ()):
            state = self.pool.get(ident)
            if state is not None and state.slots.get(sid, 0.0) >= now and sid not in state.open:
                count += 1
        return count

    def upcoming(
        self, session: Session, n: int, now: float, sessions: Dict[str, Session], skip: Set[int]
    ) -> List[Tuple[int, Task]]:
        """Up to ``n`` tasks the session could take after these (``skip``), to reserve: none is assigned."""
        out: List[Tuple[int, Task]] = []
        sid = session.id
        mine = self.ahead.get(sid, {})
        for ident, state in self.pool.items():
            if len(out) >= n:
                break
            if ident in skip or (ident in mine and state.slots.get(sid, 0.0) >= now):
                continue
            if self._free_for(session, ident, state, now, sessions):
                out.append((ident, state.task))
        return out

    def _live(self, sid: str, now: float, sessions: Dict[str, Session]) -> bool:
        """Whether one of the session's tabs asked, answered or pinged in the last ``hold`` seconds."""
        session = sessions.get(sid)
        return session is not None and any(now - seen < self.hold for seen in session.seen.values())

    def _places(self, ident: int, state: TaskState, now: float, sessions: Dict[str, Session]) -> Set[str]:
        """The sessions that take a place of the task now: they hold it, a live session reserved its slot, or a claim may."""
        places = {sid for sid in state.open if self._holds(sid, ident, now, sessions)}
        places.update(self.pending.get(ident, ()))  # claims in flight: the others pick other tasks meanwhile
        for sid, until in state.slots.items():
            if (
                until >= now and sid not in places and sid not in state.open and sid not in state.answered_by
                and self._live(sid, now, sessions)
            ):
                places.add(sid)
        return places

    def places_for(self, idents: Iterable[int], now: float, sessions: Dict[str, Session]) -> Dict[int, Set[str]]:
        """``ident -> sessions`` taking a place of each task now; the slots of the others are forfeited.

        Read inside the claim's transaction, after its row locks: the claim may
        hand on this process's slot of a session not named, so that session
        claims again before it is sent the task.
        """
        found: Dict[int, Set[str]] = {}
        for ident in idents:
            state = self.pool.get(ident)
            if state is None:
                continue
            places = found[ident] = self._places(ident, state, now, sessions)
            for sid in state.slots:
                if sid not in places:
                    state.slots[sid] = 0.0
        return found

    def wait_for_slot(self, session: Session, ident: int, until: float) -> None:
        """No slot for ``session`` before ``until`` (other processes hold them): not sent, offered to it again then."""
        self.release(session, ident)
        state = self.pool.get(ident)
        if state is not None:
            state.waits[session.id] = until

    def waited(self, session: Session, now: float) -> List[Tuple[int, int]]:
        """``(ident, key)`` of the tasks the session waits for a slot of (:meth:`wait_for_slot`)."""
        sid = session.id
        return [
            (ident, state.key) for ident, state in self.pool.items()
            if sid not in state.answered_by and (state.waits.get(sid, 0.0) >= now or state.full_until >= now)
        ]

    def held_by_others(self, ident: int, until: float) -> None:
        """Other processes' sessions and the answers fill every place until ``until``: offered to none of this one's before.

        One claim learns it for all the sessions of its process, which would
        otherwise each spend a claim on the task to be told the same.
        """
        state = self.pool.get(ident)
        if state is not None:
            state.full_until = max(state.full_until, until)

    def learn_answers(self, ident: int, answered: Set[str], sessions: Dict[str, Session]) -> Optional[int]:
        """The sessions the dataset has answers from for a task (any process's): never offered it again.

        Once they are ``per_task``, the task leaves the pool for every session
        holding it; returns its key then, else None.
        """
        state = self.pool.get(ident)
        if state is None:
            return None
        state.answered_by |= answered
        for sid in answered & set(state.open):
            del state.open[sid]
            if sid in sessions:
                sessions[sid].drop(ident)
        if len(state.answered_by) < self.per_task:
            return None
        for sid in state.open:
            if sid in sessions:
                sessions[sid].drop(ident)
        del self.pool[ident]
        self.done.add(state.key)
        return state.key

    def holders(self, ident: int, now: float, sessions: Dict[str, Session]) -> Set[str]:
        """The sessions that hold a task now (a session that went quiet or timed out no longer does)."""
        state = self.pool.get(ident)
        if state is None:
            return set()
        return {sid for sid in state.open if self._holds(sid, ident, now, sessions)}

    def held_slots(self, now: float, sessions: Dict[str, Session]) -> Dict[Tuple[int, str], int]:
        """``(ident, session id) -> key`` of the tasks a session of this process holds now (their slots are renewed)."""
        return {
            (ident, sid): state.key for ident, state in self.pool.items() for sid in self.holders(ident, now, sessions)
        }

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

    def __init__(self, *, timeout: float, hold: Optional[float] = None, done: Optional[KeySet] = None) -> None:
        self.timeout = timeout
        self.hold = hold if hold is not None else timeout
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

    def take(
        self, session: Session, n: int, now: float, sessions: Dict[str, Session], tab: str = ""
    ) -> List[Tuple[int, Task]]:
        """Up to ``n`` tasks for a session's tab: its reloaded ones, the ones no tab holds any more, then new ones.

        The tabs of one session walk one cursor, so each gets different tasks.
        """
        out: List[Tuple[int, Task]] = []
        sent: Set[int] = set()
        session.seen[tab] = now

        def send(ident: int) -> None:
            session.send(ident, tab, now)
            sent.add(ident)
            out.append((ident, self._index[ident]))

        for ident in session.resend.pop(tab, ()):
            if ident in session.open and session.holder.get(ident) == tab and ident in self._index and ident not in sent:
                send(ident)
        for ident in list(session.open):
            if len(out) >= n:
                break
            if ident not in sent and ident in self._index and not session.holds(ident, now, self.timeout, self.hold):
                send(ident)
        while len(out) < n and session.cursor < len(self.log):
            ident, key = self.log[session.cursor]
            session.cursor += 1
            if key in session.answered_keys or ident in session.open:
                continue
            send(ident)
        return out

    def held_elsewhere(self, session: Session, now: float, sessions: Dict[str, Session], tab: str = "") -> int:
        """This session's tasks another of its tabs holds now."""
        return sum(
            1
            for ident in session.open
            if session.holder.get(ident, "") != tab and session.holds(ident, now, self.timeout, self.hold)
        )

    def mark_answered(self, session: Session, ident: int, key: int) -> None:
        session.drop(ident)

    def has_pending(self, session: Session) -> bool:
        return bool(session.open) or session.cursor < len(self.log)

    def completed_units(self, session: Session) -> int:
        return len(session.answered_keys)
