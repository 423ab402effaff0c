"""OpenAPI links: how a reply's values feed the next request.

They document the annotation loop (fetch a batch, answer its tasks, fetch the
next one, reload the page) in ``/openapi.json``, and let a stateful tester
(schemathesis) walk it: a session id carried from reply to request, and a
served task answered as served. Each route puts its links on its 200 reply
with ``openapi_extra``; targets are named by ``operation_id``.
"""
from __future__ import annotations

from typing import Any, Dict

SESSION = "$response.body#/session_id"
FIRST_TASK = "$response.body#/tasks/0"

# A link's body replaces the request's whole body (schemathesis merges it into
# a generated one otherwise, and generated fields beside a served task's make
# the answer one the server refuses); other tools ignore x- fields.
WHOLE_BODY = {"x-schemathesis": {"merge_body": False}}


def on_ok(links: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """``openapi_extra`` for a route: these links on its 200 reply."""
    return {"responses": {"200": {"links": links}}}


def next_batch() -> Dict[str, Any]:
    return {
        "operationId": "get_session_questions",
        "description": "The same session's next batch",
        "requestBody": {"session_id": SESSION},
    }


def session_project() -> Dict[str, Any]:
    return {
        "operationId": "get_project",
        "description": "The same session's project, progress and stats (a page load)",
        "parameters": {"query.session": SESSION},
    }


def answer_first_task() -> Dict[str, Any]:
    """Accept the batch's first task, carrying what its signature covers (hashes, text, ``_mentor_sig``)."""
    answer = {
        key: f"{FIRST_TASK}/{key}" for key in ("text", "_input_hash", "_task_hash", "_mentor_sig")
    }
    return {
        "operationId": "give_answers",
        "description": "Accept the first task as served, in the same session (a text task; none when the batch is empty)",
        "requestBody": {"session_id": SESSION, "answers": [{**answer, "answer": "accept"}]},
        **WHOLE_BODY,
    }


def send_again() -> Dict[str, Any]:
    return {
        "operationId": "give_answers",
        "description": "The same batch again, as a retry does: stored once, the retry saves 0",
        "requestBody": "$request.body",
        **WHOLE_BODY,
    }
