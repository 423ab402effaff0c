"""The shapes of the HTTP API, and nothing else.

Tasks and answers stay free-form JSON objects (a task has whatever keys its
view needs); the envelopes around them are typed so the OpenAPI schema, and
the TypeScript types generated from it, say exactly what each route takes.
"""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, Field

ProgressKind = Literal["answered", "loss", "recipe"]


class SessionRequest(BaseModel):
    session_id: Optional[str] = Field(
        None, max_length=255, description="Bare session name (?session=NAME) or full DATASET-NAME; null: default"
    )
    tab_id: Optional[str] = Field(
        None,
        max_length=64,
        description="The app's id for one browser tab: tabs of one session get different tasks; null: one tab",
    )


class AnswersRequest(BaseModel):
    # the count is capped by the max_answers_per_request setting (413 M087), not here
    answers: List[Dict[str, Any]] = Field(..., description="Tasks as served, plus 'answer' and edits")
    session_id: Optional[str] = Field(None, max_length=255)
    tab_id: Optional[str] = Field(
        None,
        max_length=64,
        description="The tab sending (an empty batch is its ping: the tasks it holds stay its own)",
    )


class ValidateRequest(BaseModel):
    answer: Dict[str, Any] = Field(..., description="One task as served, plus 'answer' and edits")
    session_id: Optional[str] = Field(None, max_length=255)
    tab_id: Optional[str] = Field(None, max_length=64)


class ValidateResponse(BaseModel):
    ok: bool = Field(True, description="The recipe's validate_answer accepts the answer (a refusal is a 422)")


class Stats(BaseModel):
    accept: int = 0
    reject: int = 0
    ignore: int = 0
    dataset_total: int = 0


class QuestionsResponse(BaseModel):
    tasks: List[Dict[str, Any]] = Field(description="The next batch; empty means no tasks available")
    total: Optional[int] = None
    progress: Optional[float] = None
    progress_kind: Optional[ProgressKind] = None
    progress_after: Optional[int] = Field(
        None, description="Answers the model in the loop still needs before its progress can be estimated "
        "(progress is null meanwhile); null when there is no such wait",
    )
    session_id: str
    held_elsewhere: int = Field(
        0,
        description="Tasks this tab could answer that other tabs or sessions hold now; with no tasks, "
        "more may come once their holder is silent for session_hold_seconds: ask again",
    )
    skipped: int = Field(0, description="Bad source lines skipped so far (the stream reads on as it serves)")
    skipped_lines: List[str] = Field(default_factory=list, description="The first few, as 'file:line: problem'")


class AnswersResponse(BaseModel):
    progress: Optional[float] = None
    progress_kind: Optional[ProgressKind] = None
    progress_after: Optional[int] = Field(
        None, description="Answers the model in the loop still needs before its progress can be estimated "
        "(progress is null meanwhile); null when there is no such wait",
    )
    total: Optional[int] = None
    stats: Stats
    saved: int = Field(description="Answers newly stored (0 for a batch already stored)")
    session_id: str


class ProjectResponse(BaseModel):
    view_id: str
    dataset: Optional[str] = None
    labels: List[str] = Field(default_factory=list)
    config: Dict[str, Any] = Field(default_factory=dict)
    progress: Optional[float] = None
    progress_kind: Optional[ProgressKind] = None
    progress_after: Optional[int] = Field(
        None, description="Answers the model in the loop still needs before its progress can be estimated "
        "(progress is null meanwhile); null when there is no such wait",
    )
    total: Optional[int] = None
    version: str
    session_id: str
    stats: Stats
    skipped: int = Field(0, description="Bad source lines skipped so far, left out of the tasks served")
    skipped_lines: List[str] = Field(default_factory=list, description="The first few, as 'file:line: problem'")


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ErrorResponse(BaseModel):
    code: str
    detail: str
    task_hash: Optional[int] = Field(None, description="The refused answer's task (422 about one answer)")
    index: Optional[int] = Field(None, description="The refused answer's position in the batch, from 0")
    line: Optional[int] = Field(None, description="The bad line of an imported file, from 1 (422 of an import)")


# -- the management API (/api/v1/) ----------------------------------------------


class DatasetItem(BaseModel):
    name: str
    created: float = Field(description="When the dataset was created, unix time")
    answers: int = Field(description="Examples stored in it")


class DatasetList(BaseModel):
    datasets: List[DatasetItem] = Field(description="Datasets that are not sessions, oldest first")


class DatasetStats(BaseModel):
    name: str
    created: float = Field(description="Unix time")
    session: bool = Field(description="Whether this is a session dataset (DATASET-NAME)")
    meta: Dict[str, Any] = Field(default_factory=dict, description="The dataset's meta, as stored")
    answers: int = Field(description="Examples stored in it")
    accept: int = 0
    reject: int = 0
    ignore: int = 0
    other: int = Field(0, description="Examples with no answer, or one that isn't accept, reject or ignore")
    sessions: int = Field(description="Distinct sessions (_session_id) that answered")
    inputs: int = Field(description="Distinct inputs (_input_hash)")
    inputs_with_versions: int = Field(description="Inputs annotated in more than one way (several task hashes)")


class SessionItem(BaseModel):
    session_id: str = Field(description="The full session id, DATASET-NAME")
    answers: int


class SessionList(BaseModel):
    dataset: str
    sessions: List[SessionItem] = Field(description="Sorted by session id")


class ImportResponse(BaseModel):
    dataset: str
    added: int = Field(description="Examples newly stored (an answer the dataset already held is not stored twice)")
    total: int = Field(description="Examples in the dataset after the import")
    kept: int = Field(0, description="Tasks that had an answer, kept instead of the default")
    skipped: int = Field(0, description="Bad lines skipped (skip_invalid=true only)")
    skipped_lines: List[str] = Field(default_factory=list, description="The first ones, as 'upload:LINE: problem'")


class DropResponse(BaseModel):
    dataset: str
    deleted: int = Field(description="The dataset's examples, deleted with it and from its session datasets")
