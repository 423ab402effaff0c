"""``POST /get_session_questions``: the next batch of tasks for a session."""
from __future__ import annotations

from fastapi import APIRouter, Response

from .. import links
from ..deps import AccessDep, ControllerDep
from ..responses import json_response
from ..schemas import ErrorResponse, QuestionsResponse, SessionRequest

router = APIRouter(tags=["questions"])


@router.post(
    "/get_session_questions",
    operation_id="get_session_questions",
    response_model=QuestionsResponse,
    responses={403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    openapi_extra=links.on_ok(
        {"AnswerFirstTask": links.answer_first_task(), "NextBatch": links.next_batch(), "Project": links.session_project()}
    ),
)
def get_session_questions(
    body: SessionRequest, controller: ControllerDep, access: AccessDep
) -> Response:
    """Tasks this session hasn't answered; an empty list with ``held_elsewhere`` 0 means none are left."""
    questions = controller.get_questions(access.session(body.session_id), body.tab_id)
    skipped, skipped_lines = controller.skipped_lines()
    payload = {
        "tasks": questions.tasks,
        "total": questions.total,
        "progress": questions.progress,
        "progress_kind": questions.progress_kind,
        "progress_after": questions.progress_after,
        "session_id": questions.session_id,
        "held_elsewhere": questions.held_elsewhere,
        "skipped": skipped,
        "skipped_lines": skipped_lines,
    }
    return json_response(payload)
