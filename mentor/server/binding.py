"""Users bound to their sessions: which queue a basic-auth user may read and answer.

Basic auth says who a request comes from; this says which sessions that user
may name. ``user_sessions`` maps a user to its session names (bare or full,
the first is its default) and ``admins`` lists users who may name any session.

The rule, with basic auth on:

- Neither set: any user may name any session, and a request that names none
  gets the session of the user's own name (mentor's behaviour before binding).
- Either set: binding is on for every user. A user in ``admins`` may name any
  session; any other user only its ``user_sessions`` names, or, when it isn't
  listed there, the session of its own name. Naming another session is a 403
  (``SessionForbidden``, M089) before anything is read or stored; naming none
  gets the user's default (its first listed name, else its own name).

A mistake in the binding (users basic auth doesn't know, a user given no
session, a session name that can't be one, binding without basic auth) stops
the server at start with a ConfigError rather than leaving a queue open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Mapping, Optional, Tuple, Union

from ..config import Settings
from ..core.sessions import bare_name, session_id_for
from ..errors import ConfigError, InvalidSessionName, SessionForbidden


@dataclass(frozen=True)
class SessionBinding:
    """Each user's session ids (``DATASET-NAME``, default first) and the admins, for one dataset."""

    dataset: Union[str, bool]
    sessions: Mapping[str, Tuple[str, ...]]
    admins: FrozenSet[str]

    @classmethod
    def from_settings(cls, settings: Settings, dataset: Union[str, bool]) -> Optional["SessionBinding"]:
        """The binding the settings ask for, or None when they bind no one; ConfigError when it is wrong."""
        mapping = settings.user_sessions or {}
        admins = frozenset(settings.admins)
        if not mapping and not admins:
            return None
        users = settings.basic_auth or {}
        if not users:
            raise ConfigError(
                "'user_sessions' and 'admins' bind basic-auth users to sessions, but basic auth is off: "
                "set 'basic_auth' (MENTOR_BASIC_AUTH_USER and MENTOR_BASIC_AUTH_PASS) too"
            )
        unknown = sorted((set(mapping) | admins) - set(users))
        if unknown:
            raise ConfigError(
                f"'user_sessions' or 'admins' name users that 'basic_auth' doesn't have: {', '.join(unknown)}"
            )
        sessions = {}
        for user in users:
            names = mapping.get(user, [user])
            if not names:
                raise ConfigError(f"'user_sessions' gives user '{user}' no session: list at least one name")
            try:
                sessions[user] = tuple(dict.fromkeys(session_id_for(dataset, name) for name in names))
            except InvalidSessionName as err:
                if user in mapping:
                    raise ConfigError(f"'user_sessions' of user '{user}': {err.message}") from None
                raise ConfigError(
                    f"User '{user}' isn't in 'user_sessions', so it is bound to the session of its own name, "
                    "which can't name a session: map it to a session in 'user_sessions'"
                ) from None
        return cls(dataset, sessions, admins)

    def own(self, user: str) -> Tuple[str, ...]:
        """The user's session names, bare (``alex``), default first."""
        return tuple(bare_name(self.dataset, sid) for sid in self.sessions.get(user, ()))

    def session_for(self, user: str, requested: Optional[str]) -> str:
        """The session a request of ``user`` speaks for: the one it names, if it may, else its default.

        Raises SessionForbidden for a session the user isn't bound to, and
        InvalidSessionName (422) for a name no session can have.
        """
        own = self.sessions.get(user, ())
        if not requested:
            return own[0] if own else user
        if user in self.admins or session_id_for(self.dataset, requested) in own:
            return requested
        raise SessionForbidden(user, requested, self.own(user))


@dataclass(frozen=True)
class SessionAccess:
    """One request's basic-auth user and the binding in force: which session it speaks for."""

    user: Optional[str]
    binding: Optional[SessionBinding] = None

    def session(self, requested: Optional[str]) -> Optional[str]:
        """The session named, else the user's (None: the default session), refusing one it may not use."""
        if self.binding is None or self.user is None:
            return requested if requested else self.user
        return self.binding.session_for(self.user, requested)
