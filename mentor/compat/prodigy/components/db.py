"""``prodigy.components.db``: ``connect()`` and the database methods recipes call.

mentor's :class:`~mentor.db.Database` already has Prodigy's names
(``datasets``, ``get_dataset``, ``add_dataset``, ``get_input_hashes``, ...);
this subclass adds the Prodigy signatures that differ: ``add_examples`` with
optional datasets that hashes missing tasks, ``get_dataset(name, default)``,
``get_dataset_examples(name, session)``, ``drop_dataset(name, batch_size)``,
``get_sessions_examples``, and the example-level methods mentor's API lacks
(``get_examples``, ``link``, ``unlink``, ``drop_examples``: ``mentor.db.examples``).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from mentor.db import Database as MentorDatabase
from mentor.db import examples as _db_examples
from mentor.errors import DatasetNotFound
from mentor.prodigy_settings import database_url
from mentor.tasks import Task, set_hashes


__all__ = ["connect", "Database"]

class Database(MentorDatabase):
    """mentor's database with Prodigy's method signatures."""

    configured = False  # opened by connect() from mentor's settings: a recipe's Controller may pass it

    def add_examples(self, examples: Iterable[Task], datasets: Sequence[str] = (), **kwargs: Any) -> int:  # type: ignore[override]
        """Store examples (hashed when they have no hashes) in the datasets, creating none."""
        return super().add_examples([set_hashes(dict(eg)) for eg in examples], list(datasets), **kwargs)

    def get_dataset(self, name: str, default: Any = None) -> Union[List[Task], Any]:  # type: ignore[override]
        """A dataset's examples as a list, or ``default`` when there is no such dataset."""
        if name not in self:
            return default
        return list(super().get_dataset_examples(name))

    def get_dataset_examples(  # type: ignore[override]
        self, name: str, session: Union[bool, str, None] = False, *, answer: Optional[str] = None
    ) -> Iterator[Task]:
        """A dataset's (or, named as one, a session's) examples, lazily; ``session=True`` is Prodigy's flag."""
        return super().get_dataset_examples(name, answer=answer, session=session if isinstance(session, str) else None)

    def get_sessions_examples(self, session_ids: Sequence[str]) -> List[Task]:
        """The examples of several session datasets, in order."""
        return [eg for sid in session_ids for eg in super().get_dataset_examples(sid)]

    def get_examples(self, ids: Iterable[int], by: str = "task_hash") -> List[Task]:
        """The stored examples whose ``by`` (``task_hash``, ``input_hash``, ``id``) is in ``ids``, from any dataset."""
        return _db_examples.get_examples(self, ids, by)

    def get_dataset_sessions(self, name: str) -> List[str]:
        """The session ids (``DATASET-NAME``) that answered in a dataset."""
        return self.get_session_names(name)

    def link(self, name: str, example_ids: Iterable[int]) -> int:
        """Link stored examples, by row id, to a dataset (an answer it holds already is skipped)."""
        return _db_examples.link(self, name, example_ids)

    def unlink(self, name: str) -> int:
        """Remove all of a dataset's links; the dataset stays, empty, and the examples stay stored."""
        return _db_examples.unlink(self, name)

    def drop_examples(self, ids: Iterable[int], by: str = "task_hash") -> int:
        """Delete the examples whose ``by`` is in ``ids`` from every dataset and session."""
        return _db_examples.drop_examples(self, ids, by)

    def drop_dataset(self, name: str, batch_size: Optional[int] = None) -> bool:  # type: ignore[override]
        """Delete a dataset and its answers; True when it existed (Prodigy returns a bool)."""
        try:
            super().drop_dataset(name)
        except DatasetNotFound:
            return False
        return True


def connect(db_id: Optional[str] = None, db_settings: Optional[Dict[str, Any]] = None) -> Database:
    """Open mentor's configured database, or the one Prodigy's ``db_id`` and ``db_settings`` name.

    ``db_settings`` may be the settings of that database (``{"name", "path"}``)
    or ``prodigy.json``'s whole block (``{"sqlite": {...}}``); they mean what
    they mean in ``prodigy.json`` (mentor.prodigy_settings), except that a
    SQLite file named without a folder is looked for in mentor's home.
    """
    from mentor.config import load_settings

    settings = load_settings()
    url = None
    if db_id is not None:
        options = db_settings or {}
        if db_id not in options:
            options = {db_id: options}
        # a SQLite file named without a folder lives in mentor's home
        url = database_url(db_id, options, where="prodigy.components.db.connect()", prodigy_home=settings.home)
    database = Database(url or settings.database_url)
    database.configured = db_id is None  # the database mentor's server stores answers in
    return database
