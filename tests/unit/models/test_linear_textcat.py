"""The linear model in the teach loop: features, the masked head, caches, questions and answers."""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import numpy
import pytest

from mentor.errors import InputError
from mentor.models import textcat_choice
from mentor.models.embeddings import CachedEmbedder
from mentor.models.features import FeatureConfig, FeatureStore, TextFeaturizer
from mentor.models.linear_head import MaskedLogisticRegression
from mentor.models.linear_textcat import LinearTextClassifier
from mentor.tasks import rehash_task

from conftest import HAM, SPAM


class CountingEmbedder:
    """A made-up sentence encoder: a fixed random vector per word, averaged; counts its calls."""

    name = "counting"

    def __init__(self, dim: int = 16) -> None:
        self.dim = dim
        self.calls: List[str] = []

    def embed(self, texts: Sequence[str]) -> numpy.ndarray:
        self.calls.extend(texts)
        rows = []
        for text in texts:
            vectors = [numpy.random.default_rng(abs(hash(w)) % 2**32).normal(size=self.dim) for w in text.split()]
            row = numpy.mean(vectors, axis=0) if vectors else numpy.zeros(self.dim)
            rows.append(row / (numpy.linalg.norm(row) or 1.0))
        return numpy.asarray(rows, dtype="float32")


def _model(labels=("SPAM",), exclusive=False, embedder=None) -> LinearTextClassifier:
    featurizer = TextFeaturizer(embedder or CountingEmbedder(), FeatureConfig())
    return LinearTextClassifier(list(labels), featurizer, exclusive=exclusive)


def test_learns_from_binary_answers(spam_answers):
    model = _model()
    before = model.predict(["free prize cash now"])[0]["SPAM"]
    assert before == pytest.approx(0.5)
    loss = model.update(spam_answers)
    assert loss == pytest.approx(numpy.log(2), rel=1e-3)  # the cold model said 0.5 to each
    spam, ham = (s["SPAM"] for s in model.predict(["claim free cash prize now", "see you for dinner"]))
    assert spam > 0.5 > ham
    assert model.update(spam_answers) < loss


def test_ignored_answers_never_train(spam_answers):
    model = _model()
    model.update(spam_answers[:4] + spam_answers[-2:])
    probe = ["free cash", "thanks for lunch", "win now"]
    before = model.predict_proba(probe)
    ignored = [dict(a, answer="ignore") for a in spam_answers]
    assert model.update(ignored) is None
    assert model.n_answered == 6
    numpy.testing.assert_array_equal(model.predict_proba(probe), before)


def test_a_reject_on_one_label_says_nothing_about_another():
    model = _model(labels=("SPAM", "URGENT"))
    answers = [{"text": t, "label": "SPAM", "answer": "reject"} for t in HAM]
    answers += [{"text": t, "label": "SPAM", "answer": "accept"} for t in SPAM]
    model.update(answers)
    scores = model.predict(SPAM + HAM)
    assert all(s["URGENT"] == pytest.approx(0.5) for s in scores)  # never answered: unchanged
    assert model._known[:, 1].sum() == 0


def test_exclusive_classes_one_question_per_text_and_an_accept_rules_out_the_rest():
    model = _model(labels=("SPAM", "HAM", "OTHER"), exclusive=True)
    questions = list(model([{"text": t} for t in SPAM + HAM]))
    assert len(questions) == len(SPAM + HAM)  # one per text, not one per label
    model.update([{"text": SPAM[0], "label": "SPAM", "answer": "accept"},
                  {"text": HAM[0], "label": "SPAM", "answer": "reject"}])
    row = model._rows[SPAM[0]]
    assert model._known[row].all() and list(model._targets[row]) == [1.0, 0.0, 0.0]
    assert list(model._known[model._rows[HAM[0]]]) == [True, False, False]
    for probs in model.predict_proba(SPAM + HAM):
        assert probs.sum() == pytest.approx(1.0)


def test_exclusive_question_asks_the_likeliest_class():
    model = _model(labels=("A", "B", "C"), exclusive=True)
    assert model.question_labels({"A": 0.7, "B": 0.2, "C": 0.1}) == ["A"]

    assert model.question_labels({"A": 0.35, "B": 0.45, "C": 0.2}) == ["B"]
    assert model.question_labels({"A": 0.1, "B": 0.3, "C": 0.6}) == ["C"]
    assert _model(labels=("A", "B")).question_labels({"A": 0.9, "B": 0.1}) == ["A", "B"]


def test_a_pooled_exclusive_question_is_re_aimed_at_the_class_now_likeliest():
    model = _model(labels=("SPAM", "HAM", "OTHER"), exclusive=True)
    (_, question), = model([{"text": SPAM[1]}])
    question = rehash_task(dict(question, label="HAM"))  # as if HAM had been likeliest when it was pulled
    old_hash = question["_task_hash"]
    model.update([{"text": t, "label": "SPAM", "answer": "accept"} for t in SPAM]
                 + [{"text": t, "label": "HAM", "answer": "accept"} for t in HAM])
    spam_now = model.predict([SPAM[1]])[0]["SPAM"]
    # re-scored, it asks about SPAM again: "HAM?" would have ranked first by least confidence
    # (1 - p(HAM) is near 1) for an answer the model already knows to be "no"
    assert model.score_tasks([question]) == [pytest.approx(spam_now)]
    assert question["label"] == "SPAM" and question["_task_hash"] != old_hash
    unconfirmed = rehash_task(dict(question, label="OTHER"))  # nobody said yes to OTHER yet
    model.score_tasks([unconfirmed])
    assert unconfirmed["label"] == "OTHER"  # kept: asking about it is how the class gets found
    binary, asked = _model(labels=("SPAM", "HAM")), dict(question, label="HAM")
    binary.score_tasks([asked])  # not exclusive: each label is a question of its own
    assert asked["label"] == "HAM"


def test_a_question_about_an_unconfirmed_class_asks_the_texts_likeliest_in_it_first():
    model = _model(labels=("SPAM", "HAM", "OTHER"), exclusive=True)
    other = rehash_task({"text": SPAM[0], "label": "OTHER"})
    assert model.question_priority(other, 0.2) == pytest.approx(0.8)  # nothing confirmed: least confidence
    model.update([{"text": t, "label": "SPAM", "answer": "accept"} for t in SPAM])
    spam = rehash_task({"text": SPAM[0], "label": "SPAM"})
    assert model.question_priority(spam, 0.9) == pytest.approx(0.1)  # confirmed: least confidence
    # OTHER has no "yes" yet: the likelier a text is OTHER, the sooner; chance (1/3) and up rank first
    assert model.question_priority(other, 0.05) == pytest.approx(0.15)
    assert model.question_priority(other, 0.2) == pytest.approx(0.6)
    assert model.question_priority(other, 0.5) == 1.0


def test_questions_carry_score_and_a_new_task_hash(texts):
    model = _model()
    pairs = list(model(texts))
    assert len(pairs) == len(texts)
    score, question = pairs[0]
    assert question["label"] == "SPAM" and question["score"] == score and question["meta"]["score"] == round(score, 3)
    assert question["_input_hash"] == texts[0]["_input_hash"] and question["_task_hash"] != texts[0]["_task_hash"]
    assert model.score_tasks([question]) == [pytest.approx(score)]


def test_features_are_computed_once_per_text():
    embedder = CountingEmbedder()
    model = _model(embedder=CachedEmbedder(embedder))
    pool = [{"text": t} for t in SPAM + HAM]
    questions = [q for _, q in model(pool)]
    for _ in range(3):
        model.score_tasks(questions)
    model.update([{"text": SPAM[0], "label": "SPAM", "answer": "accept"}])
    assert sorted(embedder.calls) == sorted(SPAM + HAM)


def test_feature_store_starts_afresh_past_capacity():
    embedder = CountingEmbedder()
    store = FeatureStore(TextFeaturizer(embedder), capacity=4)
    store.get(["a", "b", "c"])
    store.get(["a", "b"])
    assert len(embedder.calls) == 3
    raw = store.get(["d", "e"])
    assert len(store) == 2 and len(raw) == 2


def test_embedding_disk_cache_survives_a_restart(tmp_path: Path):
    first = CountingEmbedder()
    cache = tmp_path / "cache" / "embeddings.sqlite"
    vectors = CachedEmbedder(first, path=cache).embed(["one text", "another text", "one text"])
    second = CountingEmbedder()
    again = CachedEmbedder(second, path=cache).embed(["another text", "one text"])
    assert first.calls == ["one text", "another text"] and second.calls == []
    numpy.testing.assert_array_equal(again, vectors[[1, 0]])


def test_tfidf_rows_are_unit_length_and_idf_weighs_rare_words_more():
    featurizer = TextFeaturizer(None, FeatureConfig(dense_weight=0.0))
    featurizer.raw(["the cat", "the dog", "the bird", "the cat sat"])
    rows = featurizer(["the cat", ""])
    norms = numpy.sqrt(numpy.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    assert norms == pytest.approx([1.0, 0.0], abs=1e-6)
    the, cat = (featurizer.hasher.counts([w]).indices[0] for w in ("the", "cat"))
    assert rows[0, cat] > rows[0, the]


def test_head_balances_a_rare_class_and_keeps_unknown_targets_out():
    rng = numpy.random.default_rng(0)
    from scipy import sparse

    x = sparse.csr_matrix(rng.normal(size=(200, 5)).astype("float32"))
    y = (x.toarray()[:, 0] > 1.6).astype(float)[:, None]  # about 5 % positive
    known = numpy.ones_like(y, dtype=bool)
    balanced = MaskedLogisticRegression(1, l2=5.0).fit(x, y, known)
    plain = MaskedLogisticRegression(1, l2=5.0, balanced=False).fit(x, y, known)
    recall = lambda head: ((head.predict_proba(x)[:, 0] >= 0.5) & (y[:, 0] == 1)).sum() / y.sum()
    assert recall(balanced) > 0.8 > recall(plain)
    unknown = MaskedLogisticRegression(1).fit(x, y, numpy.zeros_like(known))
    assert not unknown.is_fitted


def test_resolve_arch_falls_back_and_says_so(monkeypatch):
    monkeypatch.setattr(textcat_choice, "has_minilm", lambda: False)
    arch, note = textcat_choice.resolve_arch("auto")
    assert arch == "tfidf" and "mentor[embeddings]" in note
    with pytest.raises(InputError, match="embeddings extra"):
        textcat_choice.resolve_arch("minilm")
    with pytest.raises(InputError, match="Unknown model architecture"):
        textcat_choice.resolve_arch("nope")
    assert textcat_choice.resolve_arch("bow") == ("bow", None)


def test_label_names_seed_a_cold_model():
    model = _model(labels=("SPORTS", "WEATHER"), exclusive=True)
    sports, weather = model.predict(["sports sports match", "weather rain cold"])
    assert sports["SPORTS"] > 0.5 > weather["SPORTS"]  # before any answer: the names alone
    assert [text for text in model._seed_rows()[0]] == ["sports", "weather"]
    model.update([{"text": "big match tonight", "label": "SPORTS", "answer": "accept"}])
    assert model._seed_rows()[0] == ["sports", "weather"]  # exclusive classes keep their names as anchors
    binary = _model(labels=("SPAM",))
    assert binary._seed_rows()[0] == []  # an independent label waits for a real "no"
    binary.update([{"text": "see you at lunch", "label": "SPAM", "answer": "reject"}])
    assert binary._seed_rows()[0] == ["spam"]
    binary.update([{"text": "win cash", "label": "SPAM", "answer": "accept"}])
    assert binary._seed_rows()[0] == []  # until its first real yes


def test_softmax_head_moves_a_no_to_the_other_classes():
    from scipy import sparse

    from mentor.models.linear_head import PartialSoftmaxRegression

    x = sparse.csr_matrix(numpy.eye(4, dtype="float32"))
    targets = numpy.array([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=float)
    known = numpy.array([[1, 1, 1], [1, 1, 1], [1, 0, 0], [0, 0, 0]], dtype=bool)  # row 2: "not A"; row 3: nothing
    head = PartialSoftmaxRegression(3, l2=0.1).fit(x, targets, known)
    probs = head.predict_proba(x)
    assert probs.sum(axis=1) == pytest.approx([1.0] * 4)
    assert probs[0].argmax() == 0 and probs[1].argmax() == 1
    assert probs[2, 0] < 1 / 3 and probs[2, 1] + probs[2, 2] > 2 / 3
    assert probs[3].min() > 0.05  # a text never answered: no class sinks to zero


def test_background_fit_answers_at_once_and_catches_up(spam_answers):
    featurizer = TextFeaturizer(CountingEmbedder(), FeatureConfig())
    model = LinearTextClassifier(["SPAM"], featurizer, fit_in_background=True)
    fitted = []
    model.on_fitted = lambda: fitted.append(model.n_updates)
    for answer in spam_answers:
        assert model.update([answer]) is not None  # the loss comes back before the refit
    assert model.wait_for_fit(timeout=30)
    assert fitted and fitted[-1] == len(spam_answers)  # the last fit covered every answer
    spam, ham = (s["SPAM"] for s in model.predict(["claim free cash prize now", "see you for dinner"]))
    assert spam > 0.5 > ham


def test_the_fit_thread_ends_once_its_classifier_is_gone(spam_answers):
    import gc

    featurizer = TextFeaturizer(CountingEmbedder(), FeatureConfig())
    model = LinearTextClassifier(["SPAM"], featurizer, fit_in_background=True)
    model.update(spam_answers[:2])
    assert model.wait_for_fit(timeout=30)
    thread = model._fitter._thread
    assert thread is not None and thread.is_alive()
    del model
    gc.collect()
    thread.join(timeout=5)
    assert not thread.is_alive()  # it held the classifier alive, and ran for as long as the process


def _noisy_tail(rng: numpy.random.Generator, n: int):
    """1-d points, "yes" likelier the further out: p = sigmoid(4 (x - 1.6)), ~7 % yes."""
    from scipy import sparse

    x = rng.normal(size=(n, 1))
    y = (rng.random(n) < 1.0 / (1.0 + numpy.exp(-4.0 * (x[:, 0] - 1.6)))).astype(float)[:, None]
    return sparse.csr_matrix(x), y, numpy.ones_like(y, dtype=bool)


def test_recalibrating_on_a_fair_sample_moves_a_doubts_only_fit_towards_the_full_data_bias():
    rng = numpy.random.default_rng(0)
    x, y, known = _noisy_tail(rng, 20_000)
    full = MaskedLogisticRegression(1, l2=0.1).fit(x, y, known)
    doubts = numpy.flatnonzero(numpy.abs(x.toarray()[:, 0] - 1.6) < 0.25)[:400]  # what a sorter asks
    fair = rng.choice(len(y), 300, replace=False)
    asked = numpy.concatenate([doubts, fair])
    taught = MaskedLogisticRegression(1, l2=0.1).fit(x[asked], y[asked], known[asked])
    before = abs(float(taught.bias[0] - full.bias[0]))
    shift = taught.recalibrate(x[fair], y[fair], known[fair])
    assert shift[0] != 0.0
    assert abs(float(taught.bias[0] - full.bias[0])) < 0.5 * before


def test_recalibrating_leaves_the_bias_alone_on_its_own_fit_or_without_both_answers():
    rng = numpy.random.default_rng(1)
    x, y, known = _noisy_tail(rng, 2_000)
    head = MaskedLogisticRegression(1, l2=0.1).fit(x, y, known)
    assert abs(head.recalibrate(x, y, known)[0]) < 0.05  # a balanced fit's bias is already where it goes
    no_yes = numpy.flatnonzero(y[:, 0] == 0)[:100]
    bias = head.bias.copy()
    assert head.recalibrate(x[no_yes], y[no_yes], known[no_yes])[0] == 0.0
    numpy.testing.assert_array_equal(head.bias, bias)


def test_answers_drawn_at_random_calibrate_independent_labels_only(spam_answers):
    plain, calibrated = _model(), _model()
    plain.update(spam_answers)
    calibrated.update([dict(a, _explored=True) if i % 2 else a for i, a in enumerate(spam_answers)])
    probe = ["free prize cash now", "see you for dinner"]
    assert calibrated._drawn_at_random.sum() == len(spam_answers) // 2
    assert not numpy.allclose(plain.predict_proba(probe), calibrated.predict_proba(probe))
    exclusive = [_model(("SPAM", "HAM"), exclusive=True) for _ in range(2)]
    exclusive[0].update(spam_answers)
    exclusive[1].update([dict(a, _explored=True) for a in spam_answers])
    numpy.testing.assert_allclose(exclusive[0].predict_proba(probe), exclusive[1].predict_proba(probe))


def test_a_text_drawn_at_random_for_one_label_calibrates_that_label_only(spam_answers):
    labels = ("SPAM", "OTHER")
    other = [dict(a, label="OTHER") for a in spam_answers]  # the same texts, chosen for OTHER
    plain, calibrated = _model(labels), _model(labels)
    plain.update(spam_answers + other)
    calibrated.update([dict(a, _explored=True) if i % 2 else a for i, a in enumerate(spam_answers)] + other)
    probe = ["free prize cash now", "see you for dinner"]
    before, after = plain.predict_proba(probe), calibrated.predict_proba(probe)
    assert not numpy.allclose(before[:, 0], after[:, 0])
    numpy.testing.assert_allclose(before[:, 1], after[:, 1])
