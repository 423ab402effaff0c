"""Error codes are stable and name one case each."""
from __future__ import annotations

from typing import Dict, Iterator, Type

from mentor.core import sessions
from mentor.errors import MentorError
from mentor.server import auth
from mentor.training import errors as training_errors


def _subclasses(cls: Type[MentorError]) -> Iterator[Type[MentorError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_issue12_error_codes_are_not_shared() -> None:
    # training's M070/M071 once also meant "log in" and "session not allowed"
    owners: Dict[str, str] = {auth.UNAUTHORIZED_CODE: "server.auth"}
    modules = {sessions.__name__, training_errors.__name__, "mentor.errors"}
    for cls in _subclasses(MentorError):
        if cls.__module__ not in modules or "code" not in vars(cls):
            continue
        assert cls.code not in owners, f"{cls.__name__} and {owners[cls.code]} share {cls.code}"
        owners[cls.code] = cls.__name__
    assert auth.UNAUTHORIZED_CODE == "M080" and sessions.SessionNotAllowed.code == "M081"
