"""A Prodigy recipe that returns a ``Controller`` it built itself."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator, List

import pytest

from mentor.compat import COMPAT_PATH
from mentor.config import Settings
from mentor.core import Components
from mentor.core.controller import Controller as MentorController
from mentor.db import connect
from mentor.errors import ControllerArgumentError, UnsupportedComponent
from mentor.registry import get_recipe


@pytest.fixture
def prodigy(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setattr(sys, "path", [str(COMPAT_PATH), *sys.path])
    import prodigy

    yield prodigy


def _tasks(n: int) -> List[dict]:
    return [{"text": f"text {i}", "label": "X"} for i in range(n)]


def test_a_recipe_returns_a_controller_built_with_prodigys_arguments(prodigy, mentor_home: Path) -> None:
    from prodigy.components.db import connect as prodigy_connect
    from prodigy.core import Controller

    loaded: List[Any] = []
    updates: List[int] = []

    @prodigy.recipe("compat-ctrl-args", dataset=("Dataset", "positional", None, str))
    def build(dataset: str) -> Controller:
        db = prodigy_connect()

        def on_load(ctrl: Controller) -> None:
            loaded.append(isinstance(ctrl, Controller))

        def progress(session=0, total=0, loss=0):  # noqa: ANN001, ANN202 - Prodigy v1.x's, in a Controller too
            return session / 4

        return Controller(dataset, "classification", _tasks(4), lambda answers: updates.append(len(answers)), db,
                          progress, on_load, None, None, None, None, [], {"batch_size": 2})

    components = get_recipe("compat-ctrl-args").func(dataset="ctrl_ds")
    assert isinstance(components, Components)
    assert components.dataset == "ctrl_ds" and components.view_id == "classification"
    assert components.config == {"batch_size": 2}
    controller = MentorController(components, connect(), Settings(home=mentor_home))
    controller.start()
    tasks = controller.get_questions("alex").tasks
    receipt = controller.give_answers([{**t, "answer": "accept"} for t in tasks], "alex")
    controller.close()
    assert loaded == [True] and updates == [2] and receipt.saved == 2 and receipt.progress == 0.5
    assert controller.db.count_dataset("ctrl_ds") == 2


def test_from_components_and_what_a_built_controller_holds(prodigy, mentor_home: Path) -> None:
    from prodigy.core import Controller

    @prodigy.recipe("compat-ctrl-from")
    def build(dataset: str) -> Controller:
        ctrl = Controller.from_components("compat-ctrl-from", {
            "dataset": dataset, "stream": _tasks(2), "view_id": "text", "db": False,
            "get_session_id": lambda: "ann-1",
        })
        assert ctrl.dataset == dataset and ctrl.view_id == "text" and ctrl.recipe_name == "compat-ctrl-from"
        with pytest.raises(AttributeError, match="only holds its components"):
            ctrl.get_questions()
        return ctrl

    components = get_recipe("compat-ctrl-from").func(dataset="nodb")
    assert components.dataset is False and components.get_session_id() == "ann-1"


def test_a_controller_with_what_mentor_cant_serve_is_refused(prodigy, mentor_home: Path) -> None:
    from prodigy.components.db import connect as prodigy_connect
    from prodigy._components import to_components  # the module the file's `import prodigy` loads
    from prodigy.core import Controller

    other = prodigy_connect("sqlite", {"name": "other.db"})
    with pytest.raises(ControllerArgumentError, match="'db'"):
        to_components(Controller("ds", "text", _tasks(1), None, other))
    with pytest.raises(UnsupportedComponent, match="task_router"):
        to_components(Controller("ds", "text", _tasks(1), task_router=lambda *a: []))
    with pytest.raises(ControllerArgumentError, match="needs dataset"):
        Controller.from_components("x", {"stream": []})
    other.close()
