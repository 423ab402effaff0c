"""TextClassifier: per-label questions, partial updates, ignores change nothing."""
from __future__ import annotations

import numpy
import pytest
import spacy

from mentor.errors import InputError
from mentor.models.protocols import RescoringModel
from mentor.models.textcat import TextClassifier


def _model(labels=("SPAM",), **kwargs) -> TextClassifier:
    return TextClassifier(spacy.blank("en"), list(labels), seed=0, **kwargs)


def test_textcat_yields_one_scored_question_per_label(texts):
    model = _model(["SPAM", "HAM"])
    assert isinstance(model, RescoringModel)
    scored = list(model(texts))
    assert len(scored) == 2 * len(texts)
    for score, task in scored:
        assert 0.0 <= score <= 1.0
        assert task["score"] == score and task["meta"]["score"] == round(score, 3)
        assert task["label"] in ("SPAM", "HAM")
    first, second = scored[0][1], scored[1][1]
    assert first["_input_hash"] == second["_input_hash"] == texts[0]["_input_hash"]
    assert first["_task_hash"] != second["_task_hash"]
    assert "label" not in texts[0]  # the input task is not changed


def test_textcat_update_moves_scores_the_right_way(spam_answers):
    model = _model()
    spam, ham = "free prize now", "see you at dinner"
    before = model.predict([spam, ham])
    for _ in range(5):
        loss = model.update(spam_answers)
    assert isinstance(loss, float) and loss >= 0
    after = model.predict([spam, ham])
    assert after[0]["SPAM"] > before[0]["SPAM"]
    assert after[1]["SPAM"] < before[1]["SPAM"]
    assert after[0]["SPAM"] > after[1]["SPAM"]


def test_textcat_ignored_answers_leave_model_unchanged(spam_answers):
    model = _model()
    probe = ["free prize now", "see you at dinner"]
    before = model.predict(probe)
    ignored = [dict(answer, answer="ignore") for answer in spam_answers]
    assert model.update(ignored) is None
    assert model.predict(probe) == before


def test_textcat_binary_answer_leaves_other_labels_missing():
    model = _model(["SPAM", "HAM"])
    cats = model.answers_to_cats([
        {"text": "a", "label": "SPAM", "answer": "reject"},
        {"text": "b", "label": "HAM", "answer": "accept"},
        {"text": "c", "label": "OTHER", "answer": "accept"},
        {"text": "d", "label": "HAM", "answer": "ignore"},
    ])
    assert cats == {"a": {"SPAM": 0.0}, "b": {"HAM": 1.0}}
    # and the missing label really does not train: HAM's score for "a" is unchanged
    probe_before = model.predict(["a"])[0]
    model.update([{"text": "a", "label": "SPAM", "answer": "reject"}] * 3)
    probe_after = model.predict(["a"])[0]
    assert probe_after["SPAM"] < probe_before["SPAM"]
    assert probe_after["HAM"] == pytest.approx(probe_before["HAM"], abs=1e-6)


def test_textcat_choice_answers_set_every_option():
    model = _model(["A", "B", "C"])
    cats = model.answers_to_cats([
        {"text": "x", "options": [{"id": "A"}, {"id": "B"}, {"id": "C"}], "accept": ["B"], "answer": "accept"},
        {"text": "y", "options": [{"id": "A"}], "accept": ["A"], "answer": "reject"},
    ])
    assert cats == {"x": {"A": 0.0, "B": 1.0, "C": 0.0}}


def test_textcat_exclusive_and_rescore(spam_answers):
    model = _model(["SPAM", "HAM"], exclusive=True)
    assert model.exclusive and model.name == "textcat"
    scores = model.predict(["free prize"])[0]
    assert scores["SPAM"] + scores["HAM"] == pytest.approx(1.0, abs=1e-5)
    questions = [task for _, task in model([{"text": "free prize"}])]
    before = model.score_tasks(questions)
    model.update(spam_answers)
    after = model.score_tasks(questions)
    assert not numpy.allclose(before, after)


def test_textcat_adds_labels_to_existing_component(spam_answers):
    nlp = spacy.blank("en")
    first = TextClassifier(nlp, ["SPAM"], seed=0)
    first.update(spam_answers)
    second = TextClassifier(nlp, ["SPAM", "URGENT"])
    assert second.name == first.name and set(second.pipe.labels) == {"SPAM", "URGENT"}
    assert len(list(second([{"text": "free prize"}]))) == 2


@pytest.mark.parametrize("labels,kwargs", [([], {}), (["A"], {"exclusive": True}), (["A"], {"architecture": "svm"})])
def test_textcat_refuses_bad_setup(labels, kwargs):
    with pytest.raises(InputError):
        _model(labels, **kwargs)


def test_textcat_ensemble_architecture_trains(spam_answers):
    model = _model(architecture="ensemble")
    assert model.update(spam_answers) is not None
