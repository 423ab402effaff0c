"""Dependencies the routes share, as ``Annotated`` aliases.

The controller and settings live on ``app.state`` (set by ``create_app``);
tests swap them with ``app.dependency_overrides``.
"""
from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, Request

from ..config import Settings
from ..core.controller import Controller


def get_controller(request: Request) -> Controller:
    return request.app.state.controller  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_user(request: Request) -> Optional[str]:
    """The basic-auth user, when auth is on."""
    return getattr(request.state, "user", None)


ControllerDep = Annotated[Controller, Depends(get_controller)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UserDep = Annotated[Optional[str], Depends(get_user)]


def session_name(requested: Optional[str], user: Optional[str]) -> Optional[str]:
    """The session a request speaks for: the one named, else the logged-in user's, else the default."""
    return requested if requested else user
