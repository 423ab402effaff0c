"""Fixtures every tier shares: a mentor home, and databases on each backend."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.services import create_temp_database  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

BACKENDS = ["sqlite", "postgres", "mysql"]


@pytest.fixture(autouse=True, scope="session")
def no_prodigy_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A developer's ~/.prodigy/prodigy.json and PRODIGY_* variables stay out of every test and the servers it starts."""
    saved = {var: value for var, value in os.environ.items() if var.startswith("PRODIGY_")}
    for var in saved:
        del os.environ[var]
    os.environ["PRODIGY_HOME"] = str(tmp_path_factory.mktemp("prodigy-home"))
    yield
    del os.environ["PRODIGY_HOME"]
    os.environ.update(saved)


@pytest.fixture
def mentor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty mentor home with the default SQLite database, and no stray settings."""
    home = tmp_path / "mentor-home"
    home.mkdir()
    for var in list(os.environ):
        if var.startswith("MENTOR_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("MENTOR_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


def make_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'mentor-test.db'}"
    url, drop = create_temp_database(backend)
    request.addfinalizer(drop)
    return url


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", marks=pytest.mark.mysql),
])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend in turn."""
    return make_db_url(request.param, tmp_path, request)


@pytest.fixture
def db(db_url: str) -> Iterator["object"]:
    from mentor.db import Database

    database = Database(db_url)
    yield database
    database.close()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA
