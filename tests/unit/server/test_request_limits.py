"""Issue 12: answers per request and new session names per minute are capped, with their own codes."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, List

import pytest
from fastapi.testclient import TestClient

from mentor.config import Settings, load_settings
from mentor.core.sessions import NewSessionRate
from mentor.db import Database
from mentor.errors import SessionsTooFast

MakeClient = Callable[..., TestClient]


def test_issue12_limits_answers_per_request_over_the_cap_is_413(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(max_answers_per_request=100)
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    answer = {**tasks[0], "answer": "accept"}
    reply = client.post("/give_answers", json={"answers": [answer] * 101, "session_id": "a"})
    assert reply.status_code == 413 and reply.json()["code"] == "M087"
    assert "101 answers" in reply.json()["detail"] and "max_answers_per_request" in reply.json()["detail"]
    assert server_db.count_dataset("news") == 0
    ok = client.post("/give_answers", json={"answers": [answer] * 100, "session_id": "a"})
    assert ok.status_code == 200 and ok.json()["saved"] == 1


def test_issue12_limits_answers_per_request_default_is_1000() -> None:
    assert Settings().max_answers_per_request == 1000


def test_issue12_limits_new_session_names_per_minute_get_429(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(max_new_sessions_per_minute=3)
    for name in ("a", "b", "c"):
        assert client.post("/get_session_questions", json={"session_id": name}).status_code == 200
    reply = client.post("/get_session_questions", json={"session_id": "d"})
    assert reply.status_code == 429 and reply.json()["code"] == "M088"
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    # names already taken go on working
    assert client.post("/get_session_questions", json={"session_id": "a"}).status_code == 200
    assert client.get("/project", params={"session": "e"}).status_code == 429


def test_issue12_limits_listed_sessions_are_not_paced(make_client: MakeClient) -> None:
    names = ["a", "b", "c", "d"]
    client = make_client(max_new_sessions_per_minute=1, allowed_sessions=names)
    for name in names:
        assert client.post("/get_session_questions", json={"session_id": name}).status_code == 200


def test_issue12_limits_session_window_slides() -> None:
    now: List[float] = [1000.0]
    rate = NewSessionRate(2, 60.0, clock=lambda: now[0])
    rate.admit("a")
    now[0] += 30
    rate.admit("b")
    with pytest.raises(SessionsTooFast) as err:
        rate.admit("c")
    assert err.value.retry_after == 30
    now[0] += 30  # "a" is a minute old now
    rate.admit("c")


def test_issue12_limits_settings_from_the_environment(tmp_path: Path) -> None:
    environ = {"MENTOR_HOME": str(tmp_path), "MENTOR_MAX_ANSWERS_PER_REQUEST": "500",
               "MENTOR_MAX_NEW_SESSIONS_PER_MINUTE": "5"}
    settings = load_settings(environ=environ, cwd=tmp_path)
    assert (settings.max_answers_per_request, settings.max_new_sessions_per_minute) == (500, 5)
