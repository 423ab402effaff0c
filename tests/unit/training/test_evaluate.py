from __future__ import annotations

import spacy
from spacy.training import Example

from mentor.training.evaluate import score_cats, score_spans


def _example(nlp, text, predicted_ents, gold_ents, missing=False):
    pred, gold = nlp(text), nlp(text)
    pred.set_ents([pred.char_span(s, e, label=l) for s, e, l in predicted_ents])
    gold.set_ents([gold.char_span(s, e, label=l) for s, e, l in gold_ents], default="missing" if missing else "outside")
    return Example(pred, gold)


def test_evaluate_spans_known_case():
    nlp = spacy.blank("en")
    text = "Alice met Bob in Paris"
    eg = _example(nlp, text, [(0, 5, "PER"), (10, 13, "LOC"), (17, 22, "LOC")], [(0, 5, "PER"), (10, 13, "PER"), (17, 22, "LOC")])
    result = score_spans([eg], component="ner")
    by_label = {s.label: (s.tp, s.fp, s.fn) for s in result.labels}
    assert by_label == {"PER": (1, 0, 1), "LOC": (1, 1, 0)}
    assert result.micro.p == 2 / 3 and result.micro.r == 2 / 3


def test_evaluate_spans_ignore_predictions_on_missing_tokens():
    nlp = spacy.blank("en")
    text = "Alice met Bob"
    eg = _example(nlp, text, [(0, 5, "PER"), (10, 13, "PER")], [(0, 5, "PER")], missing=True)
    result = score_spans([eg], component="ner")
    assert (result.labels[0].tp, result.labels[0].fp) == (1, 0)
    # ...unless a person rejected exactly that span
    eg.reference.spans["incorrect_spans"] = [eg.reference.char_span(10, 13, label="PER")]
    result = score_spans([eg], component="ner")
    assert (result.labels[0].tp, result.labels[0].fp) == (1, 1)


def _cats_example(nlp, predicted, gold):
    pred, ref = nlp.make_doc("x"), nlp.make_doc("x")
    pred.cats, ref.cats = predicted, gold
    return Example(pred, ref)


def test_evaluate_cats_exclusive_confusion_matrix():
    nlp = spacy.blank("en")
    examples = [
        _cats_example(nlp, {"A": 0.9, "B": 0.1}, {"A": 1.0, "B": 0.0}),
        _cats_example(nlp, {"A": 0.8, "B": 0.2}, {"A": 0.0, "B": 1.0}),
        _cats_example(nlp, {"A": 0.3, "B": 0.7}, {"A": 0.0, "B": 1.0}),
    ]
    result = score_cats(examples, component="textcat", exclusive=True)
    assert result.confusion == {"A": {"A": 1}, "B": {"A": 1, "B": 1}}
    assert result.accuracy == 2 / 3
    by_label = {s.label: (s.tp, s.fp, s.fn) for s in result.labels}
    assert by_label == {"A": (1, 1, 0), "B": (1, 0, 1)}


def test_evaluate_cats_multilabel_counts_only_answered_labels():
    nlp = spacy.blank("en")
    examples = [
        _cats_example(nlp, {"A": 0.9, "B": 0.9}, {"A": 1.0}),  # B unanswered: not counted
        _cats_example(nlp, {"A": 0.6, "B": 0.1}, {"A": 0.0, "B": 1.0}),
    ]
    result = score_cats(examples, component="textcat_multilabel", exclusive=False)
    assert result.confusion == {"A": {"tp": 1, "fp": 1, "fn": 0, "tn": 0}, "B": {"tp": 0, "fp": 0, "fn": 1, "tn": 0}}
    assert result.accuracy == 1 / 3
