"""A body that can't be read as text gets the documented 422 ``{"code", "detail"}``, not FastAPI's bare 400.

Found by the stateful schemathesis run (tests/integration/server/test_openapi_contract.py):
``curl -X POST -H 'Content-Type: application/json' -d $'\\xff' /get_session_questions`` answered
400 ``{"detail": "There was an error parsing the body"}``, a status the schema doesn't list.
"""
from __future__ import annotations

from typing import Callable

import pytest
from fastapi.testclient import TestClient

MakeClient = Callable[..., TestClient]


@pytest.mark.parametrize("path", ["/get_session_questions", "/give_answers"])
@pytest.mark.parametrize("body", [b"\xff", b'{"session_id": "\xe9"}'])
def test_body_that_is_not_utf8_is_a_422_with_a_code(make_client: MakeClient, path: str, body: bytes) -> None:
    reply = make_client().post(path, content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 422, reply.text
    assert reply.json()["code"] == "M010" and reply.json()["detail"].startswith("body: not JSON")


def test_other_http_errors_keep_fastapis_reply(make_client: MakeClient) -> None:
    reply = make_client().get("/no_such_route")
    assert reply.status_code == 404 and reply.json() == {"detail": "Not Found"}
