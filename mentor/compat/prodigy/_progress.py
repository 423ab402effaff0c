"""Prodigy v1.x's ``progress(session=0, total=0, loss=0)`` on mentor's progress call.

mentor calls a recipe's ``progress`` as ``progress(ctrl, update_return_value)``,
the signature of Prodigy since v1.11. Older recipes take keyword counts
instead: ``session``, the answers this server received since it started,
``total``, the answers in the dataset, and ``loss``, what ``update`` last
returned. Which of the two a function wants is read from its signature, so
mentor's controller keeps one call and the translation stays here.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional

LEGACY_ARGS = ("session", "total", "loss")


def is_legacy_progress(func: Callable[..., Any]) -> bool:
    """Whether ``func`` takes Prodigy v1.x's keywords rather than ``(ctrl, update_return_value)``.

    Legacy: it names at least one of ``session``, ``total``, ``loss``, and every
    other parameter it names has a default. ``(ctrl, loss)`` is the new one.
    """
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin without a signature: mentor's call
        return False
    named = [
        p for p in signature.parameters.values()
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if not any(p.name in LEGACY_ARGS for p in named):
        return False
    return all(p.name in LEGACY_ARGS or p.default is not inspect.Parameter.empty for p in named)


class LegacyProgress:
    """``progress(ctrl, update_return_value)`` calling a v1.x ``progress(session=, total=, loss=)``.

    ``session`` counts from the dataset's total when the server started (after
    the recipe's ``on_load``, see :meth:`started`), or else when it was first
    asked, which is before any answer of this server, since an answer needs a
    question first.
    """

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        parameters = inspect.signature(func).parameters.values()
        takes_any = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters)
        names = {p.name for p in parameters}
        self.keywords = [name for name in LEGACY_ARGS if takes_any or name in names]
        self.start: Optional[int] = None

    def started(self, ctrl: Any) -> None:
        """Take the dataset's total now as the start of this server's session."""
        self.start = _dataset_total(ctrl)

    def __call__(self, ctrl: Any, update_return_value: Any) -> Any:
        total = _dataset_total(ctrl)
        if self.start is None:
            self.start = total
        values: Dict[str, Any] = {
            "session": max(0, total - self.start),
            "total": total,
            "loss": 0 if update_return_value is None else update_return_value,  # the signature's default
        }
        return self.func(**{name: values[name] for name in self.keywords})


def _dataset_total(ctrl: Any) -> int:
    return int(ctrl.stats().get("dataset_total", 0))


def with_start(on_load: Optional[Callable[[Any], Any]], progress: LegacyProgress) -> Callable[[Any], Any]:
    """The recipe's ``on_load`` (if any), then the progress's start count."""

    def load(ctrl: Any) -> Any:
        result = on_load(ctrl) if on_load is not None else None
        progress.started(ctrl)
        return result

    return load
