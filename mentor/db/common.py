"""Helpers the database modules share: chunking, retryable errors, orphaned examples, a paused collector."""
from __future__ import annotations

import gc
import itertools
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, List, Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import OperationalError

from .tables import example as example_table
from .tables import link as link_table


def chunks(items: Iterable[Any], size: int) -> Iterator[List[Any]]:
    """Lists of up to ``size`` items, read lazily: a million rows never sit in memory at once."""
    iterator = iter(items)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


def is_retryable(err: OperationalError) -> bool:
    """Deadlocks and serialization failures: the database asks the client to retry."""
    code = getattr(err.orig, "sqlstate", None) or (err.orig.args[0] if getattr(err.orig, "args", None) else None)
    return code in ("40P01", "40001", 1213, 1205) or "database is locked" in str(err.orig)


def delete_orphans(conn: Connection, ids: Sequence[int]) -> None:
    """Remove the examples among ``ids`` no dataset links to: just inserted as repeats, or dropped."""
    linked = select(link_table.c.id).where(link_table.c.example_id == example_table.c.id)
    for chunk in chunks(ids, 5000):
        conn.execute(delete(example_table).where(example_table.c.id.in_(chunk), ~linked.exists()))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import builds a transaction's rows.

    Parsed tasks and their row tuples hold no reference cycles, yet every few
    hundred of them start a collection that walks the rows built so far: 7% of
    a 1M-row import's CPU (bench/db_io.py). Reference counting still frees
    each task as soon as its row is made. The collector runs again after, if it
    ran before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
