"""spans.correct: pre-filled spans from a spancat, a clear error without one."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example

from mentor.errors import MentorError
from mentor.models.spancat import NoSpanCategorizer
from mentor.recipes.spans_correct import spans_correct


@pytest.fixture(scope="module")
def spancat_model(tmp_path_factory) -> Path:
    nlp = spacy.blank("en")
    spancat = nlp.add_pipe("spancat", config={"spans_key": "sc", "threshold": 0.3})
    spancat.add_label("FRUIT")
    doc = nlp.make_doc("I like apples")
    ref = doc.copy()
    ref.spans["sc"] = [Span(ref, 2, 3, label="FRUIT")]
    examples = [Example(doc, ref)]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("spancat") / "model"
    nlp.to_disk(path)
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text(json.dumps({"text": "I like apples"}) + "\n" + json.dumps({"text": "apples again"}) + "\n", encoding="utf8")
    return path


def test_spans_correct_prefills_and_updates(spancat_model, source):
    components = spans_correct("sp", str(spancat_model), str(source), update=True)
    assert components.view_id == "spans_manual" and components.config["labels"] == ["FRUIT"]
    tasks = list(components.stream)
    assert len(tasks) == 2 and all("tokens" in t for t in tasks)
    assert any(s["text"] == "apples" and s["label"] == "FRUIT" and 0 <= s["score"] <= 1 for s in tasks[0]["spans"])
    answer = dict(tasks[1], answer="accept", spans=[{"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "FRUIT"}])
    assert components.update([answer]) is not None
    assert components.update([dict(answer, answer="ignore")]) is None


def test_spans_correct_without_spancat_is_a_clear_error(source):
    with pytest.raises(NoSpanCategorizer) as info:
        spans_correct("sp", "blank:en", str(source))
    assert isinstance(info.value, MentorError) and "spans.manual" in str(info.value)
