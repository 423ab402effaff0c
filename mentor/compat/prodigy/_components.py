"""What a Prodigy recipe returns, as mentor's :class:`Components`.

The dict keys mentor implements the Prodigy way live in ``Components.from_dict``
(``db: False`` stores nothing, ``get_session_id`` names the default session,
``progress(ctrl, update_return_value)``); a ``Controller`` the recipe built
itself stands for its components; the keys of Prodigy's routing and
plugin hooks are refused here by name rather than silently ignored, since a
recipe that routes tasks would otherwise run with a different meaning. A
``progress`` with Prodigy v1.x's keywords is adapted (``_progress``).
"""
from __future__ import annotations

from typing import Any

from mentor.core.components import Components
from mentor.core.controller import Controller as MentorController
from mentor.errors import UnsupportedComponent

from ._controller import Controller
from ._progress import LegacyProgress, is_legacy_progress, with_start

UNSUPPORTED = {
    "task_router": "mentor routes tasks itself (feed_overlap, annotations_per_task); drop the router or set those",
    "session_factory": "sessions are created by mentor's controller",
    "event_hooks": "mentor's web app sends no custom events",
    "metrics": "use 'mentor iaa' for agreement metrics",
}


def to_components(result: Any) -> Any:
    """Components from a recipe's dict or the Controller it built; anything else (None from a command) is passed on."""
    if isinstance(result, Controller) and not isinstance(result, MentorController):
        result = result.to_components()
    if not isinstance(result, dict):
        return result
    for key, why in UNSUPPORTED.items():
        if result.get(key) is not None:
            raise UnsupportedComponent(key, why)
    if getattr(result.get("db"), "configured", False):  # "db": connect(), the database mentor uses anyway
        result = {**result, "db": True}
    progress = result.get("progress")
    if progress is not None and is_legacy_progress(progress):
        legacy = LegacyProgress(progress)
        result = {**result, "progress": legacy, "on_load": with_start(result.get("on_load"), legacy)}
    return Components.from_dict(result)
