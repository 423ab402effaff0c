"""The ``Database`` API: datasets, sessions and the answers stored in them.

It speaks tasks (dicts) and dataset names, never HTTP or spaCy. SQLite is the
embedded default; PostgreSQL and MySQL/MariaDB go through the same SQLAlchemy
Core statements. Writes are batched; an import writes in short transactions
into a hidden staging dataset and publishes it in one (``staging.py``), so
other writers interleave and readers see all of a file or none of it. Reads
stream with ``yield_per`` so exporting a million answers never holds them all
in memory.
"""
from __future__ import annotations

import itertools
import logging
import random
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import srsly
from srsly.ujson import dumps as _dumps  # what srsly.json_dumps calls, with its arguments
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from ..errors import ConfigError, DatasetNotFound, InvalidDatasetName, InvalidTask
from ..tasks import Task, hash_for_storage
from . import bulk, staging
from .claims import DatasetClaims
from .common import chunks as _chunks
from .common import collector_paused, delete_orphans, is_retryable
from .tables import dataset as dataset_table
from .tables import example as example_table
from .tables import link as link_table
from .tables import metadata
from .upgrade import upgrade

logger = logging.getLogger(__name__)

WRITE_BATCH = 2000
# Examples an import writes into its staging dataset in one transaction once another
# connection writes the same SQLite file (bulk.py). That writer waits for the transaction,
# which grows with the database's indexes: during a 1M-line import give_answers' p99 was
# 378 ms with 5,000-row chunks, 160 ms with 2,000 (bench/server_load.py --db-in-during --rate 200 -n 10). Larger
# chunks import faster: their index pages are shared by more rows.
IMPORT_CHUNK = 2000
# Examples an import writes a transaction while nothing else writes the database, or on
# PostgreSQL and MySQL (see bulk.py): at 1M rows, 2,000-row transactions wrote 25 times the
# database's size in index pages. Rows are read ahead before each transaction, so this
# bounds the import's memory (bench/db_io.py's peak: 160 MB, 103 MB with 2,000-row reads).
IMPORT_CHUNK_ALONE = 50_000
READ_BATCH = 2000
MAX_RETRIES = 10


# One example on its way into the database: (input_hash, task_hash, session, content_key,
# content). A plain tuple: an import makes a million, and a NamedTuple's constructor is a
# Python function (1.2 us a row on this machine).
Row = Tuple[int, int, str, int, str]


# letters (any script), digits, '_', '-', '.', '@': a name is also a file name (db-out), a
# path-free URL part (?session=), a CLI word and a PostgreSQL string (no NUL), and ','
# and ':' are syntax in `train --ner a,eval:b`
NAME_PATTERN = re.compile(r"[\w.@-]{1,255}")


def validate_dataset_name(name: str) -> str:
    """Return the name, or raise InvalidDatasetName when it breaks the rules above."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or not name.strip("."):
        raise InvalidDatasetName(str(name))
    return name


def _session_key(task: Task) -> str:
    session = task.get("_session_id")
    return str(session)[:255] if session else ""


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the server read while it writes; FULL makes every acknowledged commit durable.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """Create an engine for a URL, with the settings each backend needs."""
    try:
        parsed = make_url(url)
    except Exception as err:  # sqlalchemy raises ArgumentError with a terse message
        raise ConfigError(f"Invalid database URL '{url}': {err}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    options: Dict[str, Any] = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        # REPEATABLE READ's gap locks make concurrent INSERT IGNOREs deadlock on the unique index
        options["isolation_level"] = "READ COMMITTED"
    try:
        return create_engine(parsed, **options)
    except ModuleNotFoundError as err:
        raise ConfigError(
            f"Database URL '{parsed.render_as_string()}' needs the driver '{err.name}': "
            "pip install 'mentor[postgres]' or 'mentor[mysql]'"
        ) from None


class Database:
    """Datasets and their stored answers, in one SQL database."""

    def __init__(self, url: str, *, engine: Optional[Engine] = None) -> None:
        self.url = url
        self.engine = engine or create_db_engine(url)
        self._returning = bool(
            getattr(self.engine.dialect, "insert_executemany_returning_sort_by_parameter_order", False)
        )
        self._create_tables()

    def _create_tables(self) -> None:
        """Create the missing tables; when another process creates them at the same moment, look again."""
        for attempt in range(3):
            try:
                metadata.create_all(self.engine)
                upgrade(self.engine)
                return
            except SQLAlchemyError:
                # two servers started at once on a new database: MySQL says "Table 'link' already exists"
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))

    # -- connection ---------------------------------------------------------

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def location(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def reconnect(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # -- datasets -----------------------------------------------------------

    def _dataset_names(self, session: bool) -> List[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(dataset_table.c.name)
                .where(dataset_table.c.session == session, staging.hidden_names())
                .order_by(dataset_table.c.id)
            )
            return [row[0] for row in rows]

    @property
    def datasets(self) -> List[str]:
        """Names of all datasets that are not sessions, oldest first."""
        return self._dataset_names(False)

    @property
    def sessions(self) -> List[str]:
        """Names of all session datasets, oldest first."""
        return self._dataset_names(True)

    def __len__(self) -> int:
        return len(self.datasets)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        with self.engine.connect() as conn:
            return self._dataset_id(conn, name) is not None

    def _dataset_id(self, conn: Connection, name: str) -> Optional[int]:
        if staging.is_staging_name(name):
            return None  # an import's hidden rows are nobody's dataset
        row = conn.execute(select(dataset_table.c.id).where(dataset_table.c.name == name)).first()
        return row[0] if row else None

    def _require_id(self, conn: Connection, name: str) -> int:
        dataset_id = self._dataset_id(conn, name)
        if dataset_id is None:
            raise DatasetNotFound(name)
        return dataset_id

    def add_dataset(
        self, name: str, meta: Optional[Dict[str, Any]] = None, session: bool = False
    ) -> str:
        """Create a dataset (or session) if it doesn't exist yet; return its name."""
        validate_dataset_name(name)
        self._create_dataset(name, meta, session=session)
        return name

    def import_examples(
        self, name: str, examples: Iterable[Task], *, meta: Optional[Dict[str, Any]] = None
    ) -> int:
        """Add examples to a dataset (created if needed): all of them at once, or none.

        The examples go into a hidden staging dataset a chunk at a time
        (``bulk.stage``): each chunk is hashed and serialised first, then written
        in a transaction of its own, so another process writing the same
        database (a server on the same SQLite file) waits for one chunk's
        inserts, never for the file.
        Publishing is one short transaction (``staging.publish``); the unique link
        key keeps an answer the dataset already holds from being stored twice. If
        the examples raise part-way (a bad line, Ctrl-C), the staged rows are
        removed before the error propagates; if the process dies, they stay hidden
        until the next import removes them. Returns the number of examples added.
        """
        validate_dataset_name(name)
        self.remove_stale_imports()
        area = staging.create(self, name)
        try:
            staged = bulk.stage(self, area, examples)
            return staging.publish(self, area, name, meta, staged)
        except BaseException:
            staging.remove(self, area.id, area.name)
            raise

    @contextmanager
    def unsynced_transaction(self) -> Iterator[Connection]:
        """A transaction that commits without waiting for the disk (SQLite, PostgreSQL).

        For rows that need not survive a crash of the database. Staged rows:
        a crash before publishing loses the import anyway, and publishing
        commits durably, which flushes all that came before it (on SQLite the
        flush would hold the write lock). Claims (``claims.py``): a claim lost
        in a crash only lets another server take the task, and the answers
        themselves are stored durably.
        """
        with self.engine.connect() as conn:
            if self.backend != "sqlite":
                with conn.begin():
                    if self.backend == "postgresql":
                        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                    yield conn
                return
            raw = conn.connection.dbapi_connection
            raw.execute("PRAGMA synchronous=NORMAL")  # outside the transaction: pysqlite begins at the first write
            try:
                with conn.begin():
                    yield conn
            finally:
                try:
                    raw.execute("PRAGMA synchronous=FULL")
                except Exception:
                    conn.invalidate()  # a connection that commits unsynced never goes back to the pool

    def remove_stale_imports(self) -> int:
        """Delete what imports that died (killed, or their machine gone) left hidden; return how many rows.

        Safe beside imports still running: see ``staging.remove_stale``.
        """
        return staging.remove_stale(self)

    def _create_dataset(self, name: str, meta: Optional[Dict[str, Any]], *, session: bool = False) -> bool:
        """Create a dataset; False when it already exists."""
        with self.engine.begin() as conn:
            if self._dataset_id(conn, name) is not None:
                return False
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(dataset_table).values(
                            name=name, created=time.time(), meta=srsly.json_dumps(meta or {}), session=session
                        )
                    )
            except IntegrityError:
                return False  # another process created it between our check and insert
        return True

    def get_meta(self, name: str) -> Dict[str, Any]:
        """The dataset's meta, plus ``created`` (unix time) and ``session``."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(dataset_table.c.meta, dataset_table.c.created, dataset_table.c.session)
                .where(dataset_table.c.name == name)
            ).first()
        if row is None:
            raise DatasetNotFound(name)
        meta = srsly.json_loads(row[0]) if row[0] else {}
        meta.setdefault("created", row[1])
        meta["session"] = bool(row[2])
        return meta

    def set_meta(self, name: str, meta: Dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            self._require_id(conn, name)
            conn.execute(
                update(dataset_table)
                .where(dataset_table.c.name == name)
                .values(meta=srsly.json_dumps(meta))
            )

    def drop_dataset(self, name: str) -> int:
        """Delete a dataset, its answers in session datasets, and examples left unlinked.

        The server links every answer to the dataset and to the annotator's
        session dataset (``DATASET-NAME``); those session links belong to the
        dataset too, so they go with it, and a session dataset left empty is
        deleted. Examples another dataset still links to are kept. One
        transaction: a failure deletes nothing. Returns the dataset's count.
        """
        with self.engine.begin() as conn:
            dataset_id = self._require_id(conn, name)
            # materialise: MySQL can't delete from a table it selects from in a subquery
            example_ids = [
                row[0] for row in conn.execute(select(link_table.c.example_id).where(link_table.c.dataset_id == dataset_id))
            ]
            sessions: Set[int] = set()
            for chunk in _chunks(example_ids, 5000):
                sessions.update(
                    row[0]
                    for row in conn.execute(
                        select(link_table.c.dataset_id)
                        .join(dataset_table, dataset_table.c.id == link_table.c.dataset_id)
                        .where(dataset_table.c.session.is_(True), link_table.c.example_id.in_(chunk))
                        .distinct()
                    )
                )
            for chunk in _chunks(example_ids, 5000):
                conn.execute(
                    delete(link_table).where(
                        link_table.c.dataset_id.in_([dataset_id, *sessions]), link_table.c.example_id.in_(chunk)
                    )
                )
            delete_orphans(conn, example_ids)
            for session_id in sessions:
                linked = select(link_table.c.id).where(link_table.c.dataset_id == session_id).exists()
                if not conn.execute(select(linked)).scalar():
                    conn.execute(delete(dataset_table).where(dataset_table.c.id == session_id))
            conn.execute(delete(dataset_table).where(dataset_table.c.id == dataset_id))
        return len(example_ids)

    # -- writing ------------------------------------------------------------

    def add_examples(
        self,
        examples: Iterable[Task],
        datasets: Sequence[str],
        *,
        conn: Optional[Connection] = None,
    ) -> int:
        """Store examples and link each to every named dataset, in one transaction.

        Hashes are set where missing. An answer the same session already gave in
        a dataset (same task hash and content) is not stored again there, so a
        retried batch is stored once. Returns the number of new links made in the first dataset.
        The iterable is consumed lazily, in batches: if it raises part-way (a bad
        line in an import), the transaction rolls back and nothing is stored.
        Raises DatasetNotFound for a dataset that doesn't exist.
        """
        if not datasets:
            raise ValueError("add_examples needs at least one dataset name")
        if conn is not None:
            return self._add_examples(conn, examples, datasets)
        if not isinstance(examples, (list, tuple)):
            with self.engine.begin() as own_conn:
                return self._add_examples(own_conn, examples, datasets)
        # A list can be written again: concurrent writers on MySQL/PostgreSQL may
        # deadlock on the unique index, and the database then asks us to retry.
        for attempt in range(MAX_RETRIES):
            try:
                with self.engine.begin() as own_conn:
                    return self._add_examples(own_conn, examples, datasets)
            except OperationalError as err:
                if attempt == MAX_RETRIES - 1 or not is_retryable(err):
                    raise
                logger.info("Retrying a write after: %s", err.orig)
                time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    def _add_examples(self, conn: Connection, examples: Iterable[Task], datasets: Sequence[str]) -> int:
        dataset_ids = [self._require_id(conn, name) for name in datasets]
        added = 0
        for batch in _chunks(examples, WRITE_BATCH):
            added += self._add_batch(conn, batch, dataset_ids)
        return added

    def _add_batch(self, conn: Connection, batch: List[Task], dataset_ids: List[int]) -> int:
        return self._write_rows(conn, _rows(batch), dataset_ids)

    def _write_rows(self, conn: Connection, rows: List[Row], dataset_ids: List[int]) -> int:
        """Insert the examples and link each to every dataset; return the new links in the first."""
        if not rows:
            return 0
        ids = self._insert_examples(conn, rows)
        first_count = 0
        all_linked = True
        for position, dataset_id in enumerate(dataset_ids):
            links = [
                (example_id, dataset_id, task_hash, session, content_key)
                for example_id, (_, task_hash, session, content_key, _) in zip(ids, rows)
            ]
            # the unique index decides what is new: no read-before-write, no race between writers
            created = self._insert_links(conn, links)
            all_linked = all_linked and created == len(links)
            if position == 0:
                first_count = created
        if not all_linked:
            delete_orphans(conn, ids)
        return first_count

    def _insert_links(self, conn: Connection, links: List[Tuple[int, int, int, str, int]]) -> int:
        """Insert links, skipping those the unique index already holds; return how many were new.

        SQLite and PostgreSQL get hand-written statements: SQLAlchemy's per-row
        parameter processing, and psycopg's parsing of a many-VALUES statement,
        cost more than the database's own insert.
        """
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            # one statement a batch: the columns travel as five arrays
            return int(conn.exec_driver_sql(_PG_INSERT_LINKS, tuple(map(list, zip(*links)))).rowcount)
        if dialect == "sqlite":
            return int(conn.exec_driver_sql(_SQLITE_INSERT_LINK, links).rowcount)
        # PyMySQL's executemany sends multi-row INSERT ... VALUES statements
        return int(conn.exec_driver_sql(_MYSQL_INSERT_LINK, links).rowcount)

    def _insert_examples(self, conn: Connection, rows: List[Row]) -> List[int]:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            # The insert takes SQLite's write lock until commit, so no other writer can
            # interleave: the new rowids are the len(rows) highest, in order.
            conn.exec_driver_sql(
                _SQLITE_INSERT_EXAMPLE, [(input_hash, task_hash, content) for input_hash, task_hash, _, _, content in rows]
            )
            last = conn.execute(select(func.max(example_table.c.id))).scalar_one()
            return list(range(last - len(rows) + 1, last + 1))
        if dialect == "postgresql":
            # take the ids from the sequence first, so that each row's id is known
            # without relying on the order RETURNING gives them back in
            ids = [row[0] for row in conn.exec_driver_sql(_PG_NEXT_EXAMPLE_IDS, (len(rows),))]
            columns = (ids, [r[0] for r in rows], [r[1] for r in rows], [r[4] for r in rows])
            conn.exec_driver_sql(_PG_INSERT_EXAMPLES, columns)
            return ids
        if getattr(self.engine.dialect, "is_mariadb", False):
            return _mariadb_insert_examples(conn, rows)
        values = [
            {"input_hash": input_hash, "task_hash": task_hash, "content": content}
            for input_hash, task_hash, _, _, content in rows
        ]
        if self._returning:
            result = conn.execute(
                insert(example_table).returning(example_table.c.id, sort_by_parameter_order=True),
                values,
            )
            return [row[0] for row in result]
        # MySQL has no INSERT ... RETURNING: insert one statement a row to learn each id
        return [conn.execute(insert(example_table), value).inserted_primary_key[0] for value in values]

    # -- claims -------------------------------------------------------------

    def claims(self, name: str, owner: str) -> "DatasetClaims":
        """The claims ``owner`` (a server process) makes on a dataset's tasks: see ``claims.py``."""
        return DatasetClaims(self, name, owner)

    # -- reading ------------------------------------------------------------

    def get_dataset_examples(
        self, name: str, *, answer: Optional[str] = None, session: Optional[str] = None
    ) -> Iterator[Task]:
        """Stream a dataset's examples in the order they were stored.

        Lazy and memory-flat: rows arrive in batches from a server-side cursor.
        Raises DatasetNotFound before yielding anything when the dataset is missing.
        """
        with self.engine.connect() as conn:
            dataset_id = self._require_id(conn, name)
        return self._stream_examples(dataset_id, answer=answer, session=session)

    def _stream_examples(
        self, dataset_id: int, *, answer: Optional[str], session: Optional[str]
    ) -> Iterator[Task]:
        query = (
            select(example_table.c.content)
            .join(link_table, link_table.c.example_id == example_table.c.id)
            .where(link_table.c.dataset_id == dataset_id)
            .order_by(link_table.c.id)
        )
        if session is not None:
            query = query.where(link_table.c.session_key == session)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=READ_BATCH).execute(query)
            for (content,) in result:
                task = srsly.json_loads(content)
                if answer is None or task.get("answer") == answer:
                    yield task

    def get_dataset(self, name: str) -> List[Task]:
        """All examples of a dataset as a list (Prodigy's name; prefer get_dataset_examples)."""
        return list(self.get_dataset_examples(name))

    def iter_raw_examples(self, name: str) -> Iterator[str]:
        """Stream the stored JSON text of each example, unparsed (fast export)."""
        with self.engine.connect() as conn:
            dataset_id = self._require_id(conn, name)
        query = (
            select(example_table.c.content)
            .join(link_table, link_table.c.example_id == example_table.c.id)
            .where(link_table.c.dataset_id == dataset_id)
            .order_by(link_table.c.id)
        )
        with self.engine.connect() as conn:
            for (content,) in conn.execution_options(yield_per=READ_BATCH).execute(query):
                yield content

    def count_dataset(self, name: str, session: bool = False) -> int:
        """Number of examples in a dataset (``session`` is accepted for Prodigy parity)."""
        with self.engine.connect() as conn:
            dataset_id = self._require_id(conn, name)
            count = conn.execute(
                select(func.count()).select_from(link_table).where(link_table.c.dataset_id == dataset_id)
            ).scalar_one()
        return int(count)

    def _hashes(self, column: Any, names: Sequence[str]) -> Set[int]:
        with self.engine.connect() as conn:
            ids = [self._require_id(conn, name) for name in names]
            if not ids:
                return set()
            query = (
                select(column)
                .join(link_table, link_table.c.example_id == example_table.c.id)
                .where(link_table.c.dataset_id.in_(ids))
            )
            return {int(row[0]) for row in conn.execution_options(yield_per=10000).execute(query)}

    def get_input_hashes(self, *names: str) -> Set[int]:
        return self._hashes(example_table.c.input_hash, names)

    def get_task_hashes(self, *names: str) -> Set[int]:
        return self._hashes(example_table.c.task_hash, names)

    def get_session_names(self, name: str) -> List[str]:
        """Session ids (``_session_id``) that answered in a dataset."""
        with self.engine.connect() as conn:
            dataset_id = self._require_id(conn, name)
            rows = conn.execute(
                select(link_table.c.session_key)
                .where(link_table.c.dataset_id == dataset_id)
                .distinct()
            )
            return sorted(row[0] for row in rows if row[0])

    def iter_hashes_and_content(self, *names: str) -> Iterator[Tuple[int, int, str]]:
        """``(input_hash, task_hash, content)`` of each example in the datasets, unparsed, streamed.

        What the server reads its exclusion keys from (mentor.core.keys): the
        hashes come from their columns, the stored ``_input_digest`` from the
        end of the JSON, so a million answers need no JSON parsing. Raises
        DatasetNotFound at once for a missing dataset.
        """
        with self.engine.connect() as conn:
            ids = [self._require_id(conn, name) for name in names]
        query = (
            select(example_table.c.input_hash, example_table.c.task_hash, example_table.c.content)
            .join(link_table, link_table.c.example_id == example_table.c.id)
            .where(link_table.c.dataset_id.in_(ids))
        )

        def rows() -> Iterator[Tuple[int, int, str]]:
            if not ids:
                return
            with self.engine.connect() as conn:
                for input_hash, task_hash, content in conn.execution_options(yield_per=READ_BATCH).execute(query):
                    yield int(input_hash), int(task_hash), content

        return rows()


_PG_NEXT_EXAMPLE_IDS = "SELECT nextval(pg_get_serial_sequence('example', 'id')) FROM generate_series(1, %s)"
_PG_INSERT_EXAMPLES = (
    "INSERT INTO example (id, input_hash, task_hash, content) "
    "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[], %b::text[])"
)
_PG_INSERT_LINKS = (
    "INSERT INTO link (example_id, dataset_id, task_hash, session_key, content_key) "
    "SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bigint[], %b::text[], %b::bigint[]) "
    "ON CONFLICT DO NOTHING"
)
_SQLITE_INSERT_EXAMPLE = "INSERT INTO example (input_hash, task_hash, content) VALUES (?, ?, ?)"
_SQLITE_INSERT_LINK = (
    "INSERT INTO link (example_id, dataset_id, task_hash, session_key, content_key) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


_MYSQL_INSERT_LINK = (
    "INSERT IGNORE INTO link (example_id, dataset_id, task_hash, session_key, content_key) "
    "VALUES (%s, %s, %s, %s, %s)"
)
# bytes of content one multi-row INSERT carries at most (MariaDB's max_allowed_packet is 16 MB)
MARIADB_STATEMENT_BYTES = 4_000_000


def _mariadb_insert_examples(conn: Connection, rows: List[Row]) -> List[int]:
    """Insert examples with multi-row ``INSERT ... RETURNING id`` statements; return their ids in order.

    MariaDB (10.5+) returns the new ids; within one statement they grow in the
    order of its VALUES, whoever else inserts meanwhile.
    """
    ids: List[int] = []
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        start = 0
        while start < len(rows):
            end, size = start, 0
            while end < len(rows) and (end == start or size + len(rows[end][4]) < MARIADB_STATEMENT_BYTES):
                size += len(rows[end][4])
                end += 1
            part = rows[start:end]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO example (input_hash, task_hash, content) VALUES {values} RETURNING id",
                [value for input_hash, task_hash, _, _, content in part for value in (input_hash, task_hash, content)],
            )
            ids.extend(sorted(row[0] for row in cursor.fetchall()))
            start = end
    finally:
        cursor.close()
    return ids


def rows_of(tasks: Iterator[Task], limit: int) -> List[Row]:
    """The rows of the next ``limit`` tasks, each answer once; the tasks themselves are let go batch by batch."""
    rows: List[Row] = []
    seen: Set[Tuple[int, str, int]] = set()
    with collector_paused():
        for batch in _chunks(itertools.islice(tasks, limit), WRITE_BATCH):
            rows.extend(_rows(batch, seen))
    return rows


def _rows(tasks: List[Task], seen: Optional[Set[Tuple[int, str, int]]] = None) -> List[Row]:
    """The rows to store for some tasks, each answer once (a repeat would only make an orphan row)."""
    rows: List[Row] = []
    seen = set() if seen is None else seen
    for task in tasks:  # a million times an import: _session_key inlined, srsly.json_dumps's own call
        if type(task) is not dict and not isinstance(task, dict):
            raise InvalidTask("task", f"must be a JSON object, got {type(task).__name__}")
        content_key = hash_for_storage(task)
        task_hash = task["_task_hash"]
        session = task.get("_session_id")
        session = str(session)[:255] if session else ""
        key = (task_hash, session, content_key)
        if key not in seen:
            seen.add(key)
            rows.append((task["_input_hash"], task_hash, session, content_key, _dumps(task, indent=0, escape_forward_slashes=False)))
    return rows


def connect(url: Optional[str] = None, *, settings: Any = None) -> Database:
    """Open the database: an explicit URL, else the one in the settings (default: SQLite in home)."""
    if url is None:
        if settings is None:
            from ..config import load_settings

            settings = load_settings()
        url = settings.database_url
    try:
        return Database(url)
    except SQLAlchemyError as err:
        raise ConfigError(
            f"Can't open the database at {make_url(url).render_as_string(hide_password=True)}: "
            f"{err.__class__.__name__}: {str(err).splitlines()[0]}"
        ) from None
