"""What an annotation recipe returns.

A dataclass rather than Prodigy's free dict, so a misspelt key is an error and
not a setting silently ignored. :meth:`Components.from_dict` accepts the dict a
Prodigy-style recipe returns, which keeps a compatibility layer thin.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from ..errors import InputError
from ..tasks import Task

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
    exclude: datasets whose hashes are skipped (the current dataset is added
        unless ``auto_exclude_current`` is off).
    config: recipe settings and UI settings (``labels``, ``choice_style``, ...).
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

    @classmethod
    def from_dict(cls, components: Dict[str, Any]) -> "Components":
        """Build from a Prodigy-style dict, refusing keys mentor doesn't know."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(components) - known - {"db"})
        if unknown:
            raise InputError(f"Recipe returned unknown component(s): {', '.join(unknown)}")
        missing = [k for k in ("dataset", "stream", "view_id") if k not in components]
        if missing:
            raise InputError(f"Recipe must return {', '.join(missing)}")
        values = {k: v for k, v in components.items() if k in known}
        values["exclude"] = list(values.get("exclude") or [])
        values["config"] = dict(values.get("config") or {})
        return cls(**values)
