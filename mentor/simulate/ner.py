"""Replay ``ner.teach`` with an oracle: the beam NER in the loop, teach order against random.

The labelled corpus holds complete annotations (``text``, ``tokens``, ``spans``,
as ``ner.manual``/``ner.correct`` store them). Each run builds the recognizer
``ner.teach`` builds (:class:`~mentor.models.ner.EntityRecognizer`, beam NER,
on a blank pipeline or ``model``), optionally trains it on ``seed_size`` gold
sentences first, then serves yes/no questions, one proposed span each:

- ``teach``: every beam candidate of every sentence, ordered by
  :func:`~mentor.sorters.prefer_uncertain` with the recipe's re-score settings
  (:data:`~mentor.sorters.NER_RESCORE_LIMIT`), re-scored after each update;
- ``random``: the sentences in random order, one candidate per sentence drawn
  at random from the current model's beam.

The oracle accepts a span iff it is exactly a gold entity (same characters,
same label) and rejects every other; the model is updated after each batch of
answers, as the recipe does (rejections are negative examples, the rest of the
sentence is missing). Every ``step`` answers the model's entity F1 (spaCy's
scorer, ``ents_f``) on the held-out sentences is recorded.

The reference ("full data") is the same model trained on the gold spans of
every sentence of the pool (seed sentences included) for ``full_epochs`` passes.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..errors import InputError
from ..sorters import DEFAULT_POOL_SIZE, NER_RESCORE_LIMIT, prefer_uncertain
from ..tasks import Task
from .curve import SimulationResult, StrategyCurve, summarise_runs
from .replay import RunCurve

__all__ = [
    "NerExample", "NerConfig", "NER_STRATEGIES", "is_ner_data", "read_ner", "ner_oracle",
    "run_ner_strategy", "run_ner_full_data", "evaluate_ner", "replay_ner_answers", "simulate_ner",
]

NER_STRATEGIES = ("teach", "random")
EntityKey = Tuple[int, int, str]  # character start, end, label

Progress = Callable[[str], None]


@dataclass
class NerExample:
    """One sentence: its text, its tokens (None: the pipeline's tokenizer) and its gold entities."""

    text: str
    words: Optional[List[str]] = None
    spaces: Optional[List[bool]] = None
    entities: Set[EntityKey] = field(default_factory=set)


@dataclass
class NerConfig:
    """The knobs of an NER simulation; the same for every strategy and seed."""

    labels: List[str]
    max_labels: int = 1000
    step: int = 50
    batch_size: int = 10
    pool_size: int = DEFAULT_POOL_SIZE
    rescore_limit: Optional[int] = NER_RESCORE_LIMIT
    seeds: int = 2
    seed_size: int = 0
    model: Optional[str] = None  # a spaCy pipeline (name or path); None: blank:LANG
    lang: str = "en"
    full_epochs: int = 4
    beam_width: int = 16
    task: str = "ner"
    architecture: str = "beam_ner"
    rehearse: Optional[int] = None  # earlier answers trained again with each update; None: the recognizer's default


def _is_span_row(row: Task) -> bool:
    return isinstance(row.get("spans"), list) and not isinstance(row.get("label"), str)


def is_ner_data(rows: Sequence[Task]) -> bool:
    """Whether labelled rows are entity annotations: spans and no task label (looks at the first 50)."""
    sample = [row for row in rows[:50] if isinstance(row, dict)]
    return bool(sample) and all(_is_span_row(row) for row in sample)


def read_ner(
    rows: Iterable[Task], *, where: str = "data", labels: Optional[Sequence[str]] = None,
) -> Tuple[List[NerExample], List[str], int]:
    """Complete entity annotations as :class:`NerExample`; return them, the labels and the rows skipped.

    Rows answered ``ignore`` or ``reject`` are skipped (they say nothing about the
    gold entities), and so is a text seen before. ``labels`` keeps only those
    entity labels (the others are no entities for this simulation). Raises
    InputError on a row without text or spans, an unknown label, or no data.
    """
    examples: List[NerExample] = []
    seen: Set[str] = set()
    found: Dict[str, int] = {}
    skipped = 0
    for number, row in enumerate(rows, start=1):
        text = row.get("text")
        if not isinstance(text, str):
            raise InputError(f"{where}: example {number} has no 'text'")
        if not _is_span_row(row):
            raise InputError(f"{where}: example {number} has no 'spans' (or has a task 'label'): not an NER annotation")
        if row.get("answer", "accept") != "accept" or text in seen:
            skipped += 1
            continue
        seen.add(text)
        tokens = row.get("tokens")
        words = spaces = None
        if isinstance(tokens, list) and tokens and all(isinstance(t, dict) and "text" in t for t in tokens):
            words = [str(t["text"]) for t in tokens]
            spaces = [bool(t.get("ws", True)) for t in tokens]
        entities: Set[EntityKey] = set()
        for span in row["spans"]:
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
                entities.add((start, end, label))
                found[label] = found.get(label, 0) + 1
        examples.append(NerExample(text, words, spaces, entities))
    if not examples:
        raise InputError(f"{where}: no accepted NER annotations found")
    if labels:
        unknown = [label for label in labels if label not in found]
        if unknown:
            raise InputError(f"Label(s) not in the data: {', '.join(unknown)} (found: {', '.join(sorted(found))})")
        wanted = set(labels)
        for example in examples:
            example.entities = {key for key in example.entities if key[2] in wanted}
    return examples, list(labels) if labels else sorted(found), skipped


# ---- the model ---------------------------------------------------------------------------------


def _recognizer(config: NerConfig, seed: int) -> Any:
    """A fresh recognizer, as ner.teach builds it.

    Its rehearsal trains before each update returns: in ner.teach it runs in the
    background while the annotator answers the next batch, which takes far longer.
    """
    from ..models.loading import load_pipeline
    from ..models.ner import EntityRecognizer

    nlp = load_pipeline(config.model or f"blank:{config.lang}")
    kwargs = {} if config.rehearse is None else {"rehearse": config.rehearse}
    return EntityRecognizer(
        nlp, config.labels, beam_width=config.beam_width, seed=seed, background_rehearsal=False, **kwargs,
    )


def _gold_answer(example: NerExample, nlp: Any) -> Optional[Task]:
    """The complete annotation of a sentence, as an accepted ner_manual answer."""
    doc = nlp.make_doc(example.text)
    spans = []
    for start, end, label in sorted(example.entities):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append({"start": start, "end": end, "label": label,
                          "token_start": span.start, "token_end": span.end - 1})
    return {"text": example.text, "spans": spans, "answer": "accept"}


def _train_gold(model: Any, examples: Sequence[NerExample], epochs: int, seed: int) -> int:
    answers = [a for a in (_gold_answer(e, model.nlp) for e in examples) if a is not None]
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(answers)
        for start in range(0, len(answers), 32):
            model.update_corrections(answers[start:start + 32])
    return len(answers)


def evaluate_ner(model: Any, examples: Sequence[NerExample], labels: Sequence[str]) -> float:
    """The entity F1 (spaCy's ``ents_f``) of the model's entities of ``labels`` on ``examples``."""
    from spacy.scorer import get_ner_prf
    from spacy.tokens import Doc, Span
    from spacy.training import Example
    from spacy.util import filter_spans

    wanted = set(labels)
    nlp = model.nlp
    disable = list(getattr(model, "_frozen", []))
    with model._lock:
        predicted = list(nlp.pipe([e.text for e in examples], disable=disable))
    scored = []
    for example, doc in zip(examples, predicted):
        doc.ents = [ent for ent in doc.ents if ent.label_ in wanted]
        if example.words is not None:
            reference = Doc(nlp.vocab, words=example.words, spaces=example.spaces)
        else:
            reference = nlp.make_doc(example.text)
        gold = [
            reference.char_span(start, end, label=label, alignment_mode="expand")
            for start, end, label in sorted(example.entities) if label in wanted
        ]
        reference.set_ents(filter_spans([s for s in gold if isinstance(s, Span)]), default="outside")
        scored.append(Example(doc, reference))
    return float(get_ner_prf(scored).get("ents_f") or 0.0)


# ---- the replay --------------------------------------------------------------------------------


def ner_oracle(question: Task, example: NerExample) -> Task:
    """Accept the question's span iff it is exactly a gold entity (characters and label); else reject.

    A question without exactly one span is answered ``ignore`` (it asks nothing one can check).
    """
    spans = question.get("spans") or []
    if len(spans) != 1:
        return dict(question, answer="ignore")
    span = spans[0]
    key = (span.get("start"), span.get("end"), span.get("label"))
    return dict(question, answer="accept" if key in example.entities else "reject")


def _tasks(pool: Sequence[NerExample], seed: int, skip: int) -> List[Task]:
    order = list(range(skip, len(pool)))
    random.Random(seed).shuffle(order)
    return [{"text": pool[i].text, "_input_hash": i, "meta": {"row": i}} for i in order]


def _random_questions(model: Any, tasks: List[Task], batch_size: int, seed: int) -> Iterator[Task]:
    """Sentences in random order, one beam candidate each, drawn at random; the beam is read when asked for."""
    rng = random.Random(seed + 1)
    shuffled = list(tasks)
    rng.shuffle(shuffled)
    iterator = iter(shuffled)
    while True:
        batch = list(islice(iterator, batch_size))
        if not batch:
            return
        by_row: Dict[int, List[Task]] = {}
        for _, question in model(batch):
            by_row.setdefault(question["meta"]["row"], []).append(question)
        for task in batch:
            candidates = by_row.get(task["meta"]["row"])
            if candidates:
                yield rng.choice(candidates)


def _questions(strategy: str, model: Any, tasks: List[Task], config: NerConfig, seed: int) -> Iterator[Task]:
    if strategy == "teach":
        # what ner.teach serves (mentor/recipes/ner_teach.py)
        return prefer_uncertain(
            model(tasks), rescorer=model.score_tasks, rescore_limit=config.rescore_limit, pool_size=config.pool_size,
        )
    if strategy == "random":
        return _random_questions(model, tasks, config.batch_size, seed)
    raise ValueError(f"Unknown strategy '{strategy}': use one of {NER_STRATEGIES}")


def _seeded_model(pool: Sequence[NerExample], config: NerConfig, seed: int) -> Any:
    model = _recognizer(config, seed)
    if config.seed_size:
        _train_gold(model, pool[:config.seed_size], config.full_epochs, seed)
        model.settle()  # from here on it is a trained pipeline, as ner.teach would load it
    return model


def _update(model: Any, answers: List[Task]) -> None:
    """``model.update``; where spaCy's beam update fails on the batch, one answer at a time.

    spaCy's beam update asserts (thinc ``Beam.advance``) when a sentence's merged
    answers leave no gold path, e.g. "Colo ." accepted as LOC and "." rejected as
    LOC in the same batch: the rejection is taken to forbid the accepted entity's
    last token. Answers that fail alone are skipped and counted in ``model.failed_updates``.
    """
    try:
        model.update(answers)
        return
    except AssertionError:
        pass
    for answer in answers:
        try:
            model.update([answer])
        except AssertionError:
            setattr(model, "failed_updates", getattr(model, "failed_updates", 0) + 1)
    setattr(model, "split_updates", getattr(model, "split_updates", 0) + 1)


def _replay(
    strategy: str, pool: Sequence[NerExample], config: NerConfig, seed: int, limit: int,
    answer: Callable[[Task, NerExample], Task] = ner_oracle,
) -> Iterator[Tuple[Any, List[Task]]]:
    """Serve, answer and learn in batches; yield the model and each batch's accepted/rejected answers."""
    model = _seeded_model(pool, config, seed)
    questions = _questions(strategy, model, _tasks(pool, seed, config.seed_size), config, seed)
    yield model, []
    answered = 0
    while answered < limit:
        batch = list(islice(questions, min(config.batch_size, limit - answered)))
        if not batch:
            break
        answers = [answer(q, pool[q["meta"]["row"]]) for q in batch]
        counted = [a for a in answers if a["answer"] in ("accept", "reject")]
        if counted:
            _update(model, answers)  # ignores are passed on, as the server does; they never train
        if hasattr(questions, "rescore"):
            questions.rescore()  # type: ignore[attr-defined]
        answered += len(counted)
        yield model, counted


def run_ner_strategy(
    strategy: str, pool: Sequence[NerExample], eval_examples: Sequence[NerExample], config: NerConfig, seed: int,
) -> RunCurve:
    """Annotate up to ``config.max_labels`` answers in ``strategy``'s order; score every ``step``."""
    curve = RunCurve(strategy, seed)
    answered, next_checkpoint = 0, 0
    model = None
    for model, answers in _replay(strategy, pool, config, seed, config.max_labels):
        answered += len(answers)
        while answered >= next_checkpoint and next_checkpoint <= config.max_labels:
            curve.labels.append(next_checkpoint)
            curve.scores.append(evaluate_ner(model, eval_examples, config.labels))
            next_checkpoint += config.step
    curve.split_updates = getattr(model, "split_updates", 0)  # type: ignore[attr-defined]
    curve.failed_updates = getattr(model, "failed_updates", 0)  # type: ignore[attr-defined]
    return curve


def replay_ner_answers(
    strategy: str, pool: Sequence[NerExample], config: NerConfig, seed: int, n_answers: int,
) -> List[Task]:
    """The first ``n_answers`` accept/reject answers ``strategy`` collects, as ner.teach would store them."""
    collected: List[Task] = []
    for _, answers in _replay(strategy, pool, config, seed, n_answers):
        collected.extend(
            {"text": a["text"], "tokens": a["tokens"], "spans": a["spans"], "answer": a["answer"],
             "_view_id": "ner"}
            for a in answers
        )
    return collected


def run_ner_full_data(
    pool: Sequence[NerExample], eval_examples: Sequence[NerExample], config: NerConfig, seed: int,
) -> Tuple[int, float]:
    """The reference: a fresh model trained on every gold sentence of the pool, ``full_epochs`` passes."""
    model = _recognizer(config, seed)
    n = _train_gold(model, pool, config.full_epochs, seed)
    return n, evaluate_ner(model, eval_examples, config.labels)


def simulate_ner(
    pool: Sequence[NerExample],
    eval_examples: Sequence[NerExample],
    config: NerConfig,
    *,
    strategies: Sequence[str] = NER_STRATEGIES,
    progress: Optional[Progress] = None,
) -> SimulationResult:
    """The reference (one run, seed 0) and each strategy for ``config.seeds`` seeds."""
    if config.seed_size >= len(pool):
        raise InputError(f"--seed-size {config.seed_size} leaves no sentences to ask about (pool: {len(pool)})")
    if progress:
        progress(f"full data ({len(pool)} sentences, {config.full_epochs} epochs)")
    full_labels, full_score = run_ner_full_data(pool, eval_examples, config, 0)
    curves: Dict[str, StrategyCurve] = {}
    split: Dict[str, List[int]] = {}  # per seed: batches spaCy's beam update refused (see _update)
    failed: Dict[str, List[int]] = {}  # per seed: answers it refused alone (never trained on)
    for strategy in strategies:
        runs = []
        for seed in range(config.seeds):
            if progress:
                progress(f"{strategy}, seed {seed}")
            runs.append(run_ner_strategy(strategy, pool, eval_examples, config, seed))
        curves[strategy] = summarise_runs(strategy, runs, full_score)
        split[strategy] = [getattr(run, "split_updates", 0) for run in runs]
        failed[strategy] = [getattr(run, "failed_updates", 0) for run in runs]
    return SimulationResult(
        config={**asdict(config), "split_updates": split, "failed_updates": failed},
        n_train=len(pool),
        n_eval=len(eval_examples),
        full_score=full_score,
        full_std=0.0,
        full_labels=full_labels,
        curves=curves,
    )
