"""Claims: which server process serves which task of a dataset, and until when.

Several server processes on one database each read the same stream. Before a
process sends a task it claims the task's key here, for a lease it renews
while one of its annotators holds the task. A claim another process holds
with time left is refused; one whose lease ran out (its holder went quiet or
was killed) is taken over. The database decides, atomically: the primary key
lets one of two processes insert a new claim, and a conditional UPDATE lets one
take over an expired one, so two processes never both win a key.

A claim is not deleted when its task is answered: the answer, stored durably
first, is what keeps the task from being served again (the controller checks
the dataset's answers, :meth:`DatasetClaims.answered_rows`, before it claims),
and the row left behind refuses a process that checked a moment before the
answer landed. Once its lease has run out a row refuses nobody (an expired
claim is taken over as if it were absent), so :meth:`DatasetClaims.prune`
deletes rows whose lease ended a while ago and the table stays the size of
the work in progress, not of the dataset. Rows go with their dataset (ON
DELETE CASCADE).

Statements are batched: one claim is a transaction of an insert, an update and
a select over all the keys of a batch, whatever their number, committed without
waiting for the disk (a claim lost in a database crash only lets another server
take the task; the answers are what must last).

A task that ``annotations_per_task`` gives to several sessions has that many
*slots* (:meth:`DatasetClaims.claim_slots`), each claimed for one session. The
answer already counts for its session once stored, so a slot's row can't say
alone how many places are left: a claim locks all the task's slot rows first,
then reads the answers and the slots, and decides on what it read. Claims of
one task thus run one after the other, whichever process makes them, and no
two of them can both take the last place. Which of its own sessions still hold
a task the caller says the same way, from a callback run after the locks, so
two claims of one process need no lock of their own either: the later one
sees what the earlier one gave out. One claim may name many tasks (a session's
next few batches, as the controller claims them), at one transaction for all.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, TypeVar

from sqlalchemy import ColumnElement, Connection, Executable, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from .common import chunks, is_retryable
from .tables import claim as claim_table
from .tables import example as example_table
from .tables import link as link_table

if TYPE_CHECKING:
    from .database import Database

logger = logging.getLogger(__name__)

# keys a statement names at most (a batch is a few dozen; a refresh may be thousands)
CHUNK = 500
MAX_RETRIES = 10
# the claim table's primary key: a conflict on it is what every upsert here resolves
_CLAIM_KEY = [claim_table.c.dataset_id, claim_table.c.task_key, claim_table.c.slot]

Outcome = TypeVar("Outcome")
# reads, inside the claim's transaction, key -> the sessions of this owner that hold the task now
Holding = Optional[Callable[[], Dict[str, Set[str]]]]


@dataclass
class ClaimOutcome:
    """What a claim got: the keys now this owner's, and when the others' holders' leases run out."""

    granted: List[str] = field(default_factory=list)
    held: Dict[str, float] = field(default_factory=dict)  # key -> the holder's lease end (epoch seconds)
    answered: List[str] = field(default_factory=list)  # left out: the dataset has their answers


@dataclass
class SlotOutcome:
    """What a claim of slots for one session got (:meth:`DatasetClaims.claim_slots`).

    A key in neither ``granted`` nor ``held`` is answered: by this session, or
    by as many sessions as the task has slots (``sessions`` says which).
    """

    granted: List[str] = field(default_factory=list)  # a slot is this owner's for the session now
    held: Dict[str, float] = field(default_factory=dict)  # key -> when a slot may come free
    sessions: Dict[str, Set[str]] = field(default_factory=dict)  # key -> sessions the dataset has answers from
    # key -> until when the answers and other owners' live slots fill every place: none for any of this owner's sessions
    full: Dict[str, float] = field(default_factory=dict)


class DatasetClaims:
    """The claims of one dataset, made by one owner (a server process, see mentor.core.claims)."""

    def __init__(self, db: "Database", dataset: str, owner: str) -> None:
        self.db = db
        self.dataset = dataset
        self.owner = owner
        self._dataset_id: Optional[int] = None

    def _id(self, conn: Connection) -> int:
        if self._dataset_id is None:
            self._dataset_id = self.db._require_id(conn, self.dataset)
        return self._dataset_id

    def claim(
        self,
        keys: Sequence[str],
        expires: float,
        now: float,
        answered: Optional[Callable[[Connection], Set[str]]] = None,
    ) -> ClaimOutcome:
        """Claim ``keys`` until ``expires``: new ones, expired ones and this owner's own (renewed).

        ``answered(conn)``, run first on the same connection, names the keys
        to leave out because the dataset has their answers (see
        :meth:`answered_rows`): one connection and transaction for both.

        Keys are written in sorted order, so two processes claiming
        overlapping batches lock rows in one order; a deadlock or
        serialization failure the database still reports is retried.
        """
        if not keys:
            return ClaimOutcome()
        ordered = sorted(set(keys))

        def work(conn: Connection) -> ClaimOutcome:
            done = answered(conn) if answered is not None else set()
            outcome = self._claim(conn, [key for key in ordered if key not in done], expires, now)
            outcome.answered = [key for key in ordered if key in done]
            return outcome

        return self._retrying(work)

    def _retrying(self, work: Callable[[Connection], Outcome]) -> Outcome:
        """Run ``work`` in an unsynced transaction, again after a deadlock or serialization failure."""
        for attempt in range(MAX_RETRIES):
            try:
                with self.db.unsynced_transaction() as conn:
                    return work(conn)
            except OperationalError as err:
                if attempt == MAX_RETRIES - 1 or not is_retryable(err):
                    raise
                logger.info("Retrying a claim after: %s", err.orig)
                time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    def _claim(self, conn: Connection, keys: List[str], expires: float, now: float) -> ClaimOutcome:
        dataset_id = self._id(conn)
        table = claim_table
        outcome = ClaimOutcome()
        upsert = self._upsert(now)
        for chunk in chunks(keys, CHUNK):
            rows = [
                {"dataset_id": dataset_id, "task_key": key, "slot": 0, "owner": self.owner, "expires": expires}
                for key in chunk
            ]
            if upsert is not None:
                # one statement: a new claim, an expired one taken over, or ours renewed comes back
                outcome.granted.extend(row[0] for row in conn.execute(upsert, rows))
                continue
            conn.execute(insert(table).prefix_with("IGNORE"), rows)  # executemany: one cached statement
            # takes over expired claims and renews this owner's (its fresh inserts included)
            conn.execute(
                update(table)
                .where(
                    table.c.dataset_id == dataset_id,
                    table.c.task_key.in_(chunk),
                    table.c.slot == 0,
                    or_(table.c.expires < now, table.c.owner == self.owner),
                )
                .values(owner=self.owner, expires=expires)
            )
            for key, owner, until in conn.execute(
                select(table.c.task_key, table.c.owner, table.c.expires).where(
                    table.c.dataset_id == dataset_id, table.c.task_key.in_(chunk), table.c.slot == 0
                )
            ):
                if owner == self.owner:
                    outcome.granted.append(key)
                else:
                    outcome.held[key] = float(until)
        return outcome

    def _upsert(self, now: float) -> Optional[Executable]:
        """PostgreSQL's and SQLite's INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING, or None (MySQL).

        Sent as one statement for all the rows (SQLAlchemy's insertmanyvalues),
        it returns the keys this owner holds afterwards; the others' lease ends
        stay unread (the caller tries again after a lease).
        """
        dialect = self.db.backend
        if dialect not in ("postgresql", "sqlite"):
            return None
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(claim_table)
        return statement.on_conflict_do_update(
            index_elements=_CLAIM_KEY,
            set_={"owner": statement.excluded.owner, "expires": statement.excluded.expires},
            where=or_(claim_table.c.expires < now, claim_table.c.owner == statement.excluded.owner),
        ).returning(claim_table.c.task_key)

    def claim_slots(
        self,
        keys: Sequence[str],
        session: str,
        slots: int,
        expires: float,
        now: float,
        answered: Callable[[Connection], Dict[str, Set[str]]],
        holding: Holding = None,
    ) -> SlotOutcome:
        """Claim, for ``session``, one of the ``slots`` places of each task in ``keys``, until ``expires``.

        ``answered(conn)`` names, per key, the sessions the dataset holds
        answers from; it runs after the task's slot rows are locked, so it sees
        every answer and claim committed before. A session gets a slot when it
        hasn't answered the task, no other process holds a slot for it, and the
        sessions that answered plus those holding a live slot leave a place:
        its own slot renewed, else one whose lease ran out (a quiet tab, a
        killed process) or, when ``holding`` is given, that this owner holds
        for a session not in ``holding()[key]`` (its sessions that hold the task
        now: the others let go), else one whose session has answered (the
        answer keeps that place). ``holding`` runs after the locks, so what it reads of the owner's
        sessions is no older than the rows, and before ``answered``, so a
        session it leaves out because it answered (the owner learns that once
        the answer is committed) is among the sessions ``answered`` reads.
        Deadlocks the database reports are retried.
        """
        if not keys:
            return SlotOutcome()
        ordered = sorted(set(keys))
        return self._retrying(
            lambda conn: self._claim_slots(conn, ordered, session, slots, expires, now, answered, holding)
        )

    def _claim_slots(
        self,
        conn: Connection,
        keys: List[str],
        session: str,
        slots: int,
        expires: float,
        now: float,
        answered: Callable[[Connection], Dict[str, Set[str]]],
        holding: Holding,
    ) -> SlotOutcome:
        dataset_id = self._id(conn)
        table = claim_table
        places: Dict[str, Dict[int, Tuple[str, str, float]]] = {key: {} for key in keys}
        for chunk in chunks(keys, max(1, CHUNK // slots)):
            # every slot row exists and is this transaction's until it ends: claims of a task queue here
            free = [
                {"dataset_id": dataset_id, "task_key": key, "slot": slot, "owner": "", "session": "", "expires": 0.0}
                for key in chunk
                for slot in range(slots)
            ]
            conn.execute(self._lock_slots(), free)
            for key, slot, owner, holder, until in conn.execute(
                select(table.c.task_key, table.c.slot, table.c.owner, table.c.session, table.c.expires).where(
                    table.c.dataset_id == dataset_id, table.c.task_key.in_(chunk), table.c.slot < slots
                )
            ):
                places[key][int(slot)] = (owner, holder, float(until))
        # after the locks (a claim of this owner's that committed first is in it) and before the answers:
        # a session the owner no longer counts because it answered has that answer in what is read next
        held = holding() if holding is not None else None
        outcome = SlotOutcome(sessions={key: set(done) for key, done in answered(conn).items() if done})
        taken: List[Dict[str, object]] = []
        for key in keys:
            done = outcome.sessions.get(key, set())
            if session in done or len(done) >= slots:
                continue
            current = places[key]
            if held is not None:
                mine = held.get(key, set())
                # this owner's slots of sessions that let go of the task are as good as expired
                current = {
                    slot: place if place[0] != self.owner or place[1] in mine or place[1] == session
                    else (place[0], place[1], -1.0)
                    for slot, place in current.items()
                }
            choice = _pick_slot(current, session, self.owner, done, now)
            if isinstance(choice, float):
                outcome.held[key] = choice
                others = [until for place_owner, holder, until in current.values()
                          if until >= now and place_owner != self.owner and holder not in done]
                if others and len(done) + len(others) >= slots:
                    outcome.full[key] = min(others)
                continue
            outcome.granted.append(key)
            taken.append({"b_key": key, "b_slot": choice})
        if taken:
            conn.execute(
                update(table)
                .where(
                    table.c.dataset_id == dataset_id,
                    table.c.task_key == bindparam("b_key"),
                    table.c.slot == bindparam("b_slot"),
                )
                .values(owner=self.owner, session=session, expires=expires),
                taken,
            )
        return outcome

    def _lock_slots(self) -> Executable:
        """An insert of absent slot rows that locks the present ones (a no-op update): all three dialects' upsert."""
        if self.db.backend == "mysql":
            statement = mysql_insert(claim_table)
            return statement.on_duplicate_key_update(expires=claim_table.c.expires)
        upsert = pg_insert if self.db.backend == "postgresql" else sqlite_insert
        statement = upsert(claim_table)
        return statement.on_conflict_do_update(
            index_elements=_CLAIM_KEY,
            set_={"expires": claim_table.c.expires},
        )

    def renew_slots(self, held: Iterable[Tuple[str, str]], expires: float) -> int:
        """Extend this owner's slots held for ``(key, session)`` pairs to ``expires``; return how many it still held.

        Only the sessions that hold a task now: the slot of one that let go
        runs out and goes to whoever claims it next.
        """
        by_session: Dict[str, Set[str]] = {}
        for key, session in held:
            by_session.setdefault(session, set()).add(key)
        with self.db.unsynced_transaction() as conn:
            return sum(
                self._renew(conn, keys, expires, claim_table.c.session == session)
                for session, keys in sorted(by_session.items())
            )

    def renew(self, keys: Iterable[str], expires: float) -> int:
        """Extend this owner's claims on ``keys`` to ``expires``; return how many it still held."""
        with self.db.unsynced_transaction() as conn:
            return self._renew(conn, keys, expires)

    def _renew(self, conn: Connection, keys: Iterable[str], expires: float, *where: ColumnElement[bool]) -> int:
        """Extend this owner's rows of ``keys`` (and ``where``) to ``expires``; return how many."""
        renewed = 0
        dataset_id = self._id(conn)
        for chunk in chunks(sorted(set(keys)), CHUNK):
            result = conn.execute(
                update(claim_table)
                .where(
                    claim_table.c.dataset_id == dataset_id,
                    claim_table.c.task_key.in_(chunk),
                    claim_table.c.owner == self.owner,
                    *where,
                )
                .values(expires=expires)
            )
            renewed += int(result.rowcount)
        return renewed

    def release(self) -> int:
        """Drop all of this owner's claims (a server stopping cleanly); return how many."""
        with self.db.unsynced_transaction() as conn:
            result = conn.execute(
                delete(claim_table).where(claim_table.c.dataset_id == self._id(conn), claim_table.c.owner == self.owner)
            )
            return int(result.rowcount)

    def prune(self, before: float) -> int:
        """Delete the dataset's claims, anyone's, whose lease ended before ``before``; return how many.

        Such a claim is taken over like a missing one, so deleting it changes
        nothing a process sees; ``before`` should lie a lease or more in the
        past, so that servers whose clocks differ a little agree it is over.
        """
        with self.db.unsynced_transaction() as conn:
            result = conn.execute(
                delete(claim_table).where(claim_table.c.dataset_id == self._id(conn), claim_table.c.expires < before)
            )
            return int(result.rowcount)

    def holders(self, keys: Iterable[str]) -> Dict[str, Tuple[str, float]]:
        """``key -> (owner, lease end)`` for the keys claimed at all (read only)."""
        found: Dict[str, Tuple[str, float]] = {}
        with self.db.engine.connect() as conn:
            dataset_id = self._id(conn)
            for chunk in chunks(list(keys), CHUNK):
                for key, owner, until in conn.execute(
                    select(claim_table.c.task_key, claim_table.c.owner, claim_table.c.expires).where(
                        claim_table.c.dataset_id == dataset_id, claim_table.c.task_key.in_(chunk)
                    )
                ):
                    found[key] = (owner, float(until))
        return found

    def other_owners(self, now: float) -> Dict[str, int]:
        """Owners other than this one with claims on the dataset still running: ``owner -> claims``."""
        with self.db.engine.connect() as conn:
            dataset_id = self._id(conn)
            rows = conn.execute(
                select(claim_table.c.owner, func.count(claim_table.c.task_key.distinct()))
                .where(
                    and_(
                        claim_table.c.dataset_id == dataset_id,
                        claim_table.c.expires >= now,
                        claim_table.c.owner != self.owner,
                    )
                )
                .group_by(claim_table.c.owner)
            )
            return {owner: int(count) for owner, count in rows}

    def answered_rows(
        self, by: str, hashes: Iterable[int], conn: Optional[Connection] = None
    ) -> List[Tuple[int, int, str]]:
        """``(input_hash, task_hash, content)`` of the dataset's answers with these hashes.

        ``by`` names the hash: ``"task"`` (read through the link table's
        unique index) or ``"input"``. Usually nothing matches, so this costs an
        index lookup a batch; the caller turns rows into keys
        (mentor.core.keys.read_stored_keys), which needs the stored input digest.
        """
        return [(i, t, content) for i, t, content, _ in self.answered_sessions(by, hashes, conn)]

    def answered_sessions(
        self, by: str, hashes: Iterable[int], conn: Optional[Connection] = None
    ) -> List[Tuple[int, int, str, str]]:
        """:meth:`answered_rows` with the session of each answer (``link.session_key``) last.

        Slots (``annotations_per_task`` > 1) count the sessions that answered a
        task; the link row names them, so no answer's JSON is parsed for it.
        """
        column = example_table.c.input_hash if by == "input" else link_table.c.task_hash
        if conn is None:
            with self.db.engine.connect() as own:
                return self.answered_sessions(by, hashes, own)
        found: List[Tuple[int, int, str, str]] = []
        dataset_id = self._id(conn)
        for chunk in chunks(sorted(set(int(h) for h in hashes)), CHUNK):
            query = (
                select(example_table.c.input_hash, example_table.c.task_hash, example_table.c.content,
                       link_table.c.session_key)
                .join(link_table, link_table.c.example_id == example_table.c.id)
                .where(link_table.c.dataset_id == dataset_id, column.in_(chunk))
            )
            found.extend((int(i), int(t), content, str(session)) for i, t, content, session in conn.execute(query))
        return found


def _pick_slot(
    places: Dict[int, Tuple[str, str, float]], session: str, owner: str, answered: Set[str], now: float
) -> "int | float":
    """The slot ``owner`` may claim for ``session`` among a task's ``slot -> (owner, session, lease end)``.

    Returns the slot, or (a float) when to try again: another owner holds this
    session's slot, or the answers and the live slots of other sessions fill
    every place. ``answered`` names the sessions that answered the task.
    """
    live = {slot: place for slot, place in places.items() if place[2] >= now}
    for place in live.values():
        if place[1] == session and place[0] != owner:
            return place[2]  # this session's tab on another server has it
    blocking = [place[2] for place in live.values() if place[1] != session and place[1] not in answered]
    if len(answered) + len(blocking) >= len(places):
        return min(blocking)

    def preference(slot: int) -> Tuple[int, int]:
        place_owner, holder, until = places[slot]
        if place_owner == owner and holder == session:
            return (0, slot)  # its own, renewed
        if until < now:
            return (1 if holder == session else 2, slot)
        return (3 if holder in answered else 4, slot)

    return min(places, key=preference)
