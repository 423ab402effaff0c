"""combine_models: interleaving, de-duplication, updates to both sides."""
from __future__ import annotations

from typing import List

import pytest

from mentor.models.combine import combine_models, is_pattern_task
from mentor.tasks import set_hashes


class FakeModel:
    def __init__(self) -> None:
        self.updates: List[list] = []

    def __call__(self, stream):
        for task in stream:
            question = dict(task, label="SPAM")
            set_hashes(question, overwrite=True)
            yield 0.3, question

    def update(self, answers):
        self.updates.append(list(answers))
        return 1.5

    def score_tasks(self, tasks):
        return [0.9 for _ in tasks]


class FakeMatcher:
    def __init__(self) -> None:
        self.updates: List[list] = []

    def __call__(self, stream):
        for task in stream:
            if "free" in task["text"]:
                start = task["text"].index("free")
                question = dict(task, label="SPAM", spans=[{"start": start, "end": start + 4, "pattern": 0}])
                question["meta"] = {"pattern": "0", "score": 0.5}
                yield 0.5, set_hashes(question, overwrite=True)

    def update(self, answers):
        self.updates.append(list(answers))

    def score_tasks(self, tasks):
        return [0.1 for _ in tasks]


def _texts(*texts):
    return [set_hashes({"text": text}) for text in texts]


def test_combine_interleaves_and_asks_each_question_once():
    model, matcher = FakeModel(), FakeMatcher()
    combined = combine_models(model, matcher, batch_size=2)
    out = list(combined(_texts("free stuff", "hello", "free cash", "bye")))
    assert len(out) == 4
    kinds = [is_pattern_task(task) for _, task in out]
    assert kinds.count(True) == 2
    # the model's question about "free stuff" is dropped for the pattern's
    assert sorted(task["text"] for _, task in out) == ["bye", "free cash", "free stuff", "hello"]


def test_combine_updates_both_and_returns_model_loss():
    model, matcher = FakeModel(), FakeMatcher()
    combined = combine_models(model, matcher)
    answers = [dict(task, answer="accept") for _, task in combined(_texts("free stuff", "hello"))]
    assert combined.update(answers) == 1.5
    assert len(model.updates[0]) == 2  # the model learns from the pattern task too
    assert len(matcher.updates[0]) == 2


def test_combine_rescores_each_side_with_its_scorer():
    combined = combine_models(FakeModel(), FakeMatcher())
    tasks = [task for _, task in combined(_texts("free stuff", "hello"))]
    scores = combined.score_tasks(tasks)
    assert sorted(scores) == [0.1, 0.9]
    assert scores[[is_pattern_task(t) for t in tasks].index(True)] == 0.1


class ExclusiveModel(FakeModel):
    """A model for exclusive classes, with what the teach sorter reads off it."""

    least_confident_first = True
    has_vectors = True

    def vectors(self, tasks):
        return [[float(len(task["text"]))] for task in tasks]

    def question_priority(self, task, score):
        return 0.25


def test_combine_passes_on_what_the_teach_sorter_reads_off_the_model():
    # without these, textcat.teach --exclusive --patterns lost least confidence, density and
    # the model's question priority, and was served by plain uncertainty
    combined = combine_models(ExclusiveModel(), FakeMatcher())
    assert combined.least_confident_first and combined.has_vectors
    assert combined.vectors([{"text": "abc"}]) == [[3.0]]
    plain = combine_models(FakeModel(), FakeMatcher())
    assert not plain.least_confident_first and not plain.has_vectors and plain.vectors is None


def test_exclusive_classes_the_model_scores_and_ranks_a_patterns_question_too():
    class Predicting(ExclusiveModel):
        def predict(self, texts):
            return [{"SPAM": 0.8, "HAM": 0.2} for _ in texts]

    combined = combine_models(Predicting(), FakeMatcher())
    out = {is_pattern_task(task): score for score, task in combined(_texts("free", "hi"))}
    assert out == {True: 0.8, False: 0.3}  # the pattern's question: the model's p(SPAM), not the matcher's 0.5
    tasks = [task for _, task in combined(_texts("free", "hi"))]
    assert sorted(combined.score_tasks(tasks)) == [0.8, 0.9]
    assert all(combined.question_priority(task, 0.8) == 0.25 for task in tasks)
    # yes/no labels: the matcher scores its own questions (their precision), and a model
    # without a rule of its own ranks least confident first
    plain = combine_models(FakeModel(), FakeMatcher())
    assert sorted(plain.score_tasks([task for _, task in plain(_texts("free", "hi"))])) == [0.1, 0.9]
    assert plain.question_priority(tasks[0], 0.9) == pytest.approx(0.1)


def test_teach_sorter_uses_the_models_rules_behind_patterns():
    from mentor.sorters import DEFAULT_POWER_EXCLUSIVE, teach_sorter

    combined = combine_models(ExclusiveModel(), FakeMatcher())
    pool = teach_sorter(iter([(0.3, dict(_texts("hello")[0], label="SPAM"))]), combined)
    assert pool.power == DEFAULT_POWER_EXCLUSIVE
    assert next(pool)["priority"] == 0.25
