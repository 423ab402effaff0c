"""Fixtures for the server tests: an app over a real SQLite file, run under TestClient."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
from fastapi.testclient import TestClient

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.db import Database
from mentor.server.app import create_app


@pytest.fixture
def server_db(tmp_path: Path) -> Iterator[Database]:
    database = Database("sqlite:///" + str(tmp_path / "server.db"))
    yield database
    database.close()


@pytest.fixture
def make_client(server_db: Database, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Start an app for some components and settings; the client runs the lifespan."""
    clients: List[TestClient] = []

    def make(components: Any = None, *, static_dir: Any = None, **settings: Any) -> TestClient:
        comps = components or Components(
            dataset="news",
            stream=[{"text": f"text {i}"} for i in range(25)],
            view_id="classification",
            config={"labels": ["SPAM"]},
        )
        # TestClient sends 'Host: testserver', which the Host check would refuse
        config = Settings(home=tmp_path, **{"allowed_hosts": ["testserver"], **settings})
        app = create_app(Controller(comps, server_db, config), config, static_dir=static_dir)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
