"""``POST /give_answers``: store a batch of answers, durably, exactly once; ``POST /validate_answer``: check one."""
from __future__ import annotations

from typing import Any, Dict, Union

from fastapi import APIRouter, Response

from .. import links
from ..deps import AccessDep, ControllerDep
from ..responses import json_response
from ..schemas import AnswersRequest, AnswersResponse, ErrorResponse, ValidateRequest, ValidateResponse

router = APIRouter(tags=["answers"])

# what both routes answer when they refuse
REFUSALS: Dict[Union[int, str], Dict[str, Any]] = {
    403: {"model": ErrorResponse},
    422: {"model": ErrorResponse, "description": "A malformed answer, or one the recipe refused"},
    429: {"model": ErrorResponse, "description": "Too many new session names this minute: retry later"},
}


@router.post(
    "/give_answers",
    operation_id="give_answers",
    response_model=AnswersResponse,
    responses={
        **REFUSALS,
        413: {"model": ErrorResponse, "description": "Over max_request_bytes or max_answers_per_request"},
        503: {"model": ErrorResponse, "description": "The database is unreachable: retry later"},
    },
    openapi_extra=links.on_ok(
        {"SendAgain": links.send_again(), "NextBatch": links.next_batch(), "Project": links.session_project()}
    ),
)
def give_answers(
    body: AnswersRequest, controller: ControllerDep, access: AccessDep
) -> Response:
    """Store the answers; the response is sent only after the commit is durable.

    Sending the same batch again (a retry) stores nothing new and returns
    ``saved: 0``. If the recipe refuses one answer, none of the batch is stored.
    """
    receipt = controller.give_answers(body.answers, access.session(body.session_id), body.tab_id)
    payload = {
        "progress": receipt.progress,
        "progress_kind": receipt.progress_kind,
        "progress_after": receipt.progress_after,
        "total": receipt.total,
        "stats": receipt.stats,
        "saved": receipt.saved,
        "session_id": receipt.session_id,
    }
    return json_response(payload)


@router.post(
    "/validate_answer",
    operation_id="validate_answer",
    response_model=ValidateResponse,
    responses=REFUSALS,
)
def validate_answer(body: ValidateRequest, controller: ControllerDep, access: AccessDep) -> ValidateResponse:
    """Run the recipe's ``validate_answer`` on one answer and store nothing.

    The app asks on each answer (when the recipe has ``validate_answer``)
    before it shows the next task, so the annotator reads a refusal beside the
    task it is about; ``give_answers`` checks the batch again when it stores it.
    """
    controller.validate_answer(body.answer, access.session(body.session_id))
    return ValidateResponse(ok=True)
