"""Rehearsal: a bounded uniform sample of answers, replayed after each update, in the background."""
from __future__ import annotations

import threading
from collections import Counter
from typing import List

import pytest

from mentor.models.rehearsal import Rehearsal, Reservoir


def test_rehearsal_replays_a_sample_of_earlier_items_never_the_batch_just_trained():
    trained: List[List[int]] = []
    rehearsal = Rehearsal(trained.append, 3, background=False, seed=0)
    rehearsal.after([1, 2])
    assert trained == []  # nothing earlier yet
    rehearsal.after([3, 4])
    assert len(trained) == 1 and sorted(trained[0]) == [1, 2]
    rehearsal.after([5])
    assert len(trained[1]) == 3 and set(trained[1]) <= {1, 2, 3, 4}
    rehearsal.after([])  # an update that trained nothing: nothing rehearsed, nothing kept
    assert len(trained) == 2 and rehearsal.kept == 5


def test_rehearsal_off_keeps_and_trains_nothing():
    trained: List[List[int]] = []
    rehearsal = Rehearsal(trained.append, 0, background=False)
    for i in range(5):
        rehearsal.after([i])
    assert trained == [] and rehearsal.kept == 0


def test_rehearsal_memory_is_a_bounded_uniform_sample():
    seen: Counter = Counter()
    for seed in range(300):
        rehearsal: Rehearsal[int] = Rehearsal(lambda items: None, 1, background=False, seed=seed, memory=5)
        for i in range(50):
            rehearsal.after([i])
        assert rehearsal.kept == 5 and rehearsal.reservoir.n_seen == 50
        seen.update(rehearsal.reservoir.items)
    # reservoir sampling: the first ten and the last ten answers are kept about as often
    early, late = sum(seen[i] for i in range(10)), sum(seen[i] for i in range(40, 50))
    assert 0.7 < early / late < 1.4


def test_textcat_rehearses_from_the_uniform_reservoir():
    import spacy

    from mentor.models.textcat import TextClassifier

    model = TextClassifier(spacy.blank("en"), ["A"], rehearse=1, memory_size=4, seed=0)
    for i in range(20):
        model.update([{"text": f"text {i}", "label": "A", "answer": "accept"}])
    # its own sampling overwrote the early answers far more often than a uniform sample allows
    assert isinstance(model._memory, Reservoir)
    assert len(model._memory) == 4 and model._memory.n_seen == 20


def test_background_rehearsal_trains_in_chunks_and_replaces_a_waiting_sample():
    steps: List[List[int]] = []
    gate, started = threading.Event(), threading.Event()

    def train(items: List[int]) -> None:
        started.set()
        gate.wait(10)
        steps.append(list(items))

    rehearsal = Rehearsal(train, 5, seed=1, chunk=2)
    rehearsal.after(list(range(10)))
    rehearsal.after([10])  # queues 5 of 0..9; the worker takes its first step and waits at the gate
    assert started.wait(10)
    rehearsal.after([11])  # a new sample replaces what the worker has not taken yet
    assert rehearsal.wait(timeout=0.05) is False
    gate.set()
    assert rehearsal.wait(timeout=10) is True
    assert [len(step) for step in steps] == [2, 2, 2, 1]  # one step of the first sample, then all of the second
    assert sum(len(step) for step in steps[1:]) == 5


def test_a_background_failure_is_raised_to_the_next_caller():
    def train(items: List[int]) -> None:
        raise RuntimeError("boom")

    rehearsal = Rehearsal(train, 2, seed=0)
    rehearsal.after([1, 2])
    rehearsal.after([3])
    with pytest.raises(RuntimeError, match="boom"):
        rehearsal.wait(timeout=10)
    rehearsal.wait(timeout=10)  # raised once


def test_the_worker_ends_once_its_model_is_gone():
    import gc

    class Model:
        def __init__(self) -> None:
            self.rehearsal: Rehearsal[int] = Rehearsal(self.train, 1, seed=0, quiet=0.0)

        def train(self, items: List[int]) -> None:
            pass

    model = Model()
    model.rehearsal.after([1])
    model.rehearsal.after([2])
    assert model.rehearsal.wait(timeout=10)
    worker = model.rehearsal._worker
    assert worker is not None and worker.is_alive()
    del model
    gc.collect()  # the model and its rehearsal hold each other: a cycle, freed by the collector
    worker.join(timeout=5)
    assert not worker.is_alive()
