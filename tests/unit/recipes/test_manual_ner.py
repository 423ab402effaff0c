"""ner.manual and spans.manual, called as functions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentor.errors import InputError, InvalidTask, NotFound
from mentor.recipes.ner_manual import ner_manual
from mentor.recipes.spans_manual import spans_manual


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    rows = [{"text": "Apple hired Tim Cook in Cupertino."}, {"text": "Nothing here"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_manual_ner_tokenizes_with_blank_model(source: Path) -> None:
    comps = ner_manual("ds", "blank:en", str(source), label="ORG,PERSON")
    assert comps.view_id == "ner_manual" and comps.config["labels"] == ["ORG", "PERSON"]
    assert comps.config["exclude_by"] == "input" and comps.before_db is None
    task = next(iter(comps.stream))
    assert [t["text"] for t in task["tokens"]][:3] == ["Apple", "hired", "Tim"]
    assert task["tokens"][1] == {"text": "hired", "start": 6, "end": 11, "id": 1, "ws": True}
    assert "_task_hash" in task and "_input_hash" in task


def test_manual_ner_patterns_prehighlight_spans(source: Path, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(
        json.dumps({"label": "ORG", "pattern": "apple"}) + "\n"
        + json.dumps({"label": "PERSON", "pattern": [{"lower": "tim"}, {"lower": "cook"}]}) + "\n"
    )
    comps = ner_manual("ds", "blank:en", str(source), label="ORG,PERSON", patterns=patterns)
    first, second = list(comps.stream)
    assert [(s["label"], s["token_start"], s["token_end"]) for s in first["spans"]] == [("ORG", 0, 0), ("PERSON", 2, 3)]
    assert second["text"] == "Nothing here" and second["spans"] == []  # every example is still shown
    plain = next(iter(ner_manual("ds", "blank:en", str(source), label="ORG").stream))
    assert plain["_input_hash"] == first["_input_hash"] and plain["_task_hash"] != first["_task_hash"]


def test_manual_ner_highlight_chars_uses_char_tokens_and_strips_them(source: Path) -> None:
    comps = ner_manual("ds", "blank:en", str(source), label="ORG", highlight_chars=True)
    assert comps.config["ner_manual_highlight_chars"] is True
    task = next(iter(comps.stream))
    assert len(task["tokens"]) == len(task["text"]) and task["tokens"][0]["text"] == "A"
    answer = {**task, "answer": "accept", "spans": [{"start": 0, "end": 3, "label": "ORG", "token_start": 0, "token_end": 2}]}
    assert comps.before_db is not None
    stored = comps.before_db([answer])[0]
    assert "tokens" not in stored and stored["spans"] == [{"start": 0, "end": 3, "label": "ORG"}]


def test_manual_ner_spans_from_source_are_aligned(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps({"text": "Hello Apple", "spans": [{"start": 6, "end": 11, "label": "ORG"}]}) + "\n")
    task = next(iter(ner_manual("ds", "blank:en", str(path), label="ORG").stream))
    assert task["spans"][0]["token_start"] == 1 and task["spans"][0]["token_end"] == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Hello Apple", "spans": [{"start": 7, "end": 11, "label": "ORG"}]}) + "\n")
    with pytest.raises(InvalidTask):
        next(iter(ner_manual("ds", "blank:en", str(bad), label="ORG").stream))


def test_manual_ner_needs_labels_and_a_model(source: Path) -> None:
    with pytest.raises(InputError):
        ner_manual("ds", "blank:en", str(source))
    with pytest.raises(NotFound):
        ner_manual("ds", "no_such_pipeline_xyz", str(source), label="ORG")


def test_manual_spans_uses_spans_manual_view(source: Path) -> None:
    comps = spans_manual("ds", "blank:en", str(source), label="A,B")
    assert comps.view_id == "spans_manual" and comps.config["labels"] == ["A", "B"]
    assert next(iter(comps.stream))["tokens"]
