"""Replay annotation with an oracle: the teach loop against random order and a common baseline.

Each run starts a fresh model, feeds it questions in batches the way the server
would, answers them from the gold labels, updates the model after every batch,
and scores it on the held-out set every ``step`` answers. Strategies:

- ``teach``: exactly what textcat.teach serves: the in-loop model (``--model-arch``)
  behind the teach sorter (:func:`~mentor.sorters.teach_sorter`), re-scored after
  each update; with ``patterns``, a pattern matcher's questions beside the model's
  (textcat.teach --patterns);
- ``random``: the same model, the same kind of question, texts in random order;
- ``baseline``: what peers measure: TF-IDF + logistic regression (C = 1) with
  pool-based uncertainty sampling over the whole training set, re-scored in full
  after every batch.

Every strategy gets the same kind of answer, so the curves differ only by model
and order: a yes/no on one label. With exclusive classes each text gets one
question (the label whose answer is worth most, :meth:`question_labels`), and
answers count texts; an accepted class makes every other class known as "no".

The full-data score is each model trained on every gold label of the training
set to convergence (one full fit for the linear models; ``full_epochs`` passes
for spaCy's).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..models.combine import combine_models, matcher_for_labels
from ..models.embeddings import TextEmbedder
from ..models.linear_textcat import LinearTextClassifier
from ..models.patterns import PatternsSource
from ..models.textcat_choice import make_embedder, make_text_classifier
from ..sorters import DEFAULT_POOL_SIZE, DEFAULT_RESCORE_LIMIT, ScoredPool, teach_sorter, uncertainty
from ..tasks import EXPLORED_KEY, Task
from .data import Labelled

__all__ = [
    "SimulationConfig", "RunCurve", "run_strategy", "run_full_data", "evaluate", "STRATEGIES",
    "BASELINE_L2", "ModelKit", "replay_answers",
]

STRATEGIES = ("teach", "random", "baseline")
# scikit-learn's LogisticRegression default (C = 1), as the peers' baseline uses it
BASELINE_L2 = 1.0

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
    explore: Optional[float] = None  # None: the teach sorter's default
    diversity: Optional[float] = None  # None: the teach sorter's default
    density: Optional[float] = None  # None: the teach sorter's default
    power: Optional[float] = None  # None: the teach sorter's default
    scan: Optional[float] = None  # None: the teach sorter's default
    scan_by_rarity: Optional[bool] = None  # None: the teach sorter's default
    explore_set_aside: Optional[bool] = None  # None: the teach sorter's default
    recalibrate: bool = True  # the in-loop model calibrates on the questions drawn at random
    warmup: int = 0
    seeds: int = 3
    architecture: str = "minilm"
    exclusive: bool = False  # one question per text, scored by argmax (macro F1)
    full_epochs: int = 5
    lang: str = "en"
    learn_rate: Optional[float] = None
    ngram_size: int = 2
    rehearse: int = 0
    cache_path: Optional[str] = None
    # match patterns (a file, or pattern dicts) that teach starts from, as textcat.teach --patterns
    patterns: Optional[PatternsSource] = None

    @property
    def exclusive_eval(self) -> bool:
        return self.exclusive and len(self.labels) > 1


@dataclass
class RunCurve:
    """One run's learning curve: score after each checkpoint of answers."""

    strategy: str
    seed: int
    labels: List[int] = field(default_factory=list)
    scores: List[float] = field(default_factory=list)


class ModelKit:
    """Builds the models of a simulation, sharing what is costly between runs: the encoder and its cache."""

    def __init__(self, config: SimulationConfig, embedder: Optional[TextEmbedder] = None) -> None:
        self.config = config
        cache = Path(config.cache_path) if config.cache_path else None
        linear = config.architecture in ("minilm", "vectors")
        self.embedder = embedder or (make_embedder(config.architecture, None, cache) if linear else None)
        self._vocab: Any = None

    def in_loop(self, seed: int) -> Any:
        """A fresh in-loop model, as textcat.teach would build it."""
        config = self.config
        if config.architecture in ("bow", "ensemble"):
            return self._spacy_classifier(config.architecture, seed)
        return make_text_classifier(
            config.labels, config.architecture, exclusive=config.exclusive_eval, embedder=self.embedder,
            recalibrate=config.recalibrate,
        )

    def with_patterns(self, model: Any) -> Any:
        """``model`` with a fresh pattern matcher beside it, as textcat.teach --patterns builds it."""
        import spacy

        config = self.config
        if not config.patterns:
            return model
        matcher = matcher_for_labels(
            spacy.blank(config.lang), config.patterns, config.labels, label_span=False, label_task=True,
        )
        return combine_models(model, matcher)

    def baseline(self, texts: Sequence[str]) -> LinearTextClassifier:
        """TF-IDF (fitted on the training texts, as peers do) + logistic regression, C = 1."""
        model = make_text_classifier(
            self.config.labels, "tfidf", exclusive=self.config.exclusive_eval, l2=BASELINE_L2,
        )
        model.featurizer.raw(list(texts))  # the document frequencies of the whole pool
        return model

    def _spacy_classifier(self, architecture: str, seed: int) -> Any:
        import spacy
        from spacy.vocab import Vocab

        from ..models.textcat import TextClassifier

        if self._vocab is None:
            self._vocab = Vocab()  # shared: a token's hash and cached docs are the same in every run
        config = self.config
        nlp = spacy.blank(config.lang, vocab=self._vocab)
        return TextClassifier(
            nlp, config.labels, seed=seed, architecture=architecture,  # type: ignore[arg-type]
            exclusive=config.exclusive_eval, cache_size=20_000, learn_rate=config.learn_rate,
            ngram_size=config.ngram_size, rehearse=config.rehearse,
        )


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def evaluate(model: Any, examples: Sequence[Labelled], config: SimulationConfig) -> float:
    """The label's F1 at 0.5 for one label; macro F1 over the labels otherwise.

    With exclusive classes each text's guess is its best-scoring label (argmax).
    """
    predictions = model.predict([example.text for example in examples])
    f1s = []
    for label in config.labels:
        tp = fp = fn = 0
        for example, scores in zip(examples, predictions):
            if label not in example.cats:
                continue
            gold = example.cats[label] >= 0.5
            if config.exclusive_eval:
                guess = max(config.labels, key=lambda name: scores.get(name, 0.0)) == label
            else:
                guess = scores.get(label, 0.0) >= 0.5
            tp += gold and guess
            fp += guess and not gold
            fn += gold and not guess
        f1s.append(_f1(tp, fp, fn))
    return sum(f1s) / len(f1s)


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


def _asked_in_order(model: Any, tasks: Iterable[Task], batch_size: int) -> Iterator[Task]:
    """The model's questions for each text, in the texts' order, scored when asked for."""
    iterator = iter(tasks)
    while True:
        batch = list(islice(iterator, batch_size))
        if not batch:
            return
        for _, question in model(batch):
            yield question


def _questions(strategy: str, model: Any, tasks: List[Task], config: SimulationConfig, seed: int) -> Iterator[Task]:
    if strategy == "teach":
        return teach_sorter(
            model(tasks), model, pool_size=config.pool_size, rescore_limit=config.rescore_limit,
            explore=config.explore, warmup=config.warmup, seed=seed, diversity=config.diversity,
            density=config.density, power=config.power, scan=config.scan, scan_by_rarity=config.scan_by_rarity,
            explore_set_aside=config.explore_set_aside,
        )
    if strategy == "baseline":
        return ScoredPool(model(tasks), uncertainty, rescorer=model.score_tasks, pool_size=len(tasks), rescore_limit=None)
    if strategy == "random":
        shuffled = list(tasks)
        random.Random(seed + 1).shuffle(shuffled)
        if config.exclusive_eval:
            return _asked_in_order(model, shuffled, config.batch_size)
        pairs = [dict(task, label=label) for task in shuffled for label in config.labels]
        random.Random(seed + 2).shuffle(pairs)
        return iter(pairs)
    raise ValueError(f"Unknown strategy '{strategy}': use one of {STRATEGIES}")


def _replay(
    strategy: str, train: Sequence[Labelled], config: SimulationConfig, seed: int, kit: ModelKit, limit: int,
) -> Iterator[Tuple[Any, List[Task]]]:
    """Serve, answer and learn in batches; yield the model and each batch of answers after its update.

    With ``config.patterns`` teach asks the pattern matcher's questions too, and both
    learn from every answer; the model alone is scored.
    """
    model = kit.baseline([example.text for example in train]) if strategy == "baseline" else kit.in_loop(seed)
    asking = kit.with_patterns(model) if strategy == "teach" else model
    questions = _questions(strategy, asking, _tasks(train, seed), config, seed)
    yield model, []
    answered = 0
    while answered < limit:
        batch = list(islice(questions, min(config.batch_size, limit - answered)))
        if not batch:
            break
        answers = [a for a in (_oracle(q, train) for q in batch) if a is not None]
        if not answers:
            continue
        asking.update(answers)
        if hasattr(questions, "rescore"):
            questions.rescore()  # type: ignore[attr-defined]
        answered += len(answers)
        yield model, answers


def run_strategy(
    strategy: str,
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    seed: int,
    *,
    kit: Optional[ModelKit] = None,
) -> RunCurve:
    """Annotate up to ``config.max_labels`` answers in ``strategy``'s order; score every ``step``."""
    curve = RunCurve(strategy, seed)
    answered, next_checkpoint = 0, 0
    for model, answers in _replay(strategy, train, config, seed, kit or ModelKit(config), config.max_labels):
        answered += len(answers)
        while answered >= next_checkpoint and next_checkpoint <= config.max_labels:
            curve.labels.append(next_checkpoint)
            curve.scores.append(evaluate(model, eval_examples, config))
            next_checkpoint += config.step
    return curve


def replay_answers(
    strategy: str,
    train: Sequence[Labelled],
    config: SimulationConfig,
    seed: int,
    n_answers: int,
    *,
    kit: Optional[ModelKit] = None,
) -> List[Task]:
    """The first ``n_answers`` answers ``strategy`` collects, in order, as a teach recipe would store them."""
    collected: List[Task] = []
    for _, answers in _replay(strategy, train, config, seed, kit or ModelKit(config), n_answers):
        for answer in answers:
            stored = {"text": answer["text"], "label": answer["label"], "answer": answer["answer"],
                      "score": answer.get("score"), "_view_id": "classification"}
            # set by the teach sorter, or a pattern's match (spans), stored with textcat.teach's answers
            for key in ("priority", EXPLORED_KEY, "spans"):
                if key in answer:
                    stored[key] = answer[key]
            collected.append(stored)
    return collected


def _gold_answers(train: Sequence[Labelled], labels: Sequence[str]) -> List[Task]:
    """Every known label of every text, as choice answers (the full information)."""
    answers = []
    for example in train:
        known = [label for label in labels if label in example.cats]
        if known:
            answers.append({
                "text": example.text, "answer": "accept",
                "options": [{"id": label} for label in known],
                "accept": [label for label in known if example.cats[label] >= 0.5],
            })
    return answers


def run_full_data(
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    seed: int,
    *,
    kit: Optional[ModelKit] = None,
    baseline: bool = False,
) -> Tuple[int, float]:
    """Train on every gold label to convergence; return (texts trained on, score)."""
    kit = kit or ModelKit(config)
    model = kit.baseline([example.text for example in train]) if baseline else kit.in_loop(seed)
    answers = _gold_answers(train, config.labels)
    if isinstance(model, LinearTextClassifier):
        model.head.max_iter = 1000
        model.update(answers)
    else:
        rng = random.Random(seed)
        for _ in range(config.full_epochs):
            rng.shuffle(answers)
            for start in range(0, len(answers), 32):
                model.update(answers[start:start + 32])
    return len(answers), evaluate(model, eval_examples, config)
