"""Prodigy v1.x's ``progress(session=0, total=0, loss=0)`` served by mentor's controller."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List

import pytest

from mentor.compat.prodigy._components import to_components
from mentor.compat.prodigy._progress import is_legacy_progress
from mentor.config import Settings
from mentor.core.controller import Controller
from mentor.db import connect
from mentor.tasks import set_hashes


def test_the_signature_tells_the_two_apart() -> None:
    def old(session=0, total=0, loss=0):  # noqa: ANN001, ANN202
        return 0.0

    def old_loss_only(loss=0):  # noqa: ANN001, ANN202
        return 0.0

    def new(ctrl, update_return_value):  # noqa: ANN001, ANN202
        return 0.0

    def new_named_loss(ctrl, loss):  # noqa: ANN001, ANN202
        return 0.0

    def anything(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        return 0.0

    assert is_legacy_progress(old) and is_legacy_progress(old_loss_only)
    assert is_legacy_progress(functools.partial(lambda ctrl=None, session=0, total=0: 0.0, None))
    assert not is_legacy_progress(new) and not is_legacy_progress(new_named_loss)
    assert not is_legacy_progress(anything) and not is_legacy_progress(max)


def _stream(n: int) -> List[Dict[str, Any]]:
    return [set_hashes({"text": f"text {i}", "label": "X"}) for i in range(n)]


def test_old_progress_gets_session_total_and_loss(mentor_home: Path) -> None:
    db = connect()
    db.add_dataset("prog")
    db.add_examples([{"text": "answered before", "label": "X", "answer": "accept"}], ["prog"])
    calls: List[Dict[str, Any]] = []

    def progress(session=0, total=0, loss=0):  # noqa: ANN001, ANN202
        calls.append({"session": session, "total": total, "loss": loss})
        return min(1.0, session / 8)

    losses = iter([0.5, 0.25])
    components = to_components({
        "dataset": "prog", "stream": _stream(8), "view_id": "classification",
        "update": lambda answers: next(losses), "progress": progress, "config": {"batch_size": 4},
    })
    controller = Controller(components, db, Settings(home=mentor_home))
    controller.start()  # the server's start-up: on_load, then the session's start count
    questions = controller.get_questions("alex")
    assert questions.progress == 0.0 and calls[-1] == {"session": 0, "total": 1, "loss": 0}
    receipt = controller.give_answers([{**t, "answer": "accept"} for t in questions.tasks], "alex")
    assert receipt.progress == 0.5 and receipt.progress_kind == "recipe"
    assert calls[-1] == {"session": 4, "total": 5, "loss": 0.5}
    controller.close()
    db.close()


def test_old_progress_with_some_keywords_and_the_recipes_on_load(mentor_home: Path) -> None:
    db = connect()
    loaded: List[Any] = []

    def progress(total=0, **rest):  # noqa: ANN001, ANN003, ANN202
        return 0.25 if set(rest) == {"session", "loss"} else -1.0

    components = to_components({
        "dataset": "prog2", "stream": _stream(3), "view_id": "classification",
        "progress": progress, "on_load": loaded.append,
    })
    controller = Controller(components, db, Settings(home=mentor_home))
    controller.start()
    assert loaded == [controller]
    assert controller.get_questions("alex").progress == 0.25
    controller.close()
    db.close()


def test_new_progress_is_called_as_before(mentor_home: Path) -> None:
    db = connect()
    seen: List[Any] = []

    def progress(ctrl, update_return_value):  # noqa: ANN001, ANN202
        seen.append((ctrl, update_return_value))
        return 0.75

    components = to_components({"dataset": "prog3", "stream": _stream(2), "view_id": "classification", "progress": progress})
    controller = Controller(components, db, Settings(home=mentor_home))
    assert controller.get_questions("alex").progress == pytest.approx(0.75)
    assert seen == [(controller, None)]
    controller.close()
    db.close()
