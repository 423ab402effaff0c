"""EntityRecognizer: beam candidates with probabilities, partial updates, corrections."""
from __future__ import annotations

import pytest
import spacy

from mentor.errors import InputError
from mentor.models.ner import INCORRECT_SPANS_KEY, EntityRecognizer
from mentor.models.protocols import RescoringModel

TEXTS = ["Barack Obama visited Google in California .", "Apple hired Tim Cook yesterday ."]
GOLD = {("Barack Obama", "PERSON"), ("Google", "ORG"), ("Apple", "ORG"), ("Tim Cook", "PERSON")}


def _model(**kwargs) -> EntityRecognizer:
    # the rehearsal in step unless a test is about the background: a thread's timing must not
    # change what a test reads (a rejected span's score came out above its start once in a CI run)
    kwargs.setdefault("background_rehearsal", False)
    return EntityRecognizer(spacy.blank("en"), ["PERSON", "ORG"], seed=0, **kwargs)


def _answer(task):
    span = task["spans"][0]
    return dict(task, answer="accept" if (span["text"], span["label"]) in GOLD else "reject")


def _scores(model, text):
    doc = model.nlp.make_doc(text)
    return {(doc[s:e].text, label): p for (s, e, label), p in model.beam_scores([text])[0].items()}


def test_ner_candidates_are_single_span_questions_with_probabilities():
    model = _model()
    assert isinstance(model, RescoringModel)
    assert model.pipe.cfg["beam_width"] == 16
    out = list(model([{"text": text} for text in TEXTS]))
    assert out
    for score, task in out:
        assert 0.0 <= score <= 1.0 + 1e-6
        assert len(task["spans"]) == 1 and task["tokens"]
        span = task["spans"][0]
        assert span["label"] in ("PERSON", "ORG") and span["score"] == score
        assert task["text"][span["start"]:span["end"]] == span["text"]
    assert len({task["_task_hash"] for _, task in out}) == len(out)
    # the summed probabilities of one parse's spans never exceed the beam's mass per position
    for text in TEXTS:
        assert all(p <= 1.0 + 1e-6 for p in model.beam_scores([text])[0].values())


def test_ner_binary_updates_move_the_right_way():
    model = _model()
    for _ in range(5):
        answers = [_answer(task) for _, task in model([{"text": text} for text in TEXTS])]
        answers.append({"text": TEXTS[0], "answer": "accept",
                        "spans": [{"start": 0, "end": 12, "token_start": 0, "token_end": 1, "label": "PERSON"}]})
        for _ in range(4):
            model.update(answers)
    scores = _scores(model, TEXTS[0])
    assert scores.get(("Barack Obama", "PERSON"), 0.0) > 0.8
    assert scores.get(("Barack Obama", "ORG"), 0.0) < 0.2


def test_ner_rejected_span_becomes_negative_example_and_rest_missing():
    model = _model()
    answers = [
        {"text": TEXTS[0], "answer": "reject", "spans": [{"token_start": 3, "token_end": 3, "label": "PERSON", "start": 21, "end": 27}]},
        {"text": TEXTS[0], "answer": "accept", "spans": [{"token_start": 0, "token_end": 1, "label": "PERSON", "start": 0, "end": 12}]},
    ]
    (example,) = model._examples(answers, complete=False)
    ref = example.reference
    assert [(e.text, e.label_) for e in ref.ents] == [("Barack Obama", "PERSON")]
    assert [t.ent_iob_ for t in ref][2:] == [""] * (len(ref) - 2)  # missing, not "O"
    assert [(s.text, s.label_) for s in ref.spans[INCORRECT_SPANS_KEY]] == [("Google", "PERSON")]
    before = _scores(model, TEXTS[0]).get(("Google", "PERSON"), 0.0)
    for _ in range(10):
        model.update(answers[:1])
    assert _scores(model, TEXTS[0]).get(("Google", "PERSON"), 0.0) <= before


def test_ner_ignored_answers_change_nothing():
    model = _model()
    out = [dict(task, answer="ignore") for _, task in model([{"text": TEXTS[0]}])]
    before = model.beam_scores(TEXTS)
    assert model.update(out) is None
    assert model.beam_scores(TEXTS) == before


def test_ner_rescore_follows_the_model():
    model = _model()
    tasks = [task for _, task in model([{"text": TEXTS[0]}])]
    assert model.score_tasks(tasks) == pytest.approx([task["score"] for task in tasks])


def test_ner_annotate_and_corrections():
    model = _model()
    tasks = list(model.annotate([{"text": text} for text in TEXTS]))
    assert all("tokens" in task and isinstance(task["spans"], list) for task in tasks)
    answers = [
        {"text": TEXTS[1], "answer": "accept", "spans": [
            {"start": 0, "end": 5, "token_start": 0, "token_end": 0, "label": "ORG"},
            {"start": 12, "end": 20, "token_start": 2, "token_end": 3, "label": "PERSON"}]},
    ]
    (example,) = model._examples(answers, complete=True)
    assert [t.ent_iob_ for t in example.reference][1] == "O"  # complete: outside, not missing
    for _ in range(20):
        loss = model.update_corrections(answers)
    assert loss is not None
    (task,) = list(model.annotate([{"text": TEXTS[1]}]))
    assert {(s["text"], s["label"]) for s in task["spans"]} == {("Apple", "ORG"), ("Tim Cook", "PERSON")}


def test_ner_needs_labels_for_a_new_component():
    with pytest.raises(InputError):
        EntityRecognizer(spacy.blank("en"))
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    with pytest.raises(InputError):
        EntityRecognizer(nlp, ["X"], component="sentencizer")


def test_ner_existing_greedy_component_learns_from_rejections():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    ner.add_label("PERSON")
    nlp.initialize()
    model = EntityRecognizer(nlp)
    assert model.labels == ["PERSON"] and model.pipe.moves.neg_key == INCORRECT_SPANS_KEY
    assert list(model([{"text": TEXTS[0]}])) is not None


def test_ner_binary_answers_are_completed_by_the_models_own_beam_before_training(monkeypatch):
    model = _model()
    answers = [{"text": TEXTS[0], "answer": "accept", "spans": [{"token_start": 0, "token_end": 1, "label": "PERSON", "start": 0, "end": 12}]}]
    # "Barack Obama visited Google in California ." as the model's beam might see it
    beam = {(3, 4, "ORG"): 0.95, (5, 6, "ORG"): 0.3, (0, 1, "ORG"): 0.99, (2, 3, "ORG"): 0.00001}
    monkeypatch.setattr(model, "_latest_scores", lambda docs: [dict(beam) for _ in docs])
    (example,) = model._complete(model._examples(answers, complete=False))
    ref = example.reference
    # answered entity kept, the confident parse that agrees added, the one overlapping it dropped
    assert [(e.text, e.label_) for e in ref.ents] == [("Barack Obama", "PERSON"), ("Google", "ORG")]
    # every other token stays missing: a "no" to one span says nothing about the rest
    assert [t.ent_iob_ for t in ref] == ["B", "I", "", "B", "", "", ""]


def test_ner_a_batch_the_beam_update_refuses_trains_one_text_at_a_time(monkeypatch, caplog):
    model = _model()
    answers = [_answer(task) for _, task in model([{"text": text} for text in TEXTS])]
    real_update, sizes = model.nlp.update, []

    def update(examples, **kwargs):
        sizes.append(len(examples))
        if len(examples) > 1 or "Apple" in examples[0].reference.text:
            raise AssertionError  # as thinc's Beam.advance does
        return real_update(examples, **kwargs)

    monkeypatch.setattr(model.nlp, "update", update)
    assert model.update(answers) is not None
    assert sizes == [2, 1, 1]
    assert "refused 1 of 2" in caplog.text


def test_ner_rehearses_earlier_answers_after_each_update(monkeypatch):
    model = _model(rehearse=2)
    trained = []

    def record(examples):
        trained.append([eg.reference.text for eg in examples])

    monkeypatch.setattr(model, "_train", record)
    monkeypatch.setattr(model.rehearsal, "_train", record)
    tasks = [task for _, task in model([{"text": text} for text in TEXTS])]
    first = [_answer(task) for task in tasks if task["text"] == TEXTS[0]][:1]
    second = [_answer(task) for task in tasks if task["text"] == TEXTS[1]][:1]
    model.update(first)
    model.update(second)
    model.update([dict(second[0], answer="ignore")])  # nothing to train: nothing rehearsed either
    # the first update has nothing earlier; the second trains its answer, then the first one again
    assert trained == [[TEXTS[0]], [TEXTS[1]], [TEXTS[0]], []]


def test_ner_update_returns_before_the_background_rehearsal_trains():
    import threading

    model = _model(rehearse=1, background_rehearsal=True)
    release = threading.Event()
    rehearsed = []

    def slow(examples):
        release.wait(10)
        rehearsed.append([eg.reference.text for eg in examples])

    model.rehearsal._train = slow
    tasks = [task for _, task in model([{"text": text} for text in TEXTS])]
    model.update([_answer(next(t for t in tasks if t["text"] == TEXTS[0]))])
    model.update([_answer(next(t for t in tasks if t["text"] == TEXTS[1]))])  # returns with the rehearsal held
    assert rehearsed == [] and model.rehearsal.wait(timeout=0.05) is False
    # the model still scores while the rehearsal waits (it holds no lock until it trains)
    assert model.beam_scores([TEXTS[0]])
    release.set()
    assert model.rehearsal.wait(timeout=10) is True
    assert rehearsed == [[TEXTS[0]]]
