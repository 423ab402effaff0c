"""Security headers on every response: a Content-Security-Policy, no framing, no sniffing.

The built page (``static/index.html``) carries its policy in a ``<meta>`` tag,
with the sha256 of its one inline script, so it works opened from a file too.
The server sends the same policy as a header (read from that tag, so there is
one source of it), plus ``frame-ancestors 'none'``, which only a header can
say: no other site can frame the app and trick a click into an answer.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

from .asgi import ASGIApp, Message, Receive, Scope, Send

# for a missing page (the placeholder) and for anything that isn't the app
STRICT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', re.IGNORECASE)


def page_policy(page: Path) -> str:
    """The page's own policy (from its meta tag), or the strict one, with framing forbidden."""
    try:
        found = META_CSP.search(page.read_text(encoding="utf8"))
    except OSError:
        found = None
    policy = found.group(1) if found else STRICT_POLICY
    return f"{policy.rstrip('; ')}; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response that doesn't set them itself."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.headers: List[Tuple[bytes, bytes]] = [
            (b"content-security-policy", policy.encode("latin-1")),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers") or ()}
                extra = [(key, value) for key, value in self.headers if key not in present]
                message = {**message, "headers": [*(message.get("headers") or ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
