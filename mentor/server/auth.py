"""HTTP basic auth for a team: several users, each with a password.

A pure ASGI middleware rather than a route dependency, so the static files of
the web app are behind the same door as the API. ``/health`` stays open for
probes. The authenticated user name is put on ``request.state.user``: the
server uses it as the session name when the app names none.
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional

Scope = Dict[str, Any]
Receive = Callable[[], Awaitable[Dict[str, Any]]]
Send = Callable[[Dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = frozenset(("/health",))
UNAUTHORIZED_CODE = "M080"


def check_credentials(header: Optional[bytes], users: Mapping[str, str]) -> Optional[str]:
    """The user name when the Authorization header matches a user's password, else None."""
    if not header or not header.lower().startswith(b"basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    found: Optional[str] = None
    for name, secret in users.items():
        # compare against every user, so the time taken doesn't tell which names exist
        ok_name = secrets.compare_digest(name.encode("utf8"), user.encode("utf8"))
        ok_pass = secrets.compare_digest(secret.encode("utf8"), password.encode("utf8"))
        if ok_name and ok_pass:
            found = name
    return found


class BasicAuthMiddleware:
    def __init__(self, app: ASGIApp, users: Mapping[str, str]) -> None:
        self.app = app
        self.users = dict(users)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization")
        user = check_credentials(header, self.users)
        if user is None:
            body = json.dumps(
                {"code": UNAUTHORIZED_CODE, "detail": "Log in with a user name and password known to this server"}
            ).encode("utf8")
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"www-authenticate", b'Basic realm="mentor", charset="UTF-8"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
