"""The management API, ``/api/v1/``: list, inspect, export, import and drop datasets.

Versioned apart from the annotation routes, which stay as they are. Behind the
same door: basic auth, the Host check and the body limit are middleware, so
they hold here too; with session binding on (``user_sessions`` or ``admins``)
only admins may use these routes (403, M152). The database is the one the
recipe's controller stores answers in.

Export streams the stored JSON text a row at a time (``iter_raw_examples``),
so a dataset of any size goes out in flat memory, byte for byte what ``mentor
db-out`` writes. Import writes the body to a temporary file as it arrives
(``max_import_bytes``) and hands it to the code ``mentor db-in`` runs
(``mentor/core/importing.py``): the same validation, error codes and staged,
all-or-nothing import, with the body named ``upload`` in messages. Drop needs
``?confirm=`` equal to the name, and refuses the dataset this server stores
answers in, or one of its session datasets (409, M151), while it runs.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterator, Optional

import srsly
from fastapi import APIRouter, Depends, Path as PathParam, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.requests import ClientDisconnect

from ...core.importing import check_answer, import_file
from ...core.keys import strip_own_hashes
from ...db import Database
from ...db.summary import summarize_dataset
from ...errors import DatasetInUse, DatasetNotFound, DropNotConfirmed
from ...loaders.lines import GZIP_MAGIC
from ..deps import ControllerDep, DatabaseDep, require_admin
from ..schemas import (
    DatasetItem,
    DatasetList,
    DatasetStats,
    DropResponse,
    ErrorResponse,
    ImportResponse,
    SessionItem,
    SessionList,
)

PREFIX = "/api/v1"
NDJSON = "application/x-ndjson"
UPLOAD_NAME = "upload"  # what messages call the imported body

ERRORS = {
    401: {"model": ErrorResponse, "description": "Basic auth is on and the request has no known user"},
    403: {"model": ErrorResponse, "description": "Session binding is on and the user isn't an admin (M152)"},
    503: {"model": ErrorResponse, "description": "The server has no database open (M153)"},
}
NOT_FOUND = {404: {"model": ErrorResponse, "description": "No such dataset (M031)"}}
INVALID = {422: {"model": ErrorResponse, "description": "A query parameter is wrong"}}
READ_ERRORS = {**ERRORS, **NOT_FOUND, **INVALID}

router = APIRouter(prefix=PREFIX, tags=["management"], dependencies=[Depends(require_admin)])



class AnyNameConvertor(PathConvertor):
    """``:path`` that takes a newline too: any name reaches its route and gets an answer with a code."""

    regex = "(?s:.*)"


register_url_convertor("mentor_name", AnyNameConvertor())

Name = PathParam(..., description="The dataset's name", max_length=1000)


def _require(db: Database, name: str) -> None:
    if name not in db:
        raise DatasetNotFound(name)


@router.get(
    "/datasets", operation_id="list_datasets", response_model=DatasetList, responses={**ERRORS}
)
def list_datasets(db: DatabaseDep) -> DatasetList:
    """The datasets in the database (not session datasets), oldest first, with their sizes."""
    items = []
    for name in db.datasets:
        try:
            meta = db.get_meta(name)
            items.append(DatasetItem(name=name, created=float(meta.get("created") or 0.0), answers=db.count_dataset(name)))
        except DatasetNotFound:
            continue  # dropped while we listed
    return DatasetList(datasets=items)


@router.get(
    "/datasets/{name:mentor_name}/sessions",
    operation_id="list_dataset_sessions",
    response_model=SessionList,
    responses=READ_ERRORS,
)
def list_dataset_sessions(db: DatabaseDep, name: str = Name) -> SessionList:
    """The sessions that answered in the dataset (``_session_id``), and how many answers each."""
    counts = summarize_dataset(db, name).sessions
    return SessionList(
        dataset=name, sessions=[SessionItem(session_id=sid, answers=counts[sid]) for sid in sorted(counts)]
    )


@router.get(
    "/datasets/{name:mentor_name}/export",
    operation_id="export_dataset",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "One stored example a line, as `mentor db-out` writes them",
            "content": {NDJSON: {"schema": {"type": "string"}}},
        },
        **ERRORS,
        **NOT_FOUND,
        422: {"model": ErrorResponse, "description": "'answer' isn't accept, reject or ignore (M026)"},
    },
)
def export_dataset(
    db: DatabaseDep,
    name: str = Name,
    answer: Optional[str] = Query(None, max_length=100, description="Only answers of this kind: accept, reject or ignore"),
) -> StreamingResponse:
    """Stream the dataset's examples as JSONL, in the order they were stored (flat memory at any size)."""
    if answer is not None:
        check_answer(answer, "answer")
    _require(db, name)  # before the 200 goes out: a generator would only find out once streaming
    if answer is None:
        lines: Iterator[str] = db.iter_raw_examples(name)
    else:
        lines = (srsly.json_dumps(task) for task in db.get_dataset_examples(name, answer=answer))

    def body() -> Iterator[bytes]:
        for line in lines:
            # an import's _mentor_hashes stay in the database: the file goes out as it came in, like db-out
            yield strip_own_hashes(line).encode("utf8") + b"\n"

    filename = "".join(ch if ch.isalnum() or ch in "._@-" else "_" for ch in name) or "dataset"
    headers = {"Content-Disposition": f'attachment; filename="{filename}.jsonl"'}
    return StreamingResponse(body(), media_type=NDJSON, headers=headers)


@router.post(
    "/datasets/{name:mentor_name}/import",
    operation_id="import_dataset",
    response_model=ImportResponse,
    responses={
        **ERRORS,
        413: {"model": ErrorResponse, "description": "The body is over max_import_bytes (M063)"},
        422: {
            "model": ErrorResponse,
            "description": "A bad line ('line' names it; nothing stored), an empty body, a bad option, "
            "or a name no dataset can have: the codes `mentor db-in` gives",
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "JSONL, one task or answer a line (gzip-compressed too), as `mentor db-in` reads",
            "content": {NDJSON: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def import_dataset(
    request: Request,
    db: DatabaseDep,
    name: str = Name,
    answer: str = Query("accept", max_length=100, description="Answer for tasks that have none (db-in's --answer)"),
    rehash: bool = Query(False, description="Recompute _input_hash and _task_hash (db-in's --rehash)"),
    skip_invalid: bool = Query(False, description="Skip bad lines and import the rest (db-in's --skip-invalid)"),
) -> Response:
    """Import the JSONL body into the dataset (created if needed), all or nothing, as ``mentor db-in`` does.

    The first bad line stops the import with a 422 naming the line, and
    nothing is stored. The body is written to a temporary file as it arrives.
    """
    check_answer(answer, "answer")
    with tempfile.TemporaryDirectory(prefix="mentor-import-") as folder:
        path = Path(folder) / "upload.jsonl"
        try:
            with open(path, "wb") as handle:
                async for chunk in request.stream():
                    handle.write(chunk)
        except ClientDisconnect:
            return Response(status_code=400)  # the client left, or the body limit answered 413 already
        with open(path, "rb") as handle:
            if handle.read(2) == GZIP_MAGIC:
                path = path.rename(path.with_name("upload.jsonl.gz"))
        result = await run_in_threadpool(
            import_file,
            db,
            name,
            str(path),
            answer=answer,
            rehash=rehash,
            loader="jsonl",
            skip_invalid=skip_invalid,
            answer_option="answer",
            shown_as=UPLOAD_NAME,
        )
    payload = ImportResponse(
        dataset=result.dataset,
        added=result.added,
        total=result.total,
        kept=result.kept,
        skipped=result.skipped,
        skipped_lines=result.skipped_lines,
    )
    return Response(payload.model_dump_json(), media_type="application/json")


@router.get(
    "/datasets/{name:mentor_name}",
    operation_id="get_dataset",
    response_model=DatasetStats,
    responses=READ_ERRORS,
)
def get_dataset(db: DatabaseDep, name: str = Name) -> DatasetStats:
    """A dataset's counts: answers, accept/reject/ignore, sessions, inputs; when it was created, its meta."""
    summary = summarize_dataset(db, name)
    meta = {key: value for key, value in summary.meta.items() if key not in ("created", "session")}
    answers = summary.answers
    return DatasetStats(
        name=name,
        created=summary.created,
        session=bool(summary.meta.get("session")),
        meta=meta,
        answers=summary.total,
        accept=answers["accept"],
        reject=answers["reject"],
        ignore=answers["ignore"],
        other=summary.total - answers["accept"] - answers["reject"] - answers["ignore"],
        sessions=len(summary.sessions),
        inputs=summary.inputs,
        inputs_with_versions=summary.inputs_with_versions,
    )


@router.delete(
    "/datasets/{name:mentor_name}",
    operation_id="drop_dataset",
    response_model=DropResponse,
    responses={
        **ERRORS,
        **NOT_FOUND,
        409: {"model": ErrorResponse, "description": "The dataset this server stores answers in, or its session (M151)"},
        422: {"model": ErrorResponse, "description": "'confirm' is missing or isn't the name (M150): nothing deleted"},
    },
)
def drop_dataset(
    db: DatabaseDep,
    controller: ControllerDep,
    name: str = Name,
    confirm: Optional[str] = Query(None, max_length=1000, description="The dataset's name again, to confirm"),
) -> DropResponse:
    """Delete the dataset, its answers in session datasets (session datasets left empty go too), as ``mentor drop``."""
    if confirm != name:
        raise DropNotConfirmed(name, confirm)
    _require(db, name)
    served = str(controller.dataset) if controller.dataset else None
    if served and (name == served or (name.startswith(f"{served}-") and db.get_meta(name).get("session"))):
        raise DatasetInUse(name, served)
    return DropResponse(dataset=name, deleted=db.drop_dataset(name))
