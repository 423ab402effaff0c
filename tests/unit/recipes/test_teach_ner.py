"""ner.teach and ner.correct called as functions, answered by a fake annotator."""
from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest

from mentor.errors import InputError
from mentor.recipes.ner_teach import ner_correct, ner_teach

TEXTS = [
    "Barack Obama visited Google in California. Then he flew home.",
    "Apple hired Tim Cook yesterday.",
    "Google bought a small company.",
]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join(json.dumps({"text": t}) for t in TEXTS) + "\n", encoding="utf8")
    return path


@pytest.fixture
def patterns(tmp_path: Path) -> Path:
    path = tmp_path / "patterns.jsonl"
    path.write_text(json.dumps({"label": "ORG", "pattern": "google"}) + "\n", encoding="utf8")
    return path


def test_ner_teach_proposes_scored_spans_and_learns(source):
    components = ner_teach("ents", "blank:en", str(source), label="PERSON,ORG")
    assert components.view_id == "ner" and components.config["labels"] == ["PERSON", "ORG"]
    tasks = list(islice(iter(components.stream), 10))
    assert tasks
    for task in tasks:
        (span,) = task["spans"]
        assert span["label"] in ("PERSON", "ORG") and 0 <= task["meta"]["score"] <= 1.0 + 1e-6
        assert "priority" in task
    # sentences are split: no task holds both sentences of the first text
    assert not any("Then he flew" in task["text"] and "Obama" in task["text"] for task in tasks)
    loss = components.update([dict(task, answer="reject") for task in tasks])
    assert loss is not None


def test_ner_teach_with_patterns_asks_about_matches(source, patterns):
    components = ner_teach("ents", "blank:en", str(source), label="ORG", patterns=patterns, unsegmented=True)
    tasks = list(iter(components.stream))
    matched = [task for task in tasks if task.get("meta", {}).get("pattern") is not None]
    assert len(matched) == 2
    assert all(task["spans"][0]["text"] == "Google" and task["spans"][0]["label"] == "ORG" for task in matched)
    assert components.update([dict(task, answer="accept") for task in matched]) is not None


def test_ner_correct_prefills_spans_and_updates(source):
    components = ner_correct("ents", "blank:en", str(source), label="PERSON,ORG", update=True)
    assert components.view_id == "ner_manual" and components.config["exclude_by"] == "input"
    tasks = list(components.stream)
    assert len(tasks) == 4  # three texts, the first split in two sentences
    assert all("tokens" in task and isinstance(task["spans"], list) for task in tasks)
    answer = dict(tasks[1], answer="accept", spans=[{"start": 0, "end": 5, "label": "ORG", "token_start": 0, "token_end": 0}])
    assert components.update([answer]) is not None


def test_ner_correct_needs_labels_without_ner(source):
    with pytest.raises(InputError):
        ner_correct("ents", "blank:en", str(source))
