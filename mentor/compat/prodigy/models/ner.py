"""``prodigy.models.ner``: ``EntityRecognizer(nlp, label=...)`` and ``merge_spans``.

mentor's recognizer takes the labels as ``labels``; Prodigy recipes pass
``label=``. ``make_best``, ``update``, ``__call__`` (``(score, task)`` pairs)
are mentor's own.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Sequence

from mentor.models.ner import EntityRecognizer as _EntityRecognizer
from mentor.tasks import INPUT_HASH_KEYS, Task, get_input_hash, set_hashes

__all__ = ["EntityRecognizer", "merge_spans"]


class EntityRecognizer(_EntityRecognizer):
    """mentor's beam entity recognizer, constructed the Prodigy way."""

    def __init__(self, nlp: Any, label: Optional[Sequence[str]] = None, component: Optional[str] = None, **kwargs: Any) -> None:
        labels = kwargs.pop("labels", None) or label
        super().__init__(nlp, list(labels) if labels else None, component=component, **kwargs)


def merge_spans(examples: Iterable[Task]) -> List[Task]:
    """One task an input: the spans of all its answers, each span carrying its answer's ``answer``.

    Ignored answers add nothing; the merged task has no top-level ``answer``.
    """
    merged: "OrderedDict[int, Task]" = OrderedDict()
    for eg in examples:
        key = eg.get("_input_hash")
        if not isinstance(key, int):
            key = get_input_hash(eg, INPUT_HASH_KEYS)
        task = merged.get(key)
        if task is None:
            task = {k: v for k, v in eg.items() if k not in ("spans", "answer", "_task_hash", "_session_id")}
            task["spans"] = []
            merged[key] = task
        if eg.get("answer") not in ("accept", "reject"):
            continue
        seen = {(s.get("start"), s.get("end"), s.get("label")) for s in task["spans"]}
        for span in eg.get("spans") or []:
            made: Dict[str, Any] = {**span, "answer": eg["answer"]}
            if (made.get("start"), made.get("end"), made.get("label")) not in seen:
                task["spans"].append(made)
    return [set_hashes(task, overwrite=True) for task in merged.values()]
