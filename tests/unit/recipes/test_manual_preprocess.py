"""mentor.preprocess, the stream transforms the manual recipes are built from."""
from __future__ import annotations

import spacy

from mentor.preprocess import add_tokens, doc_to_tokens, span_to_dict, spans_to_dicts, split_sentences
from mentor.tasks import set_hashes


def test_manual_preprocess_add_tokens_keeps_given_tokens() -> None:
    nlp = spacy.blank("en")
    given = [{"text": "x", "start": 0, "end": 1, "id": 0, "ws": False}]
    tasks = list(add_tokens(nlp, [{"text": "x y"}, {"text": "x", "tokens": given}]))
    assert [t["text"] for t in tasks[0]["tokens"]] == ["x", "y"]
    assert tasks[1]["tokens"] == given


def test_manual_preprocess_add_tokens_skips_misaligned_when_asked() -> None:
    nlp = spacy.blank("en")
    tasks = [{"text": "Hello Apple", "spans": [{"start": 7, "end": 11, "label": "ORG"}]}, {"text": "ok"}]
    assert [t["text"] for t in add_tokens(nlp, tasks, skip=True)] == ["ok"]


def test_manual_preprocess_split_sentences_rebases_spans() -> None:
    nlp = spacy.blank("en")
    task = set_hashes(
        {"text": "First one. Apple is here.", "meta": {"id": 7}, "spans": [{"start": 11, "end": 16, "label": "ORG"}]}
    )
    first, second = split_sentences(nlp, [task])
    assert first["text"] == "First one." and "spans" not in first
    assert second["text"] == "Apple is here." and second["meta"] == {"id": 7}
    assert second["spans"][0]["start"] == 0 and second["spans"][0]["token_start"] == 0
    assert second["_input_hash"] != task["_input_hash"]


def test_manual_preprocess_span_helpers() -> None:
    nlp = spacy.blank("en")
    doc = nlp("Tim Cook runs Apple")
    doc.ents = [doc.char_span(0, 8, label="PERSON"), doc.char_span(14, 19, label="ORG")]
    assert span_to_dict(doc.ents[0]) == {
        "start": 0, "end": 8, "text": "Tim Cook", "token_start": 0, "token_end": 1, "label": "PERSON"
    }
    assert [s["label"] for s in spans_to_dicts(doc.ents, labels=["ORG"])] == ["ORG"]
    assert doc_to_tokens(doc)[3] == {"text": "Apple", "start": 14, "end": 19, "id": 3, "ws": False}
