"""Several server processes on one database sharing a dataset's tasks (issue 13).

Each process reads the same stream and routes tasks among its own sessions
(:mod:`mentor.core.feed`). Across processes the database decides: before a
process sends tasks it claims their keys (:mod:`mentor.db.claims`) for
``claim_lease_seconds`` (default: ``session_hold_seconds``), and sends only
those it won. A task another process holds waits in this one's feed until that
lease ends; a task the dataset already has an answer for (given through any
process, even one killed a moment after storing it) is never claimed, because
the answers are read first, by key (hash and input digest, mentor.core.keys).

While one of its tabs holds a task, a process renews the claim from a
background thread every third of the lease, so a slow annotator keeps it; a
process that stops (closed, killed) stops renewing and its tasks go to the
other processes once the lease runs out. An owner is ``host:port``, so a
server restarted on the same address gets its own claims back at once.

With ``annotations_per_task`` N > 1 a task has N slots, and a process claims
one for a particular session when it is about to send it the task
(:meth:`TaskClaims.claim_slots`), not when it pulls the task: which sessions
answered the task is read in the same transaction, so across all processes a
task goes to at most N distinct sessions, and never twice to one, whichever
process serves them. A slot of a tab that went quiet or of a killed process is
taken over once its lease runs out, as a claim is with N = 1. The claim that
sends a session a batch also reserves the slots of its next few batches (the
controller picks them), so most batches go out with no transaction of their
own; which of this process's sessions hold each task is read inside that
transaction, so claims from several threads need no lock around them.

Servers must agree on the time to within a few seconds (leases are epoch
seconds), as NTP keeps them. The renewal thread also deletes, every
``PRUNE_EVERY`` leases, the claims whose lease ended more than a lease ago
(:meth:`mentor.db.claims.DatasetClaims.prune`): the claims table holds the
work in progress, not a row for every task ever served.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Set, Tuple

from sqlalchemy import Connection

from ..db import Database
from ..db.claims import Holding
from .keys import KeySet, read_stored_keys

logger = logging.getLogger(__name__)

PRUNE_EVERY = 10  # leases between two prunings of the expired claims


def default_owner(port: int) -> str:
    """This process's name in the claims table: ``host:port`` (the pid too when the port is picked at random).

    A server restarted on the same address takes its claims back at once, as
    a restarted server has always carried on where it stopped; one stopped
    cleanly released them anyway (:meth:`TaskClaims.stop`).
    """
    host = socket.gethostname()
    return f"{host}:{port}" if port else f"{host}:pid{os.getpid()}"


def slot_session(session: str) -> str:
    """A session as a slot and the link table record it (their columns hold 255 characters)."""
    return session[:255]


def _by_text(candidates: List[Tuple[int, int]]) -> Dict[str, List[int]]:
    """``key as the claims table writes it -> idents``: tasks told apart by input share their exclusion key."""
    by_text: Dict[str, List[int]] = {}
    for ident, key in candidates:
        by_text.setdefault(str(key), []).append(ident)
    return by_text


@dataclass
class Verdict:
    """What became of a batch of candidate tasks (``ident`` values as the feed knows them)."""

    granted: List[int] = field(default_factory=list)
    answered: List[int] = field(default_factory=list)  # the dataset has an answer: never serve
    held: Dict[int, float] = field(default_factory=dict)  # another process holds it until then


@dataclass
class SlotVerdict:
    """What became of a batch of tasks about to go to one session, by slots (``ident`` values as the feed knows them)."""

    granted: List[int] = field(default_factory=list)  # a slot is claimed for the session: send it
    held: Dict[int, float] = field(default_factory=dict)  # no place for the session until then
    answered: Dict[int, Set[str]] = field(default_factory=dict)  # the sessions the dataset has answers from
    full: Dict[int, float] = field(default_factory=dict)  # other processes fill every place until then: for any session


class TaskClaims:
    """One process's claims on one dataset."""

    def __init__(self, db: Database, dataset: str, *, by: str, lease: float, owner: str) -> None:
        self.store = db.claims(dataset, owner)
        self.by = by
        self.lease = lease
        self.owner = owner
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._starting = threading.Lock()
        self._next_prune = 0.0

    def answered(self, keys: Iterable[int], conn: Optional[Connection] = None) -> KeySet:
        """The keys among ``keys`` the dataset holds an answer for, read from the database."""
        hashes = {key >> 64 for key in keys}
        if not hashes:
            return KeySet()
        return read_stored_keys(self.store.answered_rows(self.by, hashes, conn), self.by)

    def claim(self, candidates: List[Tuple[int, int]], now: float) -> Verdict:
        """Claim ``(ident, key)`` candidates: those not answered yet, and free, expired or already ours.

        The answers are read and the claims made in one transaction.
        """
        verdict = Verdict()
        if not candidates:
            return verdict
        by_text = _by_text(candidates)

        def answered(conn: Connection) -> Set[str]:
            done = self.answered([key for _, key in candidates], conn)
            return {str(key) for _, key in candidates if key in done}

        outcome = self.store.claim(list(by_text), now + self.lease, now, answered)
        granted = set(outcome.granted)
        left_out = set(outcome.answered)
        for text, idents in by_text.items():
            for ident in idents:
                if text in left_out:
                    verdict.answered.append(ident)
                elif text in granted:
                    verdict.granted.append(ident)
                else:
                    # held by another process: try again when its lease may have run out
                    verdict.held[ident] = outcome.held.get(text, now + self.lease)
        return verdict

    def claim_slots(
        self,
        session: str,
        candidates: List[Tuple[int, int]],
        slots: int,
        now: float,
        holding: Optional[Callable[[], Dict[int, Set[str]]]] = None,
    ) -> SlotVerdict:
        """Claim one of the ``slots`` places of each ``(ident, key)`` candidate for ``session``.

        A candidate neither granted nor held is answered, by this session or by
        ``slots`` sessions (see ``answered``). The answers are read, by
        session, in the transaction that claims (mentor.db.claims).
        ``holding``: reads ``ident -> sessions`` of this process that hold the
        task now; this process's slots of its other sessions (they let go) may
        be handed on at once (None: none is). It is called inside the
        transaction, after the task's slot rows are locked: then
        claims from several threads at once need no lock around them, as each
        reads what the claims committed before it gave out.
        """
        verdict = SlotVerdict()
        if not candidates:
            return verdict
        by_text = _by_text(candidates)

        def answered(conn: Connection) -> Dict[str, Set[str]]:
            return {str(key): found for key, found in self.answered_by([key for _, key in candidates], conn).items()}

        def kept(held: Dict[int, Set[str]]) -> Dict[str, Set[str]]:
            by_key: Dict[str, Set[str]] = {}
            for ident, key in candidates:
                by_key.setdefault(str(key), set()).update(slot_session(sid) for sid in held.get(ident, ()))
            return by_key

        holders: Holding = None
        if holding is not None:
            read = holding
            holders = lambda: kept(read())  # noqa: E731
        outcome = self.store.claim_slots(
            list(by_text), slot_session(session), slots, now + self.lease, now, answered, holders
        )
        granted = set(outcome.granted)
        for text, idents in by_text.items():
            for ident in idents:
                if text in outcome.sessions:
                    verdict.answered[ident] = outcome.sessions[text]
                if text in granted:
                    verdict.granted.append(ident)
                elif text in outcome.held:
                    verdict.held[ident] = outcome.held[text]
                if text in outcome.full:
                    verdict.full[ident] = outcome.full[text]
        return verdict

    def answered_by(self, keys: Iterable[int], conn: Optional[Connection] = None) -> Dict[int, Set[str]]:
        """``key -> sessions`` with an answer in the dataset, for those of ``keys`` answered at all.

        An answer stored without an input digest (an import) counts for every
        key with its hash, as it does when the server starts (mentor.core.keys).
        """
        wanted = set(keys)
        if not wanted:
            return {}
        found: Dict[int, Set[str]] = {}
        for *row, session in self.store.answered_sessions(self.by, {key >> 64 for key in wanted}, conn):
            stored = read_stored_keys([(row[0], row[1], row[2])], self.by)
            for key in wanted:
                if key in stored:
                    found.setdefault(key, set()).add(session)
        return found

    def renew_slots(self, held: Iterable[Tuple[int, str]], now: float) -> int:
        """Extend this process's slots held for ``(key, session)`` pairs by a lease from ``now``."""
        return self.store.renew_slots(((str(key), slot_session(sid)) for key, sid in held), now + self.lease)

    def check(self, candidates: List[Tuple[int, int]], now: float) -> Verdict:
        """Read only: which candidates are answered, held by another process (until when), or free (``granted``)."""
        verdict = Verdict()
        if not candidates:
            return verdict
        done = self.answered(key for _, key in candidates)
        holders = self.store.holders(str(key) for _, key in candidates if key not in done)
        for ident, key in candidates:
            if key in done:
                verdict.answered.append(ident)
                continue
            owner, until = holders.get(str(key), (self.owner, 0.0))
            if owner != self.owner and until >= now:
                verdict.held[ident] = until
            else:
                verdict.granted.append(ident)
        return verdict

    def others(self, now: float) -> Dict[str, int]:
        """Other processes holding claims on the dataset now: ``owner -> tasks held``."""
        return self.store.other_owners(now)

    # -- renewal ------------------------------------------------------------

    def renew(self, keys: Iterable[int], now: float) -> int:
        """Extend this process's claims on ``keys`` by a lease from ``now``."""
        return self.store.renew((str(key) for key in keys), now + self.lease)

    def prune(self, now: float) -> int:
        """Delete the claims whose lease ended over a lease before ``now``, at most every ``PRUNE_EVERY`` leases."""
        if now < self._next_prune:
            return 0
        self._next_prune = now + PRUNE_EVERY * self.lease
        return self.store.prune(now - self.lease)

    def start_renewing(self, renew: Callable[[], None]) -> None:
        """Call ``renew`` (which renews the claims of the tasks held now) every third of the lease, from a daemon thread.

        The thread holds a bound method weakly: a controller nobody uses any
        more is collected, and its thread ends at its next turn.
        """
        with self._starting:  # request threads call this at once
            if self._thread is not None:
                return
            self._thread = self._renewal_thread(renew)
            self._thread.start()

    def _renewal_thread(self, renew: Callable[[], None]) -> threading.Thread:
        method = weakref.WeakMethod(renew) if hasattr(renew, "__self__") else (lambda: renew)
        interval = max(0.05, self.lease / 3)
        stop = self._stop
        prune = self.prune

        def loop() -> None:
            while not stop.wait(interval):
                callback = method()
                if callback is None:
                    return
                try:
                    callback()
                    prune(time.time())
                except Exception as err:  # the database gone for a moment: the next turn tries again
                    logger.warning("Could not renew the task claims: %s", err)
                del callback

        return threading.Thread(target=loop, name="mentor-claims", daemon=True)

    def stop(self) -> None:
        """Stop renewing and let go of this run's claims (a clean shutdown: a restart resumes at once)."""
        self._stop.set()
        try:
            self.store.release()
        except Exception as err:  # the database gone: the claims run out by themselves
            logger.warning("Could not release the task claims: %s", err)
