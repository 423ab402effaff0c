"""Request bodies over max_request_bytes are refused with 413 before they are read."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

from fastapi.testclient import TestClient

from mentor.db import Database
from mentor.server.limits import BodyLimitMiddleware

MakeClient = Callable[..., TestClient]


def test_issue12_limits_declared_length_over_the_limit_is_413_unread(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(max_request_bytes=2048)
    tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
    big = [{**tasks[0], "answer": "accept", "note": "x" * 5000}]
    reply = client.post("/give_answers", json={"answers": big, "session_id": "a"})
    assert reply.status_code == 413 and reply.json()["code"] == "M063"
    assert "2,048 bytes" in reply.json()["detail"]
    assert server_db.count_dataset("news") == 0
    small = [{**tasks[0], "answer": "accept"}]
    assert client.post("/give_answers", json={"answers": small, "session_id": "a"}).status_code == 200


def test_issue12_limits_streamed_body_stops_being_read_past_the_limit() -> None:
    chunks = [b"x" * 1000] * 50  # 50 kB sent chunked, no Content-Length
    read: List[int] = []
    sent: List[Dict[str, Any]] = []

    async def app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            read.append(len(message["body"]))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"stored"})

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/give_answers", "headers": [(b"transfer-encoding", b"chunked")]}
    # in a thread of its own: Playwright's sync API (the browser tests) leaves an event loop
    # running in the main thread, where asyncio.run refuses to start another
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, BodyLimitMiddleware(app, limit=4096)(scope, receive, send)).result()
    assert sum(read) <= 4096 and len(chunks) >= 45  # the rest was never received
    assert sent[0]["status"] == 413 and b"M063" in sent[1]["body"] and len(sent) == 2


def test_limits_bad_content_length_is_400(make_client: MakeClient) -> None:
    client = make_client()
    reply = client.post("/give_answers", content=b"{}", headers={"content-length": "lots", "content-type": "application/json"})
    assert reply.status_code == 400
