"""``GET /project``: what the app needs to render, read once per page load."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query

from ... import __version__
from .. import links
from ..deps import AccessDep, ControllerDep
from ..schemas import ErrorResponse, ProjectResponse, Stats

router = APIRouter(tags=["project"])


@router.get(
    "/project",
    operation_id="get_project",
    response_model=ProjectResponse,
    responses={403: {"model": ErrorResponse}, 422: {"model": ErrorResponse}, 429: {"model": ErrorResponse}},
    openapi_extra=links.on_ok({"Questions": links.next_batch()}),
)
def get_project(
    controller: ControllerDep,
    access: AccessDep,
    session: Optional[str] = Query(None, max_length=255, description="Session name from ?session=NAME"),
    tab: Optional[str] = Query(None, max_length=64, description="The app's tab id: only this tab's open tasks come back"),
) -> ProjectResponse:
    """The view, labels and UI settings, and this session's progress and stats.

    The app calls this once when it loads: the tasks sent to this tab and not
    answered (a reloaded tab) are served to it again first.
    """
    session_id = controller.reopen(access.session(session), tab)
    current = controller.get_session(session_id)
    progress, kind = controller.progress(current)
    skipped, skipped_lines = controller.skipped_lines()
    return ProjectResponse(
        view_id=controller.view_id,
        dataset=str(controller.dataset) if controller.dataset else None,
        labels=controller.labels,
        config=controller.ui_config(),
        progress=progress,
        progress_kind=kind,
        progress_after=controller.answers_until_estimate(),
        total=controller.total,
        version=__version__,
        session_id=session_id,
        stats=Stats(**controller.stats(current)),
        skipped=skipped,
        skipped_lines=skipped_lines,
    )
