"""HTTP basic auth for a team: several users, each with a password.

A pure ASGI middleware rather than a route dependency, so the static files of
the web app are behind the same door as the API. ``/health`` stays open for
probes. The authenticated user name is put on ``request.state.user``: the
server uses it as the session name when the app names none.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from typing import Mapping, Optional

from .asgi import ASGIApp, Receive, Scope, Send, header, send_error

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
    """Answer 401 to every request without a known user's credentials, except on OPEN_PATHS."""

    def __init__(self, app: ASGIApp, users: Mapping[str, str]) -> None:
        self.app = app
        self.users = dict(users)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        user = check_credentials(header(scope, b"authorization"), self.users)
        if user is None:
            await send_error(
                send,
                401,
                UNAUTHORIZED_CODE,
                "Log in with a user name and password known to this server",
                [(b"www-authenticate", b'Basic realm="mentor", charset="UTF-8"')],
            )
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
