"""Dependencies the routes share, as ``Annotated`` aliases.

The controller, settings and session binding live on ``app.state`` (set by
``create_app``); tests swap them with ``app.dependency_overrides``.
"""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, Request

from ..config import Settings
from ..core.controller import Controller
from ..db import Database
from ..errors import AdminOnly, NoDatabase
from .binding import SessionAccess


def get_controller(request: Request) -> Controller:
    return request.app.state.controller  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_user(request: Request) -> Optional[str]:
    """The basic-auth user, when auth is on."""
    return getattr(request.state, "user", None)


def get_access(request: Request) -> SessionAccess:
    """The request's user and the sessions it may use: ``access.session(name)`` is the one it speaks for."""
    return SessionAccess(get_user(request), getattr(request.app.state, "session_binding", None))


def get_database(request: Request) -> Database:
    """The database the recipe's controller stores answers in (the server opens one for every recipe)."""
    db = getattr(get_controller(request), "db", None)
    if db is None:
        raise NoDatabase()
    return db  # type: ignore[no-any-return]


def require_admin(request: Request) -> None:
    """With session binding on, only an admin may use the management API; without it, any user may.

    Basic auth itself is the middleware's: a request that gets here has a known user, or auth is off.
    """
    binding = getattr(request.app.state, "session_binding", None)
    if binding is None:
        return
    user = get_user(request)
    if user is None or user not in binding.admins:
        raise AdminOnly(user)


ControllerDep = Annotated[Controller, Depends(get_controller)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UserDep = Annotated[Optional[str], Depends(get_user)]
AccessDep = Annotated[SessionAccess, Depends(get_access)]
DatabaseDep = Annotated[Database, Depends(get_database)]
