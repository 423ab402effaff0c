"""combine_models: interleaving, de-duplication, updates to both sides."""
from __future__ import annotations

from typing import List

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
