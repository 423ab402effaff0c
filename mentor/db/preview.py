"""What a write would do, worked out without writing: the ``--dry`` of db-in, db-merge and drop.

A dataset holds each answer once: one link per task hash, session and content
key (the unique index in ``tables.py``). A preview reads those keys for the
target dataset and counts how many incoming answers are new, so a dry run says
what the real run would add. Nothing here opens a write transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Set, Tuple

from sqlalchemy import select

from ..tasks import Task, hash_for_storage
from .database import Database
from .tables import dataset as dataset_table
from .tables import link as link_table

AnswerKey = Tuple[int, str, int]


def answer_key(task: Task) -> AnswerKey:
    """The key the unique link index gives an answer: task hash, session, content key (sets missing hashes)."""
    content_key = hash_for_storage(task)
    session = task.get("_session_id")
    return int(task["_task_hash"]), (str(session)[:255] if session else ""), content_key


def held_answer_keys(db: Database, name: str) -> Set[AnswerKey]:
    """The answer keys a dataset holds; empty when it doesn't exist (an import would create it)."""
    with db.engine.connect() as conn:
        row = conn.execute(select(dataset_table.c.id).where(dataset_table.c.name == name)).first()
        if row is None:
            return set()
        query = select(link_table.c.task_hash, link_table.c.session_key, link_table.c.content_key).where(
            link_table.c.dataset_id == row[0]
        )
        return {(int(h), str(s or ""), int(k)) for h, s, k in conn.execution_options(yield_per=10000).execute(query)}


@dataclass
class AddPreview:
    """What adding answers to a dataset would do: read, new, already held (or repeated in the input)."""

    dataset: str
    exists: bool
    read: int = 0
    new: int = 0

    @property
    def repeats(self) -> int:
        return self.read - self.new


def preview_add(db: Database, name: str, tasks: Iterable[Task]) -> AddPreview:
    """Count the answers of ``tasks`` that ``name`` doesn't hold yet, without writing anything."""
    held = held_answer_keys(db, name)
    preview = AddPreview(dataset=name, exists=name in db)
    for task in tasks:
        preview.read += 1
        key = answer_key(task)
        if key not in held:
            held.add(key)
            preview.new += 1
    return preview


@dataclass
class DropPreview:
    """What ``drop`` would delete: the dataset's answers, and the sessions whose answers go with them."""

    dataset: str
    answers: int
    sessions: List[str] = field(default_factory=list)


def preview_drop(db: Database, name: str) -> DropPreview:
    """Count what dropping ``name`` would delete. Raises DatasetNotFound."""
    return DropPreview(dataset=name, answers=db.count_dataset(name), sessions=db.get_session_names(name))
