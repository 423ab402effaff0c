"""Schemathesis against the real server's OpenAPI spec (R5): no 5xx, and every reply as documented.

The requests are generated from ``/openapi.json`` itself, so a route, a field
or a status code added without its schema is caught here.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_replies_as_documented(start_server: Callable, tmp_path: Path) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text("\n".join(json.dumps({"text": f"message {i}"}) for i in range(300)) + "\n")
    server = start_server(["textcat.manual", "news", str(source), "--label", "SPAM,HAM"])
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "GET /health", "GET /project", "POST /get_session_questions", "POST /give_answers",
    }
    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        check()
