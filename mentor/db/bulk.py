"""Writing an import's rows into its staging dataset at the speed the database allows.

``Database.import_examples`` hands the tasks here, and publishes what this
staged (``staging.py``). The rows of a transaction are hashed and serialised
before it begins, so a lock is never held while a slow source (a pipe) is read.

How many rows a transaction writes decides the speed. On SQLite each commit
writes every index page the transaction touched, and the hash indexes are
random: with 2,000-row transactions a 1M-row database writes about 20 MB of
pages a commit, 25 times its own size in all (bench/db_io.py). So an import
that has the database to itself writes ``IMPORT_CHUNK_ALONE`` rows a
transaction after a first short one. Once another connection commits to the
SQLite file (a server storing answers: ``PRAGMA data_version`` tells), it
writes ``IMPORT_CHUNK`` rows a transaction for the rest of the file, so that
writer waits for a short transaction, and for a long one at most once. On PostgreSQL and MySQL another
writer never waits for the staged rows (they are under the staging dataset's
own id in every unique key), so their transactions are always the large ones;
PostgreSQL's rows go in with ``COPY``.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterable, Iterator, List, Tuple

from sqlalchemy import Connection

from .common import chunks, delete_orphans

if TYPE_CHECKING:
    from .database import Database, Row
    from .staging import Staging


def stage(db: "Database", area: "Staging", examples: Iterable[Any]) -> int:
    """Write the examples into the staging dataset ``area``, transaction by transaction; return the links made.

    A transaction's rows are let go as it is written, before the next ones are
    read: one transaction's rows in memory, not two (bench/db_io.py's peak at
    1M: 161 -> 138 MB). Reading the next rows in a thread while the last
    transaction commits (which holds no GIL) was no faster on two busy cores
    and cost more CPU, and is not done.
    """
    from . import database, staging  # the sizes are read at each call: tests make them small

    tasks = iter(examples)
    staged = 0
    with _import_connection(db) as (conn, others_wrote):
        ahead = database.IMPORT_CHUNK  # the first transaction is a short one, whoever else writes
        while True:
            rows = database.rows_of(tasks, ahead)
            if not rows:
                return staged
            # another writer may have had its turn while these rows were read, between transactions
            size = database.IMPORT_CHUNK if others_wrote() else len(rows)
            parts = [rows[start : start + size] for start in reversed(range(0, len(rows), size))]
            del rows
            while parts:
                with conn.begin():
                    staging.touch(conn, area)
                    staged += _write(db, conn, parts.pop(), area.id)
            ahead = database.IMPORT_CHUNK if others_wrote() else database.IMPORT_CHUNK_ALONE


def _write(db: "Database", conn: Connection, rows: List["Row"], staging_id: int) -> int:
    if db.backend == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
        return copy_rows(conn, rows, staging_id)
    if db.backend == "sqlite":
        return sqlite_rows(conn, rows, staging_id)
    from .database import WRITE_BATCH

    # MySQL: multi-row statements, a batch at a time
    return sum(db._write_rows(conn, batch, [staging_id]) for batch in chunks(rows, WRITE_BATCH))


# -- SQLite ------------------------------------------------------------------------

_SQLITE_MAX_IDS = "SELECT (SELECT COALESCE(MAX(id), 0) FROM example), (SELECT COALESCE(MAX(id), 0) FROM link)"
# bound straight from a Row (input_hash, task_hash, session, content_key, content): ?3 and ?4
# go unused, so no second tuple a row is built for the examples
_SQLITE_INSERT_EXAMPLE = "INSERT INTO example (id, input_hash, task_hash, content) VALUES (NULL, ?1, ?2, ?5)"
_SQLITE_INSERT_LINK = (
    "INSERT INTO link (id, example_id, dataset_id, task_hash, session_key, content_key) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


def sqlite_rows(conn: Connection, rows: List["Row"], dataset_id: int) -> int:
    """Store rows and link them to a dataset, in the caller's write transaction; return the new links.

    Two executemany calls for the whole transaction. The caller's first write
    took the write lock, so the examples get the ids above the highest, in
    order (an INTEGER PRIMARY KEY left NULL is the highest plus one), and the
    links are given theirs. (Sorting the rows by task hash, so that two of the
    three random indexes take them in order, was slower at 1M rows: 36 s ->
    41 s; sorting only the links, 5.4 s -> 6.3 s of their inserts' CPU.)
    """
    first_example, first_link = conn.exec_driver_sql(_SQLITE_MAX_IDS).one()
    first_example, first_link = first_example + 1, first_link + 1
    conn.exec_driver_sql(_SQLITE_INSERT_EXAMPLE, rows)
    created = conn.exec_driver_sql(
        _SQLITE_INSERT_LINK,
        [
            (first_link + i, first_example + i, dataset_id, task_hash, session, content_key)
            for i, (_, task_hash, session, content_key, _) in enumerate(rows)
        ],
    ).rowcount
    if created != len(rows):
        delete_orphans(conn, range(first_example, first_example + len(rows)))
    return int(created)


@contextmanager
def _import_connection(db: "Database") -> Iterator[Tuple[Connection, Any]]:
    """One connection for the whole import, and a function that says whether another wrote meanwhile.

    On SQLite the connection commits without waiting for the disk: staged rows
    need not survive a crash (it loses the import anyway), and publishing
    commits durably, which flushes all that came before it. It checks no
    foreign keys either: each staged link points at an example inserted just
    before it and at the staging row touched first in the same transaction
    (the checks cost 5% of a 1M-row import).
    """
    with db.engine.connect() as conn:
        if db.backend != "sqlite":
            yield conn, lambda: False
            return
        raw = conn.connection.dbapi_connection
        # outside a transaction: pysqlite begins one at the first write
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA foreign_keys=OFF")
        first = raw.execute("PRAGMA data_version").fetchone()[0]
        seen = [False]

        def others_wrote() -> bool:
            # another connection's commit changes this connection's data_version; sticky, since
            # a writer seen once is likely to write again
            seen[0] = seen[0] or raw.execute("PRAGMA data_version").fetchone()[0] != first
            return seen[0]

        try:
            yield conn, others_wrote
        finally:
            try:
                raw.execute("PRAGMA synchronous=FULL")
                raw.execute("PRAGMA foreign_keys=ON")
            except Exception:
                conn.invalidate()  # a connection that commits unsynced never goes back to the pool


# -- PostgreSQL: COPY ------------------------------------------------------------

# one array, not a row per id: fetching 50,000 rows cost more than the COPY
_PG_NEXT_IDS = "SELECT array(SELECT nextval(pg_get_serial_sequence('example', 'id')) FROM generate_series(1, %s))"
_PG_LINK_COLUMNS = "example_id, dataset_id, task_hash, session_key, content_key"
# the links of a transaction whose COPY into link was refused, before they meet link's
# unique index (COPY can't skip a row the index refuses): one per connection, emptied at each commit
_PG_CREATE_INCOMING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS mentor_incoming_link (example_id bigint, dataset_id bigint, "
    "task_hash bigint, session_key text, content_key bigint) ON COMMIT DELETE ROWS"
)
_PG_PUBLISH_INCOMING = (
    f"INSERT INTO link ({_PG_LINK_COLUMNS}) SELECT {_PG_LINK_COLUMNS} FROM mentor_incoming_link "
    "ORDER BY example_id ON CONFLICT DO NOTHING"
)


def copy_rows(conn: Connection, rows: List["Row"], dataset_id: int) -> int:
    """Store rows and link them to a dataset with ``COPY``, in the caller's transaction; return the new links.

    The example ids come from the sequence first, so each row's link is known
    without reading the rows back. The links are copied straight into ``link``
    under a savepoint; when the unique index refuses one (an answer an earlier
    transaction of the import staged: a transaction's own rows are distinct),
    they go through a temporary table and one INSERT ... SELECT that leaves
    those out, and the examples of those are removed again.
    """
    from psycopg.errors import UniqueViolation

    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(_PG_NEXT_IDS, (len(rows),))
        ids: List[int] = sorted(cursor.fetchone()[0])  # ascending in file order: links are read by id
        with cursor.copy("COPY example (id, input_hash, task_hash, content) FROM STDIN") as copy:
            for example_id, (input_hash, task_hash, _, _, content) in zip(ids, rows):
                copy.write_row((example_id, input_hash, task_hash, content))
        cursor.execute("SAVEPOINT mentor_links")
        try:
            _copy_links(cursor, "link", ids, rows, dataset_id)
            cursor.execute("RELEASE SAVEPOINT mentor_links")
            return len(rows)
        except UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT mentor_links")
        cursor.execute(_PG_CREATE_INCOMING)
        _copy_links(cursor, "mentor_incoming_link", ids, rows, dataset_id)
        cursor.execute(_PG_PUBLISH_INCOMING)
        created = int(cursor.rowcount)
        cursor.execute("TRUNCATE mentor_incoming_link")  # a second COPY in this transaction starts empty
    finally:
        cursor.close()
    if created != len(rows):
        delete_orphans(conn, ids)
    return created


def _copy_links(cursor: Any, table: str, ids: List[int], rows: List["Row"], dataset_id: int) -> None:
    with cursor.copy(f"COPY {table} ({_PG_LINK_COLUMNS}) FROM STDIN") as copy:
        for example_id, (_, task_hash, session, content_key, _) in zip(ids, rows):
            copy.write_row((example_id, dataset_id, task_hash, session, content_key))
