"""What an annotation recipe returns.

A dataclass rather than Prodigy's free dict, so a misspelt key is an error and
not a setting silently ignored. :meth:`Components.from_dict` accepts the dict a
Prodigy-style recipe returns, which keeps a compatibility layer thin.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Protocol, Sequence, Union, runtime_checkable

from ..errors import InputError
from ..tasks import Task


@runtime_checkable
class SkippingSource(Protocol):
    """A source that skips bad lines and can say how many (a loader's ``Stream``).

    A protocol rather than the Stream class, so custom recipes can hand in
    their own readers and the controller stays independent of the loaders.
    """

    @property
    def skipped(self) -> int: ...

    @property
    def errors(self) -> Sequence[Exception]: ...

    def validate(self) -> None: ...


@runtime_checkable
class MediaSource(Protocol):
    """The local audio and video files the server may send (a loader's ``MediaFiles``).

    The server asks it for the file a task named and sends nothing it doesn't
    know, so a request can't reach other files (``GET /media``).
    """

    def find(self, requested: str) -> Optional[Path]: ...


UpdateFn = Callable[[List[Task]], Optional[float]]
ProgressFn = Callable[..., Optional[float]]


@dataclass
class Components:
    """Everything the controller needs to serve a recipe.

    dataset: where answers are stored (``False``: store nothing).
    stream: an iterable of tasks, possibly infinite; hashes are added if missing.
    view_id: the interface the web app renders.
    update: called with each answered batch (ignored answers already removed);
        may return a loss, which drives the progress estimate.
    progress: ``progress(controller, update_return) -> float in [0, 1]``; overrides the estimate.
    before_db: transforms answers right before they are stored.
    validate_answer: raises (any exception) to refuse an answer; its message is shown.
    on_load / on_exit: called with the controller at start and at shutdown.
    get_session_id: called once at start; its value names the session of
        annotators who open the app without ``?session=`` (default: ``default``).
    exclude: datasets whose hashes are skipped (the current dataset is added
        unless ``auto_exclude_current`` is off).
    config: recipe settings and UI settings (``labels``, ``choice_style``, ...).
    sources: the files the stream reads, for their skipped-line counts (shown
        in the app) and the ``strict_sources`` check; a ``stream`` that is
        itself such a source is added. Recipes that wrap the stream in a model
        or sorter pass the loader's stream here, since the wrapper hides it.
    media: the local media files tasks name by path, which the server sends
        on request (audio and video recipes).
    """

    dataset: Union[str, bool]
    stream: Iterable[Task]
    view_id: str
    update: Optional[UpdateFn] = None
    progress: Optional[ProgressFn] = None
    before_db: Optional[Callable[[List[Task]], List[Task]]] = None
    validate_answer: Optional[Callable[[Task], Any]] = None
    on_load: Optional[Callable[[Any], Any]] = None
    on_exit: Optional[Callable[[Any], Any]] = None
    exclude: List[str] = field(default_factory=list)
    config: Dict[str, Any] = field(default_factory=dict)
    sources: List[SkippingSource] = field(default_factory=list)
    get_session_id: Optional[Callable[[], str]] = None
    media: Optional[MediaSource] = None

    def __post_init__(self) -> None:
        self.sources = list(self.sources)
        if isinstance(self.stream, SkippingSource) and not any(s is self.stream for s in self.sources):
            self.sources.insert(0, self.stream)

    @classmethod
    def from_dict(cls, components: Dict[str, Any]) -> "Components":
        """Build from a Prodigy-style dict, refusing keys mentor doesn't know.

        ``"db": False`` stores nothing, as in Prodigy (the dataset is then
        only a name); any other ``db`` than True is refused rather than ignored.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(components) - known - {"db"})
        if unknown:
            raise InputError(f"Recipe returned unknown component(s): {', '.join(unknown)}")
        db = components.get("db", True)
        if db is not True and db is not False and db is not None:
            raise InputError("Recipe returned a custom 'db': mentor stores answers in its own database only")
        missing = [k for k in ("dataset", "stream", "view_id") if k not in components]
        if missing:
            raise InputError(f"Recipe must return {', '.join(missing)}")
        values = {k: v for k, v in components.items() if k in known}
        values["exclude"] = list(values.get("exclude") or [])
        values["config"] = dict(values.get("config") or {})
        values["sources"] = list(values.get("sources") or [])
        if db is False:
            values["dataset"] = False
        return cls(**values)
