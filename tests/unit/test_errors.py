"""Error codes are stable and name one case each."""
from __future__ import annotations

import importlib
import pkgutil
from typing import Dict, Iterator, Type

import mentor
from mentor.core import sessions
from mentor.errors import MentorError
from mentor.server import auth


def _subclasses(cls: Type[MentorError]) -> Iterator[Type[MentorError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_issue12_error_codes_are_not_shared() -> None:
    # training's M070/M071 once also meant "log in" and "session not allowed", and two
    # recipes' errors shared M017: every module of the package is walked, so none hides
    for module in pkgutil.walk_packages(mentor.__path__, "mentor."):
        if not module.name.endswith("__main__"):  # those run the command line
            importlib.import_module(module.name)
    owners: Dict[str, str] = {auth.UNAUTHORIZED_CODE: "server.auth"}
    for cls in _subclasses(MentorError):
        if not cls.__module__.startswith("mentor.") or "code" not in vars(cls):
            continue
        assert cls.code not in owners, f"{cls.__name__} and {owners[cls.code]} share {cls.code}"
        owners[cls.code] = cls.__name__
    assert auth.UNAUTHORIZED_CODE == "M080" and sessions.SessionNotAllowed.code == "M081"
