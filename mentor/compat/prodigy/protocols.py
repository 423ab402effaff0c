"""``prodigy.protocols``: the shape of what a recipe returns, for type checkers."""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, TypedDict, Union

__all__ = ["ControllerComponentsDict"]


class ControllerComponentsDict(TypedDict, total=False):
    """The components dict; ``dataset``, ``stream`` and ``view_id`` are needed to annotate."""

    dataset: Union[str, bool]
    stream: Iterable[Dict[str, Any]]
    view_id: str
    update: Optional[Callable[[List[Dict[str, Any]]], Any]]
    progress: Optional[Callable[..., Optional[float]]]
    before_db: Optional[Callable[[List[Dict[str, Any]]], List[Dict[str, Any]]]]
    validate_answer: Optional[Callable[[Dict[str, Any]], Any]]
    on_load: Optional[Callable[[Any], Any]]
    on_exit: Optional[Callable[[Any], Any]]
    get_session_id: Optional[Callable[[], str]]
    exclude: Optional[List[str]]
    config: Dict[str, Any]
    db: Union[bool, None]
