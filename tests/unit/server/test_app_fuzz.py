"""No request body makes the server fail with a 5xx (R5), whatever JSON it holds."""
from __future__ import annotations

import json
from typing import Any, Callable

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
answers = st.fixed_dictionaries(
    {"answer": st.sampled_from(["accept", "reject", "ignore"]) | json_values},
    optional={
        key: json_values
        for key in ("text", "_task_hash", "_input_hash", "_timestamp", "spans", "accept", "meta", "label", "options")
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "answers": st.lists(answers | json_values, max_size=4) | json_values,
        "session_id": st.none() | st.text(max_size=30) | json_values,
    },
)


def test_app_fuzzed_bodies_never_give_5xx(make_client: Callable[..., TestClient]) -> None:
    client = TestClient(make_client().app, raise_server_exceptions=False)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(body=bodies, path=st.sampled_from(["/give_answers", "/get_session_questions"]))
    def check(body: Any, path: str) -> None:
        reply = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
        assert reply.status_code < 500, (path, body, reply.text)

    check()


def test_app_fuzzed_answers_never_give_5xx(make_client: Callable[..., TestClient]) -> None:
    client = TestClient(make_client().app, raise_server_exceptions=False)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(answers=st.lists(answers, min_size=1, max_size=3), session=st.sampled_from([None, "a", "b"]))
    def check(answers: Any, session: Any) -> None:
        body = {"answers": answers, "session_id": session}
        reply = client.post("/give_answers", content=json.dumps(body), headers={"content-type": "application/json"})
        assert reply.status_code < 500, (body, reply.text)

    check()
