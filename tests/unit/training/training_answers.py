"""Answers shaped like the ones the recipes store, for the training tests."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from mentor.tasks import set_hashes


def ner_task(text: str, spans: List[tuple], *, answer: str = "accept", view: Optional[str] = "ner_manual", **extra: Any) -> Dict[str, Any]:
    task = {
        "text": text,
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "answer": answer,
        **extra,
    }
    if view is not None:
        task["_view_id"] = view
    return set_hashes(task)


def span_of(text: str, word: str, label: str) -> tuple:
    start = text.index(word)
    return (start, start + len(word), label)


def cat_task(text: str, label: str, answer: str) -> Dict[str, Any]:
    return set_hashes({"text": text, "label": label, "answer": answer, "_view_id": "classification"})


def choice_task(text: str, options: List[str], accept: List[str], answer: str = "accept") -> Dict[str, Any]:
    return set_hashes({
        "text": text,
        "options": [{"id": o, "text": o} for o in options],
        "accept": accept,
        "answer": answer,
        "_view_id": "choice",
    })


