"""The HTTP API against a real SQLite file: the contract the web app relies on."""
from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from fastapi.testclient import TestClient

from mentor.core.components import Components
from mentor.db import Database

MakeClient = Callable[..., TestClient]


def answered(tasks: List[Dict[str, Any]], value: str = "accept") -> List[Dict[str, Any]]:
    return [{**task, "answer": value, "_timestamp": 1700000000} for task in tasks]


def basic(user: str, password: str) -> Dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_app_health_and_openapi(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get("/health").json() == {"status": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/project", "/get_session_questions", "/give_answers", "/health"} <= set(paths)


def test_app_project_describes_the_recipe(make_client: MakeClient) -> None:
    client = make_client(show_stats=True)
    body = client.get("/project", params={"session": "alex"}).json()
    assert body["view_id"] == "classification" and body["dataset"] == "news"
    assert body["labels"] == ["SPAM"] and body["config"]["labels"] == ["SPAM"]
    assert body["config"]["show_stats"] is True and body["config"]["batch_size"] == 10
    assert body["total"] == 25 and body["progress"] == 0.0 and body["session_id"] == "news-alex"
    assert body["stats"] == {"accept": 0, "reject": 0, "ignore": 0, "dataset_total": 0}
    assert body["version"]


def test_app_questions_then_answers(make_client: MakeClient, server_db: Database) -> None:
    client = make_client()
    questions = client.post("/get_session_questions", json={"session_id": "alex"}).json()
    assert len(questions["tasks"]) == 10 and questions["session_id"] == "news-alex"
    assert questions["total"] == 25 and questions["progress_kind"] == "answered"
    reply = client.post("/give_answers", json={"answers": answered(questions["tasks"]), "session_id": "alex"})
    assert reply.status_code == 200
    assert reply.json()["saved"] == 10 and reply.json()["progress"] == 0.4
    assert reply.json()["stats"] == {"accept": 10, "reject": 0, "ignore": 0, "dataset_total": 10}
    stored = list(server_db.get_dataset_examples("news"))
    assert len(stored) == 10 and {e["_session_id"] for e in stored} == {"news-alex"}
    assert server_db.count_dataset("news-alex") == 10


def test_app_default_session(make_client: MakeClient) -> None:
    client = make_client()
    assert client.post("/get_session_questions", json={"session_id": None}).json()["session_id"] == "news-default"
    assert client.post("/get_session_questions", json={}).json()["session_id"] == "news-default"


def test_app_retried_batch_is_stored_once(make_client: MakeClient, server_db: Database) -> None:
    client = make_client()
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    body = {"answers": answered(tasks), "session_id": "a"}
    assert client.post("/give_answers", json=body).json()["saved"] == 10
    again = client.post("/give_answers", json=body)
    assert again.status_code == 200 and again.json()["saved"] == 0
    assert server_db.count_dataset("news") == 10


def test_app_empty_tasks_at_the_end(make_client: MakeClient) -> None:
    client = make_client(Components(dataset="news", stream=[{"text": "only"}], view_id="text"))
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    client.post("/give_answers", json={"answers": answered(tasks), "session_id": "a"})
    last = client.post("/get_session_questions", json={"session_id": "a"}).json()
    assert last["tasks"] == [] and last["progress"] == 1.0


def test_app_reload_serves_open_tasks_again(make_client: MakeClient) -> None:
    client = make_client()
    client.get("/project", params={"session": "a"})
    first = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    client.get("/project", params={"session": "a"})  # the tab was reloaded
    again = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    assert [t["_task_hash"] for t in again] == [t["_task_hash"] for t in first]


def test_app_validate_answer_refusal_is_422_and_stores_nothing(make_client: MakeClient, server_db: Database) -> None:
    def validate(eg: Dict[str, Any]) -> None:
        if eg["answer"] == "accept" and not eg.get("accept"):
            raise ValueError("Select at least one option")

    client = make_client(Components(dataset="news", stream=[{"text": "a"}, {"text": "b"}], view_id="choice", validate_answer=validate))
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    answers = [{**tasks[0], "answer": "accept", "accept": ["X"]}, {**tasks[1], "answer": "accept"}]
    reply = client.post("/give_answers", json={"answers": answers, "session_id": "a"})
    assert reply.status_code == 422
    assert reply.json() == {
        "code": "M060", "detail": "Select at least one option", "task_hash": tasks[1]["_task_hash"], "index": 1
    }
    assert server_db.count_dataset("news") == 0


def test_app_malformed_bodies_are_422(make_client: MakeClient) -> None:
    client = make_client()
    for body in (
        {"answers": "nope"},
        {"answers": [1, 2]},
        {"answers": [{"text": "x", "answer": "perhaps"}]},
        {"answers": [{"text": "x", "answer": "accept", "_task_hash": 2**70}]},
        {"answers": [{"text": "x", "answer": "accept"}], "session_id": "white space"},
    ):
        reply = client.post("/give_answers", json=body)
        assert reply.status_code == 422, body
        assert set(reply.json()) >= {"code", "detail"}
    assert client.post("/give_answers", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422


def test_app_basic_auth(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(basic_auth={"alex": "pw-a", "bea": "pw-b"})
    assert client.get("/health").status_code == 200
    for headers in ({}, basic("alex", "wrong"), basic("nobody", "pw-a"), {"Authorization": "Basic !!!"}):
        for method, path in (("get", "/"), ("get", "/project"), ("post", "/get_session_questions")):
            reply = client.request(method, path, headers=headers, json={})
            assert reply.status_code == 401, (headers, path)
            assert reply.headers["www-authenticate"].startswith("Basic")
    blocked = client.post(
        "/give_answers", json={"answers": [{"text": "x", "answer": "accept"}], "session_id": "a"}, headers=basic("alex", "bad")
    )
    assert blocked.status_code == 401 and blocked.json()["code"] == "M080"
    assert server_db.count_dataset("news") == 0
    # each user gets their own session when the app names none
    body = client.post("/get_session_questions", json={}, headers=basic("bea", "pw-b")).json()
    assert body["session_id"] == "news-bea"
    assert client.post("/get_session_questions", json={"session_id": "x"}, headers=basic("alex", "pw-a")).status_code == 200


def test_app_allowed_sessions(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(allowed_sessions=["alex", "bea"])
    assert client.post("/get_session_questions", json={"session_id": "alex"}).status_code == 200
    for body in ({"session_id": "mallory"}, {}):
        reply = client.post("/get_session_questions", json=body)
        assert reply.status_code == 403 and reply.json()["code"] == "M081"
    assert client.get("/project", params={"session": "mallory"}).status_code == 403
    reply = client.post("/give_answers", json={"answers": [{"text": "x", "answer": "accept"}], "session_id": "mallory"})
    assert reply.status_code == 403
    assert server_db.count_dataset("news") == 0
    assert "news-mallory" not in server_db.sessions


def test_app_lifespan_runs_on_load_and_on_exit(make_client: MakeClient) -> None:
    events: List[str] = []
    comps = Components(
        dataset="news", stream=[], view_id="text", on_load=lambda c: events.append("load"), on_exit=lambda c: events.append("exit")
    )
    client = make_client(comps)
    assert events == ["load"]
    client.__exit__(None, None, None)
    assert events == ["load", "exit"]


def test_app_serves_placeholder_until_the_bundle_exists(make_client: MakeClient, tmp_path: Path) -> None:
    missing = make_client(static_dir=tmp_path / "none")
    page = missing.get("/")
    assert page.status_code == 200 and "mentor" in page.text
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "index.html").write_text("<html>the app</html>")
    (bundle / "app.js").write_text("console.log(1)")
    client = make_client(static_dir=bundle)
    assert client.get("/").text == "<html>the app</html>"
    assert client.get("/app.js").text == "console.log(1)"
    assert client.get("/health").json() == {"status": "ok"}


def test_app_server_package_does_not_import_spacy() -> None:
    code = "import mentor.server.app, sys; assert 'spacy' not in sys.modules, 'spacy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_app_database_outage_is_503_and_a_retry_succeeds(make_client: MakeClient, server_db: Database, monkeypatch: Any) -> None:
    from sqlalchemy.exc import OperationalError

    client = make_client()
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    body = {"answers": answered(tasks), "session_id": "a"}
    original = server_db.add_examples

    def down(*args: Any, **kwargs: Any) -> int:
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(server_db, "add_examples", down)
    reply = client.post("/give_answers", json=body)
    assert reply.status_code == 503 and reply.json()["code"] == "M082"
    assert reply.headers["retry-after"]
    monkeypatch.setattr(server_db, "add_examples", original)
    assert client.post("/give_answers", json=body).json()["saved"] == 10
    assert server_db.count_dataset("news") == 10


def test_app_values_json_cannot_store_are_422_not_500(make_client: MakeClient, server_db: Database) -> None:
    client = TestClient(make_client().app, raise_server_exceptions=False)
    for raw in (
        b'{"answers":[{"text":"x","answer":"accept","score":NaN}]}',
        b'{"answers":[{"text":"x","answer":"accept","score":Infinity}]}',
        b'{"answers":[{"text":"x","answer":"accept","_timestamp":1e400}]}',
        b'{"answers":[{"text":"\\ud800","answer":"accept"}]}',
        b'{"answers":[],"session_id":"' + b"x" * 300 + b'"}',
        b"[]",
        b"null",
    ):
        reply = client.post("/give_answers", content=raw, headers={"content-type": "application/json"})
        assert reply.status_code == 422, (raw, reply.text)
    assert server_db.count_dataset("news") == 0


def test_issue12_app_bad_answer_is_422_naming_field_and_task_and_the_rest_store(
    make_client: MakeClient, server_db: Database
) -> None:
    client = make_client()
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    answers = answered(tasks[:3])
    answers[1]["text"] = 123
    reply = client.post("/give_answers", json={"answers": answers, "session_id": "a"})
    assert reply.status_code == 422
    body = reply.json()
    assert body["code"] == "M061" and body["task_hash"] == tasks[1]["_task_hash"] and body["index"] == 1
    assert "'text'" in body["detail"] and "answer 2" in body["detail"]
    assert server_db.count_dataset("news") == 0
    # what the app does: drop the refused one, send the rest
    reply = client.post("/give_answers", json={"answers": [answers[0], answers[2]], "session_id": "a"})
    assert reply.status_code == 200 and reply.json()["saved"] == 2


@pytest.mark.parametrize(
    "answer",
    [{"answer": "accept"}, {"text": "never served", "answer": "accept", "_input_hash": 1, "_task_hash": 2}],
)
def test_issue12_app_answers_to_unserved_tasks_are_422(
    make_client: MakeClient, server_db: Database, answer: Dict[str, Any]
) -> None:
    client = make_client()
    reply = client.post("/give_answers", json={"answers": [answer], "session_id": "a"})
    assert reply.status_code == 422 and reply.json()["code"] == "M062" and reply.json()["index"] == 0
    assert server_db.count_dataset("news") == 0 and server_db.sessions == []


@pytest.mark.parametrize("name", ["a\x00b", "../../etc/passwd"])
def test_issue12_app_bad_session_name_is_422(make_client: MakeClient, server_db: Database, name: str) -> None:
    client = make_client()
    for reply in (
        client.post("/get_session_questions", json={"session_id": name}),
        client.get("/project", params={"session": name}),
    ):
        assert reply.status_code == 422 and reply.json()["code"] == "M084"
        assert "Invalid session name" in reply.json()["detail"]
    assert server_db.sessions == []


def test_issue12_app_new_sessions_are_capped(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(max_sessions=2)
    for name in ("a", "b"):
        assert client.post("/get_session_questions", json={"session_id": name}).status_code == 200
    reply = client.post("/get_session_questions", json={"session_id": "c"})
    assert reply.status_code == 403 and reply.json()["code"] == "M083"
    assert server_db.sessions == []
