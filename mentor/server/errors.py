"""One place where mentor's errors become HTTP responses.

Routes never catch and re-raise: a :class:`MentorError` raised anywhere below
becomes ``{"code", "detail"}`` with the status its class calls for, and a
refused answer also names its ``task_hash`` and its ``index`` in the batch, so
the app can hand that one answer back and send the others again.
A body FastAPI can't even decode (bytes that aren't UTF-8) is a 422 like one
that isn't JSON, not FastAPI's bare 400. Anything else is a bug and stays a 500.
"""
from __future__ import annotations

from typing import Any, Dict, Type

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..core.sessions import SessionNotAllowed, StorageUnavailable
from ..errors import (
    AdminOnly,
    AnswerRejected,
    Conflict,
    HostNotAllowed,
    InputError,
    InvalidDatasetName,
    InvalidLine,
    MentorError,
    NoDatabase,
    NotFound,
    RequestTooLarge,
    SessionForbidden,
    SessionsTooFast,
    TooManyAnswers,
    TooManySessions,
    UnknownRoute,
)

# most specific first: the first class an error is an instance of wins
STATUS: Dict[Type[MentorError], int] = {
    AnswerRejected: 422,
    RequestTooLarge: 413,
    TooManyAnswers: 413,
    SessionsTooFast: 429,
    SessionNotAllowed: 403,
    SessionForbidden: 403,
    AdminOnly: 403,
    TooManySessions: 403,
    HostNotAllowed: 400,
    StorageUnavailable: 503,
    NoDatabase: 503,
    InputError: 422,
    InvalidDatasetName: 422,
    NotFound: 404,
    Conflict: 409,
}


def status_for(error: MentorError) -> int:
    for cls, status in STATUS.items():
        if isinstance(error, cls):
            return status
    return 400


def error_body(error: MentorError) -> Dict[str, Any]:
    """``{"code", "detail"}``, plus ``task_hash`` and ``index`` when the error is about one answer,
    and ``line`` when it is about one line of an imported file."""
    body: Dict[str, Any] = {"code": error.code, "detail": error.message}
    for key in ("task_hash", "index"):
        value = getattr(error, key, None)
        if value is not None:
            body[key] = value
    if isinstance(error, InvalidLine):
        body["line"] = error.line
    return body


def mentor_error_response(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MentorError)
    headers = None
    if isinstance(error, StorageUnavailable):
        headers = {"Retry-After": "2"}
    elif isinstance(error, SessionsTooFast):
        headers = {"Retry-After": str(error.retry_after)}
    return JSONResponse(error_body(error), status_code=status_for(error), headers=headers)


def validation_error_response(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item.get("loc", ()) if part != "body") or "body"
        problems.append(f"{where}: {item.get('msg', 'invalid')}")
    return JSONResponse({"code": InputError.code, "detail": "; ".join(problems)}, status_code=422)


API_PREFIX = "/api/"
# what FastAPI raises (as a 400) when reading the body fails other than as bad JSON
BODY_PARSE_ERROR = "There was an error parsing the body"


async def http_error_response(request: Request, error: Exception) -> Response:
    """FastAPI's own response, except for an unreadable body: a 422 ``{"code", "detail"}`` as documented."""
    assert isinstance(error, HTTPException)
    if error.status_code == 400 and error.detail == BODY_PARSE_ERROR:
        detail = "body: not JSON text (bytes that are not UTF-8, or a body that could not be read)"
        return JSONResponse({"code": InputError.code, "detail": detail}, status_code=422)
    if error.status_code == 404 and request.url.path.startswith(API_PREFIX):
        # a name no route's pattern takes (one with a newline): a 404 with a code, like the others under /api/
        return JSONResponse(error_body(UnknownRoute(request.url.path)), status_code=404)
    return await http_exception_handler(request, error)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MentorError, mentor_error_response)
    app.add_exception_handler(RequestValidationError, validation_error_response)
    app.add_exception_handler(HTTPException, http_error_response)
