"""``GET /stats`` (a page) and ``GET /stats.json``: the running recipe's dataset, per annotator.

The figures are :func:`mentor.core.analytics.session_stats` over the
dataset's stored answers, read when asked. Behind basic auth like every route;
with ``user_sessions``/``admins`` set, a user who isn't an admin sees only its
own sessions' rows (their agreement is still computed against everyone).
"""
from __future__ import annotations

from typing import List, Optional

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from ...core.analytics import SessionsReport, session_stats
from ..deps import AccessDep, ControllerDep
from ..headers import STRICT_POLICY
from ..schemas import ErrorResponse
from ..stats_page import render_page

router = APIRouter(tags=["stats"])
# the page has no script: nothing may load, inline styles only, no framing
PAGE_HEADERS = {"Cache-Control": "no-cache", "Content-Security-Policy": f"{STRICT_POLICY}; frame-ancestors 'none'"}


class ScoreBucketModel(BaseModel):
    first: int = Field(description="First answer of the run (1-based, in stored order)")
    last: int = Field(description="Last answer of the run")
    mean: float = Field(description="Mean meta.score of the run's answers")


class AnnotatorStatsModel(BaseModel):
    session_id: str
    name: str = Field(description="The session name without the dataset prefix")
    answers: int
    accept: int
    reject: int
    ignore: int
    timed: int = Field(description="Answers that carry a _time_on_screen")
    seconds_median: Optional[float] = Field(None, description="Median seconds a task was on screen")
    seconds_p90: Optional[float] = Field(None, description="90th percentile of the seconds on screen")
    agreement: Optional[float] = Field(None, description="Share of compared items matching the others' most common answer")
    agreement_items: int
    gold_agreement: Optional[float] = None
    gold_items: int = 0
    scores: List[ScoreBucketModel] = Field(default_factory=list, description="Model score over time (teach datasets)")


class SessionsStatsResponse(BaseModel):
    dataset: str
    view_id: Optional[str] = None
    by: str = Field(description="Items are compared by 'task' hash (binary views) or 'input' hash (manual views)")
    answers: int
    unattributed: int = Field(description="Answers without a _session_id")
    annotators: List[AnnotatorStatsModel]
    gold: Optional[str] = None
    gold_answers: int = 0
    scores: List[ScoreBucketModel] = Field(default_factory=list, description="Every annotator's answers together")


def _report(controller: ControllerDep, access: AccessDep) -> SessionsReport:
    dataset = str(controller.dataset) if controller.dataset else ""
    answers = controller.db.get_dataset_examples(dataset) if dataset and controller.db is not None and dataset in controller.db else []
    report = session_stats(answers, dataset=dataset, view_id=controller.view_id)
    binding = access.binding
    if binding is not None and access.user is not None and access.user not in binding.admins:
        own = set(binding.sessions.get(access.user, ()))
        report.annotators = [a for a in report.annotators if a.session_id in own]
    return report


@router.get(
    "/stats.json",
    operation_id="get_stats",
    response_model=SessionsStatsResponse,
    responses={401: {"model": ErrorResponse}},
)
def get_stats(controller: ControllerDep, access: AccessDep) -> SessionsStatsResponse:
    """Per annotator of the recipe's dataset: answers, the answer mix, seconds per task
    (median, p90 of ``_time_on_screen``), agreement with the others, and the model's score over time."""
    return SessionsStatsResponse.model_validate(_report(controller, access).to_dict())


@router.get("/stats", include_in_schema=False)
def stats_page(controller: ControllerDep, access: AccessDep) -> HTMLResponse:
    """The same figures as a page with charts (HTML and inline SVG, no scripts)."""
    return HTMLResponse(render_page(_report(controller, access)), headers=PAGE_HEADERS)
