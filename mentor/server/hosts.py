"""Answer only requests addressed to this server: a defence against DNS rebinding.

A page on any web site can point a name it controls at 127.0.0.1 and then read
a loopback server's replies as its own, unless the server checks the Host
header, which carries the page's name. Allowed: ``localhost``, ``127.0.0.1``,
``[::1]`` and the bind address, each on the server's port; any IP address when
the server binds every interface (an IP in the Host header is never a rebound
name); and the names in ``allowed_hosts`` (``name`` for any port,
``name:port``, or ``*`` to switch the check off, behind a proxy that checks).
``/health`` stays open for probes.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import FrozenSet, Optional, Sequence, Tuple

from ..config import Settings
from ..errors import HostNotAllowed
from .asgi import ASGIApp, Receive, Scope, Send, header, send_mentor_error

OPEN_PATHS = frozenset(("/health",))
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_BINDS = frozenset(("", "0.0.0.0", "::", "[::]"))
DEFAULT_PORT = 80
INVALID_PORT = -1


def split_host(value: str) -> Tuple[str, Optional[int]]:
    """``"Example.org:8080"`` -> ``("example.org", 8080)``; IPv6 stays bracketed; a bad port gives -1."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value.partition("]")
        name, port_text = name + "]", rest[1:] if rest.startswith(":") else rest
        if rest and not rest.startswith(":"):
            return name, INVALID_PORT
    elif value.count(":") == 1:
        name, _, port_text = value.partition(":")
    else:
        name, port_text = value, ""
    if not port_text:
        return name, None
    return (name, int(port_text)) if port_text.isdigit() else (name, INVALID_PORT)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host.lower()


@dataclass(frozen=True)
class HostPolicy:
    """Which Host header values a server bound to ``bind``:``port`` answers to."""

    bind: str
    port: int
    extra: FrozenSet[Tuple[str, Optional[int]]] = frozenset()
    any_host: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, *, port: Optional[int] = None) -> "HostPolicy":
        return cls.build(settings.host, settings.port if port is None else port, settings.allowed_hosts)

    @classmethod
    def build(cls, bind: str, port: int, allowed: Sequence[str] = ()) -> "HostPolicy":
        extra = frozenset(split_host(entry) for entry in allowed if entry.strip() != "*")
        return cls(_bracketed(bind), port, extra, any(entry.strip() == "*" for entry in allowed))

    def allows(self, host_header: str) -> bool:
        name, port = split_host(host_header)
        if port == INVALID_PORT:
            return False
        if self.any_host or (name, None) in self.extra or (name, port) in self.extra:
            return True
        if self.port != 0 and (port if port is not None else DEFAULT_PORT) != self.port:
            return False
        if name in LOOPBACK_NAMES or name == self.bind:
            return True
        return self.bind in WILDCARD_BINDS and _is_ip(name)


class HostCheckMiddleware:
    """Answer 400 (M085) to a request whose Host header the policy doesn't allow."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("path") not in OPEN_PATHS:
            value = header(scope, b"host")
            # no Host header at all: not a browser (HTTP/1.0), so not a rebinding attack
            if value is not None:
                host = value.decode("latin-1")
                if not self.policy.allows(host):
                    await send_mentor_error(send, 400, HostNotAllowed(host))
                    return
        await self.app(scope, receive, send)
