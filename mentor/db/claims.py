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
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import Connection, Executable, and_, delete, func, insert, or_, select, update
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


@dataclass
class ClaimOutcome:
    """What a claim got: the keys now this owner's, and when the others' holders' leases run out."""

    granted: List[str] = field(default_factory=list)
    held: Dict[str, float] = field(default_factory=dict)  # key -> the holder's lease end (epoch seconds)
    answered: List[str] = field(default_factory=list)  # left out: the dataset has their answers


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
        for attempt in range(MAX_RETRIES):
            try:
                with self.db.unsynced_transaction() as conn:
                    done = answered(conn) if answered is not None else set()
                    outcome = self._claim(conn, [key for key in ordered if key not in done], expires, now)
                    outcome.answered = [key for key in ordered if key in done]
                    return outcome
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
            rows = [{"dataset_id": dataset_id, "task_key": key, "owner": self.owner, "expires": expires} for key in chunk]
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
                    or_(table.c.expires < now, table.c.owner == self.owner),
                )
                .values(owner=self.owner, expires=expires)
            )
            for key, owner, until in conn.execute(
                select(table.c.task_key, table.c.owner, table.c.expires).where(
                    table.c.dataset_id == dataset_id, table.c.task_key.in_(chunk)
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
            index_elements=[claim_table.c.dataset_id, claim_table.c.task_key],
            set_={"owner": statement.excluded.owner, "expires": statement.excluded.expires},
            where=or_(claim_table.c.expires < now, claim_table.c.owner == statement.excluded.owner),
        ).returning(claim_table.c.task_key)

    def renew(self, keys: Iterable[str], expires: float) -> int:
        """Extend this owner's claims on ``keys`` to ``expires``; return how many it still held."""
        renewed = 0
        with self.db.unsynced_transaction() as conn:
            dataset_id = self._id(conn)
            for chunk in chunks(sorted(set(keys)), CHUNK):
                result = conn.execute(
                    update(claim_table)
                    .where(
                        claim_table.c.dataset_id == dataset_id,
                        claim_table.c.task_key.in_(chunk),
                        claim_table.c.owner == self.owner,
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
                select(claim_table.c.owner, func.count())
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
        column = example_table.c.input_hash if by == "input" else link_table.c.task_hash
        if conn is None:
            with self.db.engine.connect() as own:
                return self.answered_rows(by, hashes, own)
        found: List[Tuple[int, int, str]] = []
        dataset_id = self._id(conn)
        for chunk in chunks(sorted(set(int(h) for h in hashes)), CHUNK):
            query = (
                select(example_table.c.input_hash, example_table.c.task_hash, example_table.c.content)
                .join(link_table, link_table.c.example_id == example_table.c.id)
                .where(link_table.c.dataset_id == dataset_id, column.in_(chunk))
            )
            found.extend((int(i), int(t), content) for i, t, content in conn.execute(query))
        return found
