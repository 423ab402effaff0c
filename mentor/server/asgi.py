"""What the pure-ASGI middlewares share: the ASGI types and a JSON error reply.

The middlewares (auth, host check, body limit) answer before FastAPI sees the
request, so they can't raise into its error handler; they send the same
``{"code", "detail"}`` body from here instead.
"""
from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Tuple

from ..errors import MentorError

Scope = Dict[str, Any]
Message = Dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def header(scope: Scope, name: bytes) -> Optional[bytes]:
    """The first value of a request header (``name`` in lower case), or None."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return None


async def send_error(
    send: Send, status: int, code: str, detail: str, headers: Iterable[Tuple[bytes, bytes]] = ()
) -> None:
    """Send a complete JSON error response."""
    body = json.dumps({"code": code, "detail": detail}).encode("utf8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_mentor_error(send: Send, status: int, error: MentorError) -> None:
    await send_error(send, status, error.code, error.message)
