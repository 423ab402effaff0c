"""A Prodigy recipe that builds and returns its own Controller (v1.12's style), written for mentor's tests."""
import prodigy
from prodigy.components.db import connect
from prodigy.components.stream import get_stream
from prodigy.core import Controller


@prodigy.recipe(
    "own-controller",
    dataset=("Dataset to save answers to", "positional", None, str),
    source=("JSONL file with texts", "positional", None, str),
)
def own_controller(dataset, source):
    """Accept or reject texts, served by a Controller the recipe builds."""
    stream = get_stream(source)
    counted = {"n": 0}

    def update(answers):
        counted["n"] += len(answers)

    def progress(session=0, total=0, loss=0):  # Prodigy v1.x's signature
        return min(1.0, session / 10)

    components = {
        "dataset": dataset, "view_id": "text", "stream": stream, "update": update, "db": connect(),
        "progress": progress, "config": {"batch_size": 2},
    }
    return Controller.from_components("own-controller", components)
