"""The staging area of ``Database.import_examples``: imports appear all at once, or not at all.

An import writes its examples, in short transactions, into a dataset row of its
own whose name starts with ``~staging:``. No user dataset can have such a name
(``NAME_PATTERN`` refuses ``~`` and ``:``), and ``Database`` skips these rows in
every list and lookup, so readers, counts, exclusion hashes and servers never
see a half-imported file. Publishing is one short transaction: the staging row
is renamed to the dataset's name when the dataset is new, or its links are
re-pointed to the dataset (less those the dataset already holds) when it
exists. A process that dies before that leaves only hidden rows, which the next
import removes (``remove_stale``).

Removal renames the row first (``…:removing``), and every transaction of a live
import starts by touching its row under the live name. So an import taken for
dead by mistake fails at its next chunk instead of publishing half its file.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple

import srsly
from sqlalchemy import Connection, and_, delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..errors import Conflict
from .common import chunks, delete_orphans, is_retryable
from .tables import dataset as dataset_table
from .tables import link as link_table

if TYPE_CHECKING:
    from .database import Database

logger = logging.getLogger(__name__)

STAGING_PREFIX = "~staging:"
REMOVING_SUFFIX = ":removing"
# An import that made no progress for this long is taken for dead, wherever it runs
# (on this host a vanished process id says so at once).
STALE_IMPORT_SECONDS = 1800.0
# Links deleted a transaction when removing or de-duplicating staged rows.
REMOVE_CHUNK = 5000
PUBLISH_ATTEMPTS = 10


@dataclass(frozen=True)
class Staging:
    """An import's hidden dataset row: its id and name, the dataset it is for, when it began."""

    id: int
    name: str
    target: str
    started: float


def is_staging_name(name: str) -> bool:
    return name.startswith(STAGING_PREFIX)


def hidden_names() -> Any:
    """A WHERE clause that keeps staging rows out of dataset lists."""
    return ~dataset_table.c.name.startswith(STAGING_PREFIX, autoescape=True)


def _owner(**extra: Any) -> str:
    """Who holds a staging row, and when it last made progress (``beat``): enough for another
    process to tell whether it is still alive. In ``meta``, not ``created``: MySQL's FLOAT
    comes back rounded to six digits, which is an hour of unix time."""
    return srsly.json_dumps({"host": socket.gethostname(), "pid": os.getpid(), "beat": time.time(), **extra})


def create(db: "Database", target: str) -> Staging:
    """Make the hidden dataset row an import writes into."""
    now = time.time()
    name = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
    with db.engine.begin() as conn:
        result = conn.execute(
            insert(dataset_table).values(
                name=name, created=now, meta=_owner(target=target, started=now), session=False
            )
        )
        staging_id = int(result.inserted_primary_key[0])
    return Staging(staging_id, name, target, now)


def touch(conn: Connection, staging: Staging) -> None:
    """Say the import is alive, as the first write of its transaction.

    On SQLite the first write takes the file's write lock, so what the
    transaction reads afterwards is the latest state. Raises Conflict when
    another process removed the rows, taking the import for dead.
    """
    touched = conn.execute(
        update(dataset_table)
        .where(dataset_table.c.id == staging.id, dataset_table.c.name == staging.name)
        .values(meta=_owner(target=staging.target, started=staging.started))
    ).rowcount
    if not touched:
        raise Conflict(
            "Another process removed this import's staged rows, taking it for dead "
            f"(no progress for {STALE_IMPORT_SECONDS / 60:.0f} minutes, or its process id gone). "
            "Nothing was imported"
        )


# -- publishing ----------------------------------------------------------------


def publish(db: "Database", staging: Staging, target: str, meta: Optional[Dict[str, Any]], staged: int) -> int:
    """Make the staged examples part of ``target`` in one transaction; return how many were added.

    ``staged`` is the number of links the import wrote. A server may create the
    dataset, or store one of the staged answers in it, at any moment; the
    unique link key then refuses the publishing transaction, which is tried
    again with those rows left out.
    """
    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            with db.engine.connect() as conn:
                target_id = db._dataset_id(conn, target)
            if target_id is None:
                with db.engine.begin() as conn:
                    return _publish_as_new(conn, staging, target, meta, staged)
            watermark = min(_last_link_id(db), drop_repeats(db, staging, target_id))
            with db.engine.begin() as conn:
                return _publish_into(conn, staging, target_id, watermark)
        except (IntegrityError, OperationalError) as err:
            retryable = isinstance(err, IntegrityError) or is_retryable(err)
            if attempt == PUBLISH_ATTEMPTS - 1 or not retryable:
                raise
            logger.info("Publishing an import again after: %s", err.orig)
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    raise AssertionError("unreachable")


def _publish_as_new(
    conn: Connection, staging: Staging, target: str, meta: Optional[Dict[str, Any]], staged: int
) -> int:
    """The dataset doesn't exist: the staging row becomes it (one row updated, whatever the size)."""
    touch(conn, staging)
    conn.execute(
        update(dataset_table)
        .where(dataset_table.c.id == staging.id)
        .values(name=target, created=staging.started, meta=srsly.json_dumps(meta or {}))
    )
    return staged


def _publish_into(conn: Connection, staging: Staging, target_id: int, watermark: int) -> int:
    """The dataset exists: re-point the staged links to it, less the answers it got since ``watermark``.

    ``drop_repeats`` already left out what the dataset held before; the links a
    server added since are few, and checked here, inside the transaction.
    """
    touch(conn, staging)
    since = conn.execute(
        select(link_table.c.task_hash, link_table.c.session_key, link_table.c.content_key).where(
            link_table.c.dataset_id == target_id, link_table.c.id > watermark
        )
    ).all()
    key = tuple_(link_table.c.task_hash, link_table.c.session_key, link_table.c.content_key)
    for chunk in chunks(since, 500):
        repeats = conn.execute(
            select(link_table.c.id, link_table.c.example_id).where(
                link_table.c.dataset_id == staging.id, key.in_([tuple(row) for row in chunk])
            )
        ).all()
        _delete_links(conn, repeats)
    moved = conn.execute(
        update(link_table).where(link_table.c.dataset_id == staging.id).values(dataset_id=target_id)
    ).rowcount
    conn.execute(delete(dataset_table).where(dataset_table.c.id == staging.id))
    return int(moved)


def _last_link_id(db: "Database", conn: Optional[Connection] = None) -> int:
    if conn is None:
        with db.engine.connect() as own:
            return _last_link_id(db, own)
    return int(conn.execute(select(func.max(link_table.c.id))).scalar() or 0)


def drop_repeats(db: "Database", staging: Staging, target_id: int) -> int:
    """Delete the staged links whose answer the dataset already holds, a short transaction a page.

    Returns the lowest last link id seen after a delete: SQLite gives a new row
    the highest id plus one, so deleting the highest ids makes them new again,
    and links stored from now on are those above it.
    """
    staged, held = link_table.alias("staged"), link_table.alias("held")
    same_answer = and_(
        held.c.dataset_id == target_id,
        held.c.task_hash == staged.c.task_hash,
        held.c.session_key == staged.c.session_key,
        held.c.content_key == staged.c.content_key,
    )
    last, lowest = 0, _last_link_id(db)
    while True:
        with db.engine.begin() as conn:
            page = conn.execute(
                select(staged.c.id, staged.c.example_id, held.c.id)
                .outerjoin(held, same_answer)
                .where(staged.c.dataset_id == staging.id, staged.c.id > last)
                .order_by(staged.c.id)
                .limit(REMOVE_CHUNK)
            ).all()
            if not page:
                return lowest
            repeats = [(row[0], row[1]) for row in page if row[2] is not None]
            if repeats:
                _delete_links(conn, repeats)
                lowest = min(lowest, _last_link_id(db, conn))
            last = page[-1][0]


# -- removing ------------------------------------------------------------------


def remove(db: "Database", staging_id: int, name: str) -> int:
    """Delete a staging row and what it links to, in short transactions; return how many links went.

    The row is renamed first, so its import (if alive after all) can no longer
    publish it. Nothing happens when it was published meanwhile.
    """
    removing = name if name.endswith(REMOVING_SUFFIX) else name + REMOVING_SUFFIX
    with db.engine.begin() as conn:
        marked = conn.execute(
            update(dataset_table)
            .where(dataset_table.c.id == staging_id, dataset_table.c.name.in_([name, removing]))
            .values(name=removing, meta=_owner())
        ).rowcount
    if not marked:
        return 0
    removed = 0
    while True:
        with db.engine.begin() as conn:
            conn.execute(update(dataset_table).where(dataset_table.c.id == staging_id).values(meta=_owner()))
            rows = conn.execute(
                select(link_table.c.id, link_table.c.example_id)
                .where(link_table.c.dataset_id == staging_id)
                .limit(REMOVE_CHUNK)
            ).all()
            if not rows:
                conn.execute(delete(dataset_table).where(dataset_table.c.id == staging_id))
                return removed
            _delete_links(conn, rows)
            removed += len(rows)


def remove_stale(db: "Database") -> int:
    """Remove the staging rows of imports that died; return how many links went."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(dataset_table.c.id, dataset_table.c.name, dataset_table.c.meta).where(
                dataset_table.c.name.startswith(STAGING_PREFIX, autoescape=True)
            )
        ).all()
    removed = 0
    for staging_id, name, meta in rows:
        if is_abandoned(meta):
            logger.info("Removing the staged rows of an import that died: %s", name)
            removed += remove(db, staging_id, name)
    return removed


def is_abandoned(meta: str) -> bool:
    """Dead: no progress for STALE_IMPORT_SECONDS, or run on this host by a process that is gone."""
    try:
        owner = srsly.json_loads(meta)
        beat = float(owner["beat"])
    except (ValueError, TypeError, KeyError):
        return True  # only imports write these rows, and they always say who and when
    if time.time() - beat > STALE_IMPORT_SECONDS:
        return True
    pid = owner.get("pid")
    return owner.get("host") == socket.gethostname() and isinstance(pid, int) and not _process_alive(pid)


def _process_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate it there; the age rule decides instead
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, as another user
        return True
    return True


def _delete_links(conn: Connection, rows: Sequence[Tuple[int, int]]) -> None:
    """Delete links by id, and the examples nothing links to any more."""
    if not rows:
        return
    for chunk in chunks(rows, REMOVE_CHUNK):
        conn.execute(delete(link_table).where(link_table.c.id.in_([row[0] for row in chunk])))
    delete_orphans(conn, [row[1] for row in rows])
