"""A Prodigy-style recipe file in the plac tuple style (Prodigy <= 1.11), written for mentor's tests."""
import prodigy
from prodigy.components.loaders import JSONL
from prodigy.util import set_hashes, split_string


@prodigy.recipe(
    "check-label",
    dataset=("Dataset to save answers to", "positional", None, str),
    source=("JSONL file with texts", "positional", None, str),
    label=("Comma-separated label(s)", "option", "l", split_string),
    batch=("Batch size", "option", "bs", int),
    skip_db=("Don't store the answers", "flag", "N", bool),
)
def check_label(dataset, source, label=None, batch=5, skip_db=False):
    """Accept or reject one label per text."""
    labels = label or ["RELEVANT"]

    def tasks():
        for eg in JSONL(source):
            for name in labels:
                yield set_hashes({"text": eg["text"], "label": name})

    seen = []

    def update(answers):
        seen.extend(answers)

    def progress(ctrl, update_return_value):
        return min(1.0, len(seen) / 10)

    components = {
        "dataset": dataset,
        "stream": tasks(),
        "view_id": "classification",
        "update": update,
        "progress": progress,
        "config": {"batch_size": batch},
    }
    if skip_db:
        components["db"] = False
    return components
