"""Text classification questions and answers, the same for every classifier in the loop.

Shared by the spaCy classifier and the linear one, so that both ask and read
answers the same way.
"""
from __future__ import annotations

from itertools import islice
from typing import Callable, Collection, Dict, Iterable, Iterator, List, Sequence, Tuple

from ..tasks import Task, rehash_task

__all__ = ["answers_to_cats", "label_question", "predict_in_batches"]


def answers_to_cats(answers: Iterable[Task], known: Collection[str], *, exclusive: bool) -> Dict[str, Dict[str, float]]:
    """Merge answers into partial ``cats`` per text; labels nobody answered stay out.

    Binary answers (``label``) set that label to 1.0 (accept) or 0.0 (reject);
    with exclusive classes an accept also sets every other label to 0.0.
    Choice answers (``options`` + ``accept``) that were accepted set every
    option: 1.0 if chosen, else 0.0. Ignored answers, rejected choices and
    labels outside ``known`` are skipped.
    """
    labels = set(known)
    by_text: Dict[str, Dict[str, float]] = {}
    for answer in answers:
        decision = answer.get("answer")
        text = answer.get("text")
        if decision not in ("accept", "reject") or not isinstance(text, str):
            continue
        if "options" in answer:
            if decision != "accept":
                continue  # a rejected choice says the options are wrong, not which
            chosen = {str(value) for value in answer.get("accept") or []}
            cats = by_text.setdefault(text, {})
            for option in answer["options"]:
                label = str(option.get("id"))
                if label in labels:
                    cats[label] = 1.0 if label in chosen else 0.0
        elif answer.get("label") in labels:
            label = answer["label"]
            cats = by_text.setdefault(text, {})
            cats[label] = 1.0 if decision == "accept" else 0.0
            if exclusive and decision == "accept":
                for other in labels - {label}:
                    cats.setdefault(other, 0.0)
    return {text: cats for text, cats in by_text.items() if cats}


def label_question(task: Task, label: str, score: float) -> Task:
    """A copy of ``task`` asking about ``label``, with the model's ``score`` (also in ``meta``) and a new task hash."""
    question = dict(task)
    question["label"] = label
    question["score"] = score
    question["meta"] = {**(task.get("meta") or {}), "score": round(score, 3)}
    return rehash_task(question)


def predict_in_batches(
    predict: Callable[[Sequence[str]], List[Dict[str, float]]], stream: Iterable[Task], batch_size: int,
) -> Iterator[Tuple[Task, Dict[str, float]]]:
    """Yield each task with ``predict``'s scores for its text, lazily, a batch at a time."""
    tasks = iter(stream)
    while True:
        batch = list(islice(tasks, batch_size))
        if not batch:
            return
        yield from zip(batch, predict([task["text"] for task in batch]))
