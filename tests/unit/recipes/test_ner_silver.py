"""ner.silver-to-gold: one complete task a text, agreeing with its binary answers."""
from __future__ import annotations

from pathlib import Path

import pytest

from mentor.db import connect
from mentor.errors import DatasetNotFound, InputError
from mentor.recipes.ner_silver import ner_silver_to_gold
from mentor.tasks import set_hashes


def binary(text: str, start: int, end: int, label: str, answer: str) -> dict:
    return set_hashes({"text": text, "spans": [{"start": start, "end": end, "label": label}], "answer": answer,
                       "_session_id": "teach-x"})


def test_silver_answers_become_one_consistent_task_per_text(mentor_home: Path) -> None:
    db = connect()
    db.add_dataset("teach")
    db.add_examples([
        binary("Acme hired Bo Li", 0, 4, "ORG", "accept"),
        binary("Acme hired Bo Li", 11, 16, "ORG", "reject"),
        binary("Rain in Paris", 8, 13, "ORG", "reject"),
        binary("Rain in Paris", 0, 4, "ORG", "ignore"),
    ], datasets=["teach"])
    components = ner_silver_to_gold("teach", "gold", "blank:en", label="ORG,PERSON")
    tasks = list(components.stream)
    assert components.view_id == "ner_manual" and components.config["labels"] == ["ORG", "PERSON"]
    assert [t["text"] for t in tasks] == ["Acme hired Bo Li", "Rain in Paris"]
    first = {(s["start"], s["end"], s["label"]) for s in tasks[0]["spans"]}
    assert (0, 4, "ORG") in first and (11, 16, "ORG") not in first
    assert (8, 13, "ORG") not in {(s["start"], s["end"], s["label"]) for s in tasks[1]["spans"]}
    assert all("answer" not in t and t["tokens"] for t in tasks)


def test_silver_to_gold_refuses_missing_or_same_datasets(mentor_home: Path) -> None:
    with pytest.raises(DatasetNotFound):
        ner_silver_to_gold("nothing", "gold", "blank:en", label="ORG")
    with pytest.raises(InputError, match="can't also be a silver"):
        ner_silver_to_gold("gold", "gold", "blank:en", label="ORG")
