"""Replay annotation with an oracle: the teach loop against random order.

Each run starts a fresh text classifier (same config for every strategy),
feeds it questions in batches the way the server would, answers them from the
gold labels, updates the model after every batch, and scores it on the held-out
set every ``step`` answers. ``teach`` is exactly what textcat.teach serves:
the :class:`~mentor.models.textcat.TextClassifier` behind the
:func:`~mentor.sorters.prefer_uncertain` pool, re-scored after each update.
``random`` asks the same questions in a random order. The full-data score is
the same model after one pass over every training answer, in random order.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import spacy
from spacy.vocab import Vocab

from ..models.textcat import TextClassifier
from ..sorters import DEFAULT_POOL_SIZE, DEFAULT_RESCORE_LIMIT, ScoredPool, uncertainty
from ..tasks import Task
from .data import Labelled

__all__ = ["SimulationConfig", "RunCurve", "run_strategy", "run_full_data", "evaluate", "STRATEGIES"]

STRATEGIES = ("teach", "random")

Progress = Callable[[str], None]


@dataclass
class SimulationConfig:
    """The knobs of a simulation; the same for every strategy and seed."""

    labels: List[str]
    max_labels: int = 1000
    step: int = 50
    batch_size: int = 10
    pool_size: int = DEFAULT_POOL_SIZE
    rescore_limit: Optional[int] = DEFAULT_RESCORE_LIMIT
    explore: float = 0.0
    warmup: int = 0
    seeds: int = 3
    architecture: str = "bow"
    lang: str = "en"
    learn_rate: Optional[float] = None
    ngram_size: int = 2
    rehearse: int = 0
    exclusive_eval: bool = False  # evaluate with argmax (exclusive classes) instead of per-label 0.5


@dataclass
class RunCurve:
    """One run's learning curve: score after each checkpoint of answers."""

    strategy: str
    seed: int
    labels: List[int] = field(default_factory=list)
    scores: List[float] = field(default_factory=list)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate(model: TextClassifier, examples: Sequence[Labelled], config: SimulationConfig) -> float:
    """Macro F1 over the taught labels on the held-out examples (the label's F1 for one label)."""
    predictions = model.predict([example.text for example in examples])
    f1s = []
    for label in config.labels:
        tp = fp = fn = 0
        for example, scores in zip(examples, predictions):
            if label not in example.cats:
                continue
            gold = example.cats[label] >= 0.5
            if config.exclusive_eval and len(config.labels) > 1:
                guess = max(config.labels, key=lambda name: scores.get(name, 0.0)) == label
            else:
                guess = scores.get(label, 0.0) >= 0.5
            tp += gold and guess
            fp += guess and not gold
            fn += gold and not guess
        f1s.append(_f1(tp, fp, fn))
    return sum(f1s) / len(f1s)


def _make_model(config: SimulationConfig, seed: int, vocab: Vocab, cache_size: int) -> TextClassifier:
    nlp = spacy.blank(config.lang, vocab=vocab)
    return TextClassifier(
        nlp, config.labels, seed=seed, architecture=config.architecture,  # type: ignore[arg-type]
        cache_size=cache_size, learn_rate=config.learn_rate, ngram_size=config.ngram_size,
        rehearse=config.rehearse,
    )


def _tasks(train: Sequence[Labelled], seed: int) -> List[Task]:
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    return [{"text": train[i].text, "_input_hash": i, "meta": {"row": i}} for i in order]


def _oracle(question: Task, train: Sequence[Labelled]) -> Optional[Task]:
    """The gold answer to a question, or None when the label is unknown for that text."""
    value = train[question["meta"]["row"]].cats.get(question["label"])
    if value is None:
        return None
    return dict(question, answer="accept" if value >= 0.5 else "reject")


def _questions(strategy: str, model: TextClassifier, tasks: List[Task], config: SimulationConfig, seed: int):
    if strategy == "teach":
        return ScoredPool(
            model(tasks), uncertainty, rescorer=model.score_tasks, pool_size=config.pool_size,
            rescore_limit=config.rescore_limit, explore=config.explore, warmup=config.warmup, seed=seed,
        )
    if strategy == "random":
        pairs = [dict(task, label=label) for task in tasks for label in config.labels]
        random.Random(seed + 1).shuffle(pairs)
        return iter(pairs)
    raise ValueError(f"Unknown strategy '{strategy}': use one of {STRATEGIES}")


def run_strategy(
    strategy: str,
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    seed: int,
    *,
    vocab: Optional[Vocab] = None,
) -> RunCurve:
    """Annotate up to ``config.max_labels`` answers in ``strategy``'s order; score every ``step``."""
    vocab = vocab or Vocab()
    model = _make_model(config, seed, vocab, cache_size=len(train) + len(eval_examples))
    questions = _questions(strategy, model, _tasks(train, seed), config, seed)
    curve = RunCurve(strategy, seed, [0], [evaluate(model, eval_examples, config)])
    answered, next_checkpoint = 0, config.step
    while answered < config.max_labels:
        batch = list(islice(questions, min(config.batch_size, config.max_labels - answered)))
        if not batch:
            break
        answers = [a for a in (_oracle(q, train) for q in batch) if a is not None]
        if not answers:
            continue
        model.update(answers)
        if hasattr(questions, "rescore"):
            questions.rescore()
        answered += len(answers)
        if answered >= next_checkpoint:
            curve.labels.append(next_checkpoint)
            curve.scores.append(evaluate(model, eval_examples, config))
            next_checkpoint += config.step
    return curve


def run_full_data(
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    seed: int,
    *,
    vocab: Optional[Vocab] = None,
) -> Tuple[int, float]:
    """Train on every known answer once, in random order; return (answers, score)."""
    vocab = vocab or Vocab()
    model = _make_model(config, seed, vocab, cache_size=len(train) + len(eval_examples))
    questions: Iterator[Task] = _questions("random", model, _tasks(train, seed), config, seed)
    answered = 0
    while True:
        batch = list(islice(questions, config.batch_size))
        if not batch:
            break
        answers = [a for a in (_oracle(q, train) for q in batch) if a is not None]
        if answers:
            model.update(answers)
            answered += len(answers)
    return answered, evaluate(model, eval_examples, config)
