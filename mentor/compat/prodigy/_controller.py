"""``prodigy.core.Controller``: the controller a recipe may build itself and return.

In Prodigy a recipe can return a ``Controller`` instead of the components dict,
built as ``Controller(dataset, view_id, stream, update, db, progress, ...)`` or
``Controller.from_components(name, components)``. mentor builds its own
controller when the server starts (mentor.core.controller), from the recipe's
components, so this class only keeps what the recipe gave it, and the compat
layer turns it back into the components dict (``_components.to_components``).
What ``on_load``, ``on_exit`` and ``progress`` receive is mentor's controller;
``isinstance(ctrl, Controller)`` holds for it too, so type checks in recipe
code keep working.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Union

from mentor.core.controller import Controller as MentorController
from mentor.db import Database
from mentor.errors import ControllerArgumentError

# the components a Controller takes, in the order of Prodigy's constructor
ARGUMENTS = (
    "dataset", "view_id", "stream", "update", "db", "progress", "on_load", "on_exit", "before_db",
    "validate_answer", "get_session_id", "exclude", "config",
)


class _ControllerType(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, MentorController) or super().__instancecheck__(instance)


class Controller(metaclass=_ControllerType):
    """The components of a recipe, as Prodigy's ``Controller`` takes them.

    Other keyword components (``task_router``, ``metrics``, ...) are kept and
    refused, like the dict's, when the recipe's result is served.
    """

    def __init__(
        self,
        dataset: Union[str, bool, None],
        view_id: str,
        stream: Iterable[Dict[str, Any]],
        update: Optional[Callable[..., Any]] = None,
        db: Any = None,
        progress: Optional[Callable[..., Any]] = None,
        on_load: Optional[Callable[..., Any]] = None,
        on_exit: Optional[Callable[..., Any]] = None,
        before_db: Optional[Callable[..., Any]] = None,
        validate_answer: Optional[Callable[..., Any]] = None,
        get_session_id: Optional[Callable[[], str]] = None,
        exclude: Optional[List[str]] = None,
        config: Optional[Dict[str, Any]] = None,
        **components: Any,
    ) -> None:
        self.dataset = dataset
        self.view_id = view_id
        self.stream = stream
        self.update = update
        self.db = db
        self.progress = progress
        self.on_load = on_load
        self.on_exit = on_exit
        self.before_db = before_db
        self.validate_answer = validate_answer
        self.get_session_id = get_session_id
        self.exclude = list(exclude or [])
        self.config = dict(config or {})
        self.extra_components = components
        self.recipe_name: Optional[str] = None

    @classmethod
    def from_components(cls, name: str, components: Dict[str, Any]) -> "Controller":
        """A controller for recipe ``name`` from its components dict."""
        missing = [key for key in ("dataset", "view_id", "stream") if key not in components]
        if missing:
            raise ControllerArgumentError(missing[0], "Controller.from_components() needs dataset, view_id and stream")
        controller = cls(**components)
        controller.recipe_name = name
        return controller

    def to_components(self) -> Dict[str, Any]:
        """The components dict this controller stands for."""
        result: Dict[str, Any] = {key: getattr(self, key) for key in ARGUMENTS if key != "db"}
        result = {key: value for key, value in result.items() if value is not None}
        if self.dataset is None:
            result["dataset"] = False  # Prodigy's Controller without a dataset stores nothing
        db = _storage(self.db)
        if db is not None:
            result["db"] = db
        result.update(self.extra_components)
        return result

    def __getattr__(self, name: str) -> Any:
        # only called for names the instance lacks: mentor's server controller has the rest
        raise AttributeError(
            f"'{name}': a Controller a recipe builds only holds its components; mentor builds the controller "
            "that serves them when the server starts (on_load receives it)"
        )


def _storage(db: Any) -> Optional[bool]:
    """The ``db`` component for a Controller's ``db``: mentor's configured database or none."""
    if db is None or db is True:
        return None
    if db is False:
        return False
    if isinstance(db, Database) and getattr(db, "configured", False):
        return True  # prodigy.components.db.connect(): the database mentor stores answers in anyway
    raise ControllerArgumentError(
        "db", "mentor stores answers in the database its settings name; pass connect() without arguments, "
        "True, or False to store nothing (set another database with db_url or prodigy.json's db_settings)"
    )
