"""Tiny synthetic datasets that a blank pipeline learns in a few epochs."""
from __future__ import annotations

import random
from typing import Any, Dict, List

from mentor.db import Database
from mentor.tasks import set_hashes

NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"]
CITIES = ["Paris", "Berlin", "Rome", "Oslo", "Lima"]


def ner_answers(n: int, seed: int = 0) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        name, city = rng.choice(NAMES), rng.choice(CITIES)
        text = f"{name} flew to {city} on day {i}."
        start = text.index(city)
        spans = [
            {"start": 0, "end": len(name), "label": "PERSON"},
            {"start": start, "end": start + len(city), "label": "GPE"},
        ]
        tasks.append(set_hashes({"text": text, "spans": spans, "answer": "accept", "_view_id": "ner_manual"}))
    return tasks


def binary_ner_answers(n: int, seed: int = 0) -> List[Dict[str, Any]]:
    """Teach-style answers: each true entity accepted, a wrong guess rejected."""
    tasks = []
    for gold in ner_answers(n, seed):
        for span in gold["spans"]:
            tasks.append(set_hashes({"text": gold["text"], "spans": [span], "answer": "accept", "_view_id": "ner"}))
        wrong = {"start": gold["text"].index("flew"), "end": gold["text"].index("flew") + 4, "label": "PERSON"}
        tasks.append(set_hashes({"text": gold["text"], "spans": [wrong], "answer": "reject", "_view_id": "ner"}))
    return tasks


def textcat_answers(n: int, seed: int = 0) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    tasks = []
    for i in range(n):
        happy = rng.random() < 0.5
        text = f"{'I love this great film' if happy else 'I hate this awful film'} number {i}"
        tasks.append(set_hashes({"text": text, "label": "HAPPY", "answer": "accept" if happy else "reject", "_view_id": "classification"}))
    return tasks


def add(db: Database, name: str, tasks: List[Dict[str, Any]]) -> None:
    db.add_dataset(name)
    db.add_examples(tasks, datasets=[name])
