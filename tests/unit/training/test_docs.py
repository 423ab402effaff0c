from __future__ import annotations

import spacy

from mentor.training.docs import doc_from_tokens, make_reference_doc
from mentor.training.merge import merge_component

from training_answers import cat_task, ner_task, span_of


def _doc(component_answers):
    nlp = spacy.blank("en")
    anns, reports = {}, {}
    for component, answers in component_answers.items():
        merged, report = merge_component(component, answers)
        anns[component] = next(iter(merged.values()))
        reports[component] = report
    return make_reference_doc(nlp, anns, reports), reports


def test_docs_manual_ner_sets_outside_tokens(text):
    doc, _ = _doc({"ner": [("a", ner_task(text, [span_of(text, "Alice", "PERSON")]))]})
    assert [t.ent_iob_ for t in doc] == ["B", "O", "O", "O", "O", "O"]


def test_docs_binary_ner_leaves_missing_and_incorrect_spans(text):
    doc, _ = _doc({"ner": [
        ("a", ner_task(text, [span_of(text, "Alice", "PERSON")], view="ner")),
        ("a", ner_task(text, [span_of(text, "Paris", "PERSON")], view="ner", answer="reject")),
    ]})
    assert [t.ent_iob_ for t in doc] == ["B", "", "", "", "", ""]
    assert [(s.text, s.label_) for s in doc.spans["incorrect_spans"]] == [("Paris", "PERSON")]


def test_docs_misaligned_span_is_reported_and_missing(text):
    doc, reports = _doc({"ner": [("a", ner_task(text, [(0, 3, "PERSON"), span_of(text, "Paris", "GPE")]))]})
    assert reports["ner"].skipped["span doesn't align with tokens"] == 1
    assert [t.ent_iob_ for t in doc] == ["", "O", "B", "O", "O", "O"]


def test_docs_use_task_tokens():
    text = "New-York rocks"
    tokens = [{"text": "New-York", "start": 0, "end": 8, "id": 0}, {"text": "rocks", "start": 9, "end": 14, "id": 1}]
    doc, _ = _doc({"ner": [("a", ner_task(text, [(0, 8, "GPE")], tokens=tokens))]})
    assert [t.text for t in doc] == ["New-York", "rocks"]
    assert [(e.text, e.label_) for e in doc.ents] == [("New-York", "GPE")]


def test_docs_tokens_that_dont_spell_the_text_fall_back():
    nlp = spacy.blank("en")
    assert doc_from_tokens(nlp.vocab, "a b", [{"text": "a", "start": 0, "end": 1}, {"text": "c", "start": 2, "end": 3}]) is None


def test_docs_combine_components(text):
    doc, _ = _doc({
        "ner": [("a", ner_task(text, [span_of(text, "Paris", "GPE")]))],
        "textcat_multilabel": [("b", cat_task(text, "TRAVEL", "accept"))],
        "spancat": [("c", ner_task(text, [(0, 13, "EVENT")], view="spans_manual"))],
    })
    assert doc.cats == {"TRAVEL": 1.0}
    assert [e.text for e in doc.ents] == ["Paris"]
    assert [s.text for s in doc.spans["sc"]] == ["Alice visited"]


def test_docs_malformed_tokens_fall_back_to_the_tokenizer():
    nlp = spacy.blank("en")
    for tokens in (["a", "b"], [{"text": "a", "start": 0, "end": 1}, {"text": "b"}], [{"text": "a", "start": 0}]):
        assert doc_from_tokens(nlp.vocab, "a b", tokens) is None
