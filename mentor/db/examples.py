"""Examples by row id or hash: read, link to a dataset, unlink, delete.

mentor's own commands speak datasets; Prodigy's ``Database`` also reads,
links and deletes single examples by their row ids or hashes (``get_examples``,
``link``, ``unlink``, ``drop_examples``), which its recipes call through
mentor.compat.prodigy. They live here, beside the tables they touch. A link row
repeats the example's task hash, session and content key (the unique index:
one answer once a dataset and session), so :func:`link` computes them as the
writer does and skips an answer the dataset already holds.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Set, Tuple

import srsly
from sqlalchemy import delete, insert, select

from ..errors import ExampleLookupError
from ..tasks import Task, hash_for_storage
from .common import chunks
from .tables import example as example_table
from .tables import link as link_table

if TYPE_CHECKING:
    from .database import Database

BY = {"task_hash": example_table.c.task_hash, "input_hash": example_table.c.input_hash, "id": example_table.c.id}
CHUNK = 5000


def _column(method: str, by: str) -> Any:
    if by not in BY:
        raise ExampleLookupError(method, by, sorted(BY))
    return BY[by]


def get_examples(db: Database, ids: Iterable[int], by: str = "task_hash") -> List[Task]:
    """The stored examples whose ``by`` (``task_hash``, ``input_hash`` or row ``id``) is in ``ids``, in storage order."""
    column = _column("get_examples", by)
    wanted = sorted({int(value) for value in ids})
    rows: Dict[int, str] = {}
    with db.engine.connect() as conn:
        for chunk in chunks(wanted, CHUNK):
            query = select(example_table.c.id, example_table.c.content).where(column.in_(chunk))
            rows.update((int(ident), content) for ident, content in conn.execute(query))
    return [srsly.json_loads(rows[ident]) for ident in sorted(rows)]


def link(db: Database, name: str, example_ids: Iterable[int]) -> int:
    """Link stored examples (by row id) to dataset ``name``; returns how many links are new.

    An id with no example is skipped, as is an example whose answer (task hash,
    session and content) the dataset holds already.
    """
    wanted = sorted({int(value) for value in example_ids})
    with db.transaction() as conn:
        dataset_id = db._require_id(conn, name)
        held: Set[Tuple[int, str, int]] = {
            (int(task_hash), session, int(content_key))
            for task_hash, session, content_key in conn.execute(
                select(link_table.c.task_hash, link_table.c.session_key, link_table.c.content_key)
                .where(link_table.c.dataset_id == dataset_id)
            )
        }
        links: List[Dict[str, Any]] = []
        for chunk in chunks(wanted, CHUNK):
            query = select(example_table.c.id, example_table.c.task_hash, example_table.c.content).where(
                example_table.c.id.in_(chunk)
            )
            for ident, task_hash, content in conn.execute(query):
                task = srsly.json_loads(content)
                session = str(task.get("_session_id") or "")[:255]
                key = (int(task_hash), session, hash_for_storage(task))
                if key in held:
                    continue
                held.add(key)
                links.append({
                    "example_id": ident, "dataset_id": dataset_id, "task_hash": key[0], "session_key": key[1],
                    "content_key": key[2],
                })
        if links:
            conn.execute(insert(link_table), links)
    return len(links)


def unlink(db: Database, name: str) -> int:
    """Remove every link of dataset ``name`` (the dataset and the examples stay); returns how many."""
    with db.transaction() as conn:
        dataset_id = db._require_id(conn, name)
        return int(conn.execute(delete(link_table).where(link_table.c.dataset_id == dataset_id)).rowcount)


def drop_examples(db: Database, ids: Iterable[int], by: str = "task_hash") -> int:
    """Delete the examples whose ``by`` is in ``ids``, from every dataset and session; returns how many."""
    column = _column("drop_examples", by)
    wanted = sorted({int(value) for value in ids})
    dropped = 0
    with db.transaction() as conn:
        for chunk in chunks(wanted, CHUNK):
            idents = [row[0] for row in conn.execute(select(example_table.c.id).where(column.in_(chunk)))]
            for part in chunks(idents, CHUNK):
                conn.execute(delete(link_table).where(link_table.c.example_id.in_(part)))
                dropped += int(conn.execute(delete(example_table).where(example_table.c.id.in_(part))).rowcount)
    return dropped
