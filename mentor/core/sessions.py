"""Annotator sessions: their names, who may connect, and what each one holds.

A session is one annotator (``?session=alex`` in the app URL). Its id is
``DATASET-NAME``, as Prodigy users know it, and it is stored as a session
dataset that every answer of that annotator is linked to.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Counter, Deque, Dict, List, Optional, Sequence, Union

from ..db import validate_dataset_name
from ..errors import InvalidDatasetName, InvalidSessionName, MentorError, SessionsTooFast
from .keys import KeySet

DEFAULT_SESSION = "default"


class SessionNotAllowed(MentorError):
    """A session name that ``allowed_sessions`` does not list (HTTP 403)."""

    code = "M081"

    def __init__(self, name: Optional[str], allowed: Sequence[str]) -> None:
        self.name = name
        if name is None:
            message = "This server only accepts named sessions: open the app with ?session=NAME"
        else:
            message = f"Session '{name}' is not allowed on this server"
        super().__init__(message)


class StorageUnavailable(MentorError):
    """The database refused or lost the connection while storing answers (HTTP 503)."""

    code = "M082"  # M070-M079 are training's; M080 is the auth middleware's, M081 the session refusal


def session_id_for(dataset: Union[str, bool], name: Optional[str]) -> str:
    """Turn a bare session name (or None, or an already full id) into ``DATASET-NAME``.

    Raises InvalidSessionName for a name a session dataset can't be called.
    """
    prefix = dataset if isinstance(dataset, str) and dataset else "session"
    name = DEFAULT_SESSION if name is None or name == "" else str(name)
    full = name if name.startswith(f"{prefix}-") else f"{prefix}-{name}"
    try:
        validate_dataset_name(full)
    except InvalidDatasetName:
        # refused here, before the name reaches the database (PostgreSQL rejects a NUL with a 5xx)
        raise InvalidSessionName(name) from None
    return full


def bare_name(dataset: Union[str, bool], session_id: str) -> str:
    prefix = f"{dataset if isinstance(dataset, str) and dataset else 'session'}-"
    return session_id[len(prefix):] if session_id.startswith(prefix) else session_id


def check_allowed(dataset: Union[str, bool], name: Optional[str], allowed: Optional[Sequence[str]]) -> None:
    """Raise SessionNotAllowed unless the name (bare or full) is listed, when a list is set."""
    if not allowed:
        return
    if name is None or name == "":
        raise SessionNotAllowed(None, allowed)
    full = session_id_for(dataset, name)
    if name not in allowed and full not in allowed and bare_name(dataset, full) not in allowed:
        raise SessionNotAllowed(name, allowed)


class NewSessionRate:
    """At most ``limit`` new session names in any ``window`` seconds.

    ``max_sessions`` caps a run's names; this paces them, so a script cycling
    names is slowed at once instead of using up the cap before anyone notices.
    The caller serialises calls (the controller's session lock).
    """

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._starts: Deque[float] = deque()

    def admit(self, name: str) -> None:
        """Count a new session, or raise SessionsTooFast (saying when to retry) when the window is full."""
        now = self.clock()
        while self._starts and now - self._starts[0] >= self.window:
            self._starts.popleft()
        if len(self._starts) >= self.limit:
            wait = max(1, int(self.window - (now - self._starts[0]) + 0.999))
            raise SessionsTooFast(name, self.limit, wait)
        self._starts.append(now)


@dataclass
class Session:
    """What the controller knows about one annotator.

    Tasks are known by their keys (mentor.core.keys: the hash and the input,
    so two texts whose 32-bit hashes collide are two tasks). ``open`` maps the
    keys of the tasks sent to this session and not answered yet to the time
    they were sent (insertion order is serving order); ``holder`` names the tab
    (the app's ``tab_id``, ``""`` for a client that sends none) each one was
    sent to, and ``seen`` when each tab last asked, answered or pinged: a tab
    silent for ``session_hold_seconds`` no longer holds its tasks.
    ``resend`` maps a tab to its open tasks to serve again first, after that
    tab was reloaded. ``answered`` holds
    the keys of the tasks this session has stored, which makes a retried batch
    a no-op; ``answered_keys`` the exclusion keys (by task or input hash) for
    ``feed_overlap``. ``stored`` says its session dataset exists.
    """

    id: str
    open: Dict[int, float] = field(default_factory=dict)
    holder: Dict[int, str] = field(default_factory=dict)
    seen: Dict[str, float] = field(default_factory=dict)
    resend: Dict[str, List[int]] = field(default_factory=dict)
    answered: KeySet = field(default_factory=KeySet)
    answered_keys: KeySet = field(default_factory=KeySet)
    counts: Counter[Optional[str]] = field(default_factory=Counter)
    cursor: int = 0
    stored: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send(self, ident: int, tab: str, now: float) -> None:
        """Record a task as sent to one of this session's tabs."""
        self.open[ident] = now
        self.holder[ident] = tab

    def drop(self, ident: int) -> None:
        """The task is no longer this session's to answer (answered, or handed on)."""
        self.open.pop(ident, None)
        self.holder.pop(ident, None)

    def holds(self, ident: int, now: float, timeout: float, hold: float) -> bool:
        """Whether the tab the task was sent to still holds it: sent under ``timeout``
        seconds ago, and that tab asked, answered or pinged in the last ``hold`` seconds."""
        sent = self.open.get(ident)
        if sent is None:
            return False
        last = max(sent, self.seen.get(self.holder.get(ident, ""), sent))
        return now - sent < timeout and now - last < hold

    def stats(self) -> Dict[str, int]:
        return {answer: int(self.counts.get(answer, 0)) for answer in ("accept", "reject", "ignore")}
