"""Find, start or (in CI) install the database servers the tests run against.

Locally a missing server makes its tests skip; under ``CI=true`` it makes them
fail, so a green CI always means the tests really ran against PostgreSQL and
MariaDB.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from typing import Callable

import pytest
import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get("MENTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MYSQL_ADMIN_URL = os.environ.get("MENTOR_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _reachable(url: str) -> bool:
    engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


def _start_postgres() -> None:
    if shutil.which("pg_ctlcluster"):
        for version in sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []:
            _run("pg_ctlcluster", version, "main", "start")
    elif shutil.which("service"):
        _run("service", "postgresql", "start")


def _start_mysql() -> None:
    if shutil.which("service"):
        _run("service", "mariadb", "start")
    if shutil.which("mariadbd") and shutil.which("start-stop-daemon"):
        _run("start-stop-daemon", "--start", "--background", "--exec", shutil.which("mariadbd") or "", "--", "--user=mysql")


def _wait(url: str, seconds: float = 20.0) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if _reachable(url):
            return True
        time.sleep(0.5)
    return False


_status: dict = {}


def require_server(kind: str) -> str:
    """Return the admin URL for a server, starting it if needed; skip or fail when impossible."""
    if kind in _status:
        url = _status[kind]
    else:
        url = POSTGRES_ADMIN_URL if kind == "postgres" else MYSQL_ADMIN_URL
        start: Callable[[], None] = _start_postgres if kind == "postgres" else _start_mysql
        if not _reachable(url):
            start()
            if not _wait(url):
                url = None  # type: ignore[assignment]
        _status[kind] = url
    if url is None:
        message = f"{kind} is not reachable at {POSTGRES_ADMIN_URL if kind == 'postgres' else MYSQL_ADMIN_URL}"
        if IN_CI:
            pytest.fail(f"CI=true and {message}: database tests must run in CI", pytrace=False)
        pytest.skip(message)
    return url


def create_temp_database(kind: str) -> tuple:
    """Create a uniquely named database; return (url, drop) where drop() removes it."""
    if kind == "sqlite":
        raise ValueError("use a tmp_path file for SQLite")
    admin_url = require_server(kind)
    name = f"mentor_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            if kind == "postgres":
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()

    return url, drop
