"""``prodigy.components.db``: ``connect()`` and the database methods recipes call.

mentor's :class:`~mentor.db.Database` already has Prodigy's names
(``datasets``, ``get_dataset``, ``add_dataset``, ``get_input_hashes``, ...);
this subclass adds the Prodigy signatures that differ: ``add_examples`` with
optional datasets that hashes missing tasks, ``get_dataset(name, default)``,
``get_dataset_examples(name, session)``, ``drop_dataset(name, batch_size)``,
``get_sessions_examples``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from sqlalchemy.engine import URL

from mentor.db import Database as MentorDatabase
from mentor.errors import ConfigError, DatasetNotFound
from mentor.tasks import Task, set_hashes

__all__ = ["connect", "Database"]

DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}


class Database(MentorDatabase):
    """mentor's database with Prodigy's method signatures."""

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

    def drop_dataset(self, name: str, batch_size: Optional[int] = None) -> bool:  # type: ignore[override]
        """Delete a dataset and its answers; True when it existed (Prodigy returns a bool)."""
        try:
            super().drop_dataset(name)
        except DatasetNotFound:
            return False
        return True


def _url(db_id: str, settings: Dict[str, Any]) -> str:
    """The SQLAlchemy URL for Prodigy's ``db`` and ``db_settings`` (the ``sqlite``/``postgresql``/``mysql`` blocks)."""
    if db_id not in DRIVERS:
        raise ConfigError(f"Unknown database '{db_id}': use sqlite, postgresql or mysql")
    if db_id == "sqlite":
        name = settings.get("name", "prodigy.db")
        if name == ":memory:":
            return "sqlite:///:memory:"
        return f"sqlite:///{Path(settings.get('path') or '.').expanduser() / name}"
    return URL.create(
        DRIVERS[db_id],
        username=settings.get("user"),
        password=settings.get("password") or settings.get("passwd"),
        host=settings.get("host"),
        port=int(settings["port"]) if settings.get("port") else None,
        database=settings.get("dbname") or settings.get("database") or settings.get("db"),
    ).render_as_string(hide_password=False)


def connect(db_id: Optional[str] = None, db_settings: Optional[Dict[str, Any]] = None) -> Database:
    """Open mentor's configured database, or the one Prodigy's ``db_id``/``db_settings`` name."""
    if db_id is None:
        from mentor.config import load_settings

        url = load_settings().database_url
    else:
        settings = (db_settings or {}).get(db_id, db_settings or {})
        url = _url(db_id, settings)
    return Database(url)
