"""Training and evaluation data from the database, and the ``mentor.Corpus.v1`` reader.

``merge_datasets`` reads the answers of every component's datasets, merges
them (``merge.py``), holds out the evaluation part and reports what happened.
``MentorCorpus`` is the spaCy reader over the same function, registered as
``mentor.Corpus.v1`` (entry point ``spacy_readers``), so a config can read
straight from the database: ``python -m spacy train config.cfg`` works on it.

The split is a pure function of the input hashes and the seed, so the train and
dev readers, ``mentor train``'s summary and ``data-to-spacy`` all agree on it.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from ..db import Database, connect
from ..errors import DatasetNotFound, InputError
from ..tasks import Task
from .docs import DEFAULT_INCORRECT_SPANS_KEY, DEFAULT_SPANS_KEY, make_reference_doc
from .errors import NoEvaluationData, NoLabels, NoUsableExamples
from .merge import Annotation, MergeReport, merge_component
from .specs import EVAL_PREFIX, ComponentSpec, parse_specs

Entry = Dict[str, Annotation]  # component -> annotation, for one text


@dataclass
class SplitCounts:
    train: int = 0
    dev: int = 0
    dev_source: str = ""
    removed_from_train: int = 0  # texts also in an eval dataset


@dataclass
class MergedCorpus:
    """Merged training and evaluation entries, with what was skipped and why."""

    train: List[Entry]
    dev: List[Entry]
    reports: Dict[str, MergeReport]
    eval_reports: Dict[str, MergeReport]
    counts: Dict[str, SplitCounts]
    labels: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def binary_cats(self) -> bool:
        """Whether a text classifier trains on yes/no answers (which are mostly imbalanced)."""
        return any(
            report.kinds["binary"] for component, report in self.reports.items()
            if component in ("textcat", "textcat_multilabel")
        )

    def to_docs(
        self,
        nlp: Language,
        part: str,
        *,
        spans_key: str = DEFAULT_SPANS_KEY,
        incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY,
    ) -> List[Doc]:
        entries = self.train if part == "train" else self.dev
        reports = self.reports if part == "train" else {**self.reports, **self.eval_reports}
        return [
            make_reference_doc(
                nlp, entry, reports, spans_key=spans_key, incorrect_spans_key=incorrect_spans_key
            )
            for entry in entries
        ]


    def chosen_labels(self, part: str) -> List[Set[str]]:
        """For each text of ``to_docs(part)``, in order, the labels a sorter chose it for."""
        entries = self.train if part == "train" else self.dev
        return [set().union(*(ann.chosen_labels for ann in entry.values())) for entry in entries]


def read_answers(
    db: Database, names: Sequence[str], on_read: Optional[Callable[[int], None]] = None
) -> Iterator[Tuple[str, Task]]:
    """Yield (dataset, answer) pairs, lazily; checks every dataset exists first.

    ``on_read(n)`` is called every 1,000 answers and at the end (for a progress bar).
    """
    for name in names:
        if name not in db:
            raise DatasetNotFound(name)
    count = 0
    for name in names:
        for task in db.get_dataset_examples(name):
            yield name, task
            count += 1
            if on_read is not None and count % 1000 == 0:
                on_read(1000)
    if on_read is not None and count % 1000:
        on_read(count % 1000)


def split_hashes(hashes: Iterable[int], eval_split: float, seed: int) -> Set[int]:
    """The input hashes held out for evaluation: a seeded, order-independent choice."""
    ordered = sorted(set(hashes))
    random.Random(seed).shuffle(ordered)
    n_dev = int(round(len(ordered) * eval_split))
    if eval_split > 0 and ordered and n_dev == 0:
        n_dev = 1
    return set(ordered[:n_dev])


def sample_hashes(hashes: Sequence[int], fraction: float, seed: int) -> Set[int]:
    """A seeded subset of ``fraction`` of the training texts (for train-curve)."""
    ordered = sorted(set(hashes))
    random.Random(seed + 1).shuffle(ordered)
    return set(ordered[: max(1, int(math.ceil(len(ordered) * fraction)))])


def merge_datasets(
    db: Database,
    specs: Sequence[ComponentSpec],
    *,
    eval_split: float = 0.2,
    seed: int = 0,
    binary: bool = False,
    sample_size: float = 1.0,
    require_dev: bool = True,
    on_read: Optional[Callable[[int], None]] = None,
    check_labels: bool = True,
) -> MergedCorpus:
    """Merge every component's answers and split them into train and dev entries.

    A component with ``eval:`` datasets is evaluated on those (texts in both are
    taken out of its training data); the others share one random split of
    ``eval_split`` of their texts. Raises DatasetNotFound, NoUsableExamples,
    NoLabels (unless ``check_labels`` is off, as for evaluation) and
    NoEvaluationData with what to do, and InputError for a bad ``eval_split``.
    """
    if not 0.0 <= eval_split < 1.0:
        raise InputError(f"--eval-split must be at least 0 and below 1, got {eval_split}")
    for spec in specs:
        for name in spec.datasets:
            if name not in db:
                raise DatasetNotFound(name)
    train_anns: Dict[str, Dict[int, Annotation]] = {}
    dev_anns: Dict[str, Dict[int, Annotation]] = {}
    reports: Dict[str, MergeReport] = {}
    eval_reports: Dict[str, MergeReport] = {}
    order: Dict[int, int] = {}
    for spec in specs:
        merged, report = merge_component(spec.component, read_answers(db, spec.train, on_read), binary=binary)
        reports[spec.component] = report
        if not merged:
            raise NoUsableExamples(_nothing_usable(spec.component, spec.train, report))
        train_anns[spec.component] = merged
        for input_hash in merged:
            order.setdefault(input_hash, len(order))
        if spec.eval:
            eval_merged, eval_report = merge_component(
                spec.component, read_answers(db, spec.eval, on_read), binary=binary
            )
            eval_reports[spec.component] = eval_report
            if not eval_merged:
                raise NoUsableExamples(_nothing_usable(spec.component, spec.eval, eval_report))
            dev_anns[spec.component] = eval_merged
            for input_hash in eval_merged:
                order.setdefault(input_hash, len(order))
    counts: Dict[str, SplitCounts] = {}
    random_split = [s.component for s in specs if not s.eval]
    held_out = split_hashes(
        (h for c in random_split for h in train_anns[c]), eval_split, seed
    ) if random_split else set()
    for spec in specs:
        c = spec.component
        count = counts[c] = SplitCounts()
        if spec.eval:
            overlap = set(train_anns[c]) & set(dev_anns[c])
            for input_hash in overlap:
                del train_anns[c][input_hash]
            count.removed_from_train = len(overlap)
            count.dev_source = "eval datasets: " + ", ".join(spec.eval)
        else:
            dev_anns[c] = {h: a for h, a in train_anns[c].items() if h in held_out}
            train_anns[c] = {h: a for h, a in train_anns[c].items() if h not in held_out}
            count.dev_source = f"{eval_split:.0%} split"
        if sample_size < 1.0:
            keep = sample_hashes(list(train_anns[c]), sample_size, seed)
            train_anns[c] = {h: a for h, a in train_anns[c].items() if h in keep}
        count.train, count.dev = len(train_anns[c]), len(dev_anns[c])
        if not count.train:
            raise NoUsableExamples(
                f"--{c.replace('_', '-')}: no training examples left after holding out the "
                f"evaluation data ({count.dev_source}); annotate more or use a smaller --eval-split"
            )
        if require_dev and not count.dev:
            raise NoEvaluationData(
                f"--{c.replace('_', '-')}: nothing to evaluate on; add an evaluation dataset "
                f"(--{c.replace('_', '-')} {spec.train[0]},eval:MY_EVAL_SET) or set --eval-split above 0"
            )
    labels = {
        spec.component: _labels(spec, train_anns[spec.component], strict=check_labels) for spec in specs
    }
    dev_order = sorted({h for anns in dev_anns.values() for h in anns}, key=lambda h: order[h])
    train_order = sorted({h for anns in train_anns.values() for h in anns}, key=lambda h: order[h])
    return MergedCorpus(
        train=_combine(train_anns, train_order),
        dev=_combine(dev_anns, dev_order),
        reports=reports,
        eval_reports=eval_reports,
        counts=counts,
        labels=labels,
    )


def _combine(per_component: Mapping[str, Mapping[int, Annotation]], order: Sequence[int]) -> List[Entry]:
    entries: List[Entry] = []
    for input_hash in order:
        entry = {c: anns[input_hash] for c, anns in per_component.items() if input_hash in anns}
        if entry:
            entries.append(entry)
    return entries


def _labels(spec: ComponentSpec, annotations: Mapping[int, Annotation], *, strict: bool = True) -> List[str]:
    labels = sorted({label for ann in annotations.values() for label in ann.labels})
    flag = f"--{spec.component.replace('_', '-')}"
    if not strict:
        return labels
    if not labels:
        raise NoLabels(
            f"{flag}: the answers in {', '.join(spec.train)} have no labels "
            "(no accepted spans or categories); nothing for the component to learn"
        )
    if spec.component == "textcat" and len(labels) < 2:
        raise NoLabels(
            f"{flag}: only one label ({labels[0]}) in {', '.join(spec.train)}; an exclusive "
            "textcat needs two or more. For yes/no answers on one label use --textcat-multilabel"
        )
    return labels


def _nothing_usable(component: str, names: Sequence[str], report: MergeReport) -> str:
    reasons = ", ".join(f"{n} {reason}" for reason, n in report.skipped.most_common(3))
    detail = f" (skipped: {reasons})" if reasons else ""
    return (
        f"--{component.replace('_', '-')}: no usable examples in {', '.join(names)}: "
        f"{report.tasks} answers read{detail}"
    )


def category_repeats(
    references: Sequence[Doc], *, chosen: Optional[Sequence[Set[str]]] = None, most: int = 10,
) -> List[int]:
    """How often each text is shown an epoch, so that a rare yes (or no) isn't drowned out.

    With one label and few answers, a rare class (13 % spam, 6 % hate) barely
    moves a text classifier off "no": its scores stay under 0.5 and recall,
    hence F1, is near 0. The rarer answer's texts are shown
    ``round(sqrt(common / rare))`` times (at most ``most``): the square root,
    not logistic regression's full ``class_weight="balanced"`` ratio, because
    the full ratio over-shoots once the rare class has evidence of its own.
    Held-out F1 with `mentor train` (none / square root / full ratio):
    sms-spam 300 answers 0.54 / 0.71 / 0.83, all 4,574 answers 0.90 / 0.93 /
    0.70; davidson-hate 300 answers 0.03 / 0.10 / 0.11, all 22,304 answers
    0.23 / 0.35 / 0.37. A text answered on several labels takes its largest
    repeat; texts without categories are shown once.

    ``chosen`` holds, per text, the labels an active learner picked it for
    (``MergedCorpus.chosen_labels``). Those answers are left out of the counts
    and never repeated: the sorter already asked about the rare class far more
    often than it occurs (26 % yes on sms-spam against 13 %), and repeating
    that enriched sample again made the classifier over-predict it.
    `python bench/teach_then_train.py --arms "teach,teach --no-balance,random"`,
    held-out F1 of the rare label, mean of 3 seeds, re-balanced / not:
    sms-spam 300 answers 0.741 / 0.838 (random's 0.747); davidson-hate 300
    answers 0.026 / 0.017, 1,000 answers 0.089 / 0.117 (random's 0.100, 0.128).
    """
    chosen = chosen if chosen is not None else [set() for _ in references]
    counts: Dict[str, List[int]] = {}
    for doc, picked in zip(references, chosen):
        for label, value in doc.cats.items():
            if label not in picked:
                counts.setdefault(label, [0, 0])[int(value >= 0.5)] += 1
    repeats = []
    for doc, picked in zip(references, chosen):
        times = 1
        for label, value in doc.cats.items():
            if label in picked:
                continue
            mine, other = counts[label][int(value >= 0.5)], counts[label][int(value < 0.5)]
            if mine and other > mine:
                times = max(times, min(most, round(math.sqrt(other / mine))))
        repeats.append(times)
    return repeats


class MentorCorpus:
    """A spaCy corpus reader over mentor datasets: gold Docs built once, Examples every call."""

    def __init__(
        self,
        datasets: Mapping[str, Sequence[str]],
        *,
        part: str = "train",
        eval_split: float = 0.2,
        seed: int = 0,
        sample_size: float = 1.0,
        binary: bool = False,
        balance: bool = False,
        spans_key: str = DEFAULT_SPANS_KEY,
        incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY,
        db_url: Optional[str] = None,
    ) -> None:
        if part not in ("train", "dev"):
            raise NoEvaluationData(f"mentor.Corpus.v1: 'part' must be 'train' or 'dev', got '{part}'")
        self.specs = parse_specs({c: list(names) for c, names in datasets.items()})
        self.part = part
        self.eval_split = eval_split
        self.seed = seed
        self.sample_size = sample_size
        self.binary = binary
        self.balance = balance and part == "train"
        self.spans_key = spans_key
        self.incorrect_spans_key = incorrect_spans_key
        self.db_url = db_url
        self._docs: Optional[List[Doc]] = None
        self._chosen: List[Set[str]] = []

    def load(self, nlp: Language) -> List[Doc]:
        if self._docs is None:
            db = connect(self.db_url)
            try:
                merged = merge_datasets(
                    db, self.specs, eval_split=self.eval_split, seed=self.seed,
                    binary=self.binary, sample_size=self.sample_size,
                )
            finally:
                db.close()
            self._docs = merged.to_docs(
                nlp, self.part, spans_key=self.spans_key,
                incorrect_spans_key=self.incorrect_spans_key,
            )
            self._chosen = merged.chosen_labels(self.part)
        return self._docs

    def __call__(self, nlp: Language) -> Iterator[Example]:
        references = self.load(nlp)
        repeats = category_repeats(references, chosen=self._chosen) if self.balance else [1] * len(references)
        for reference, times in zip(references, repeats):
            if len(reference) == 0:
                continue
            for _ in range(times):
                # as spacy.Corpus.v1 does: the model sees its own tokenization, aligned to the gold one
                yield Example(nlp.make_doc(reference.text), reference)


@registry.readers("mentor.Corpus.v1")
def create_mentor_corpus(
    datasets: Dict[str, List[str]],
    part: str = "train",
    eval_split: float = 0.2,
    seed: int = 0,
    sample_size: float = 1.0,
    binary: bool = False,
    balance: bool = False,
    spans_key: str = DEFAULT_SPANS_KEY,
    incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY,
    db_url: Optional[str] = None,
) -> Callable[[Language], Iterator[Example]]:
    """Read training ('train') or evaluation ('dev') examples from mentor datasets.

    ``datasets`` maps a component (ner, textcat, textcat_multilabel, spancat) to
    its datasets; an ``eval:`` prefix marks an evaluation dataset. The database
    is the one in mentor's settings unless ``db_url`` is given. ``balance``
    repeats the training texts of each category's rarer answer (see
    ``category_repeats``).
    """
    return MentorCorpus(
        datasets, part=part, eval_split=eval_split, seed=seed, sample_size=sample_size,
        binary=binary, balance=balance, spans_key=spans_key, incorrect_spans_key=incorrect_spans_key, db_url=db_url,
    )


__all__ = [
    "MergedCorpus", "MentorCorpus", "SplitCounts", "create_mentor_corpus", "merge_datasets",
    "read_answers", "split_hashes", "EVAL_PREFIX",
]
