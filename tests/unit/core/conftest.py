"""Fixtures for the controller tests: a SQLite file database and settings with no stray config."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List

import pytest

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.db import Database


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database("sqlite:///" + str(tmp_path / "core.db"))
    yield database
    database.close()


class Clock:
    """``time.time`` for the controller, moved by hand (``clock.now += 61``)."""

    now = 1_000_000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("mentor.core.controller.time", SimpleNamespace(time=lambda: fake.now))
    return fake


def make_tasks(n: int, prefix: str = "text") -> List[Dict[str, Any]]:
    return [{"text": f"{prefix} {i}"} for i in range(n)]


@pytest.fixture
def make_controller(sqlite_db: Database, tmp_path: Path) -> Callable[..., Controller]:
    """Build a controller over a list of tasks; settings keyword arguments override defaults."""

    def make(
        tasks: Any = None,
        *,
        dataset: Any = "ds",
        db: Any = None,
        components: Any = None,
        **settings: Any,
    ) -> Controller:
        comps = components or Components(
            dataset=dataset, stream=tasks if tasks is not None else make_tasks(30), view_id="classification"
        )
        settings.setdefault("claim_owner", "tests")  # one server restarted, unless a test names another
        return Controller(comps, db if db is not None else sqlite_db, Settings(home=tmp_path, **settings))

    return make
