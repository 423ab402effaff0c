"""Agreement reports from stored answers: who answered what, item by item.

The functions here read answers (task dicts, streamed once) and group them
into items, one value per annotator, then hand the items to the math in
``agreement.py``. They know the task format, not the database or the command
line: the ``metric.iaa.*`` commands pass them ``Database.get_dataset_examples``.

What is an item and who is an annotator, as Prodigy users know it:

- the annotator of an answer is its ``_session_id`` (``DATASET-NAME``, one
  session a person); answers without one can't be attributed and are left out;
- documents and spans are grouped by ``_input_hash`` (the same text), binary
  answers by ``_task_hash`` (the same question: text plus label or span), so
  two labels asked about one text are two items;
- an annotator who answered an item twice counts once, with the later answer;
- an item answered by one annotator has nothing to agree with and is left out
  of every figure. Every answer left out is counted, by reason, in the report.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Collection, Dict, Hashable, Iterable, List, Literal, Optional, Sequence, Tuple, Union

from ..tasks import Task
from .agreement import PairF1, agreement, pairwise_f1
from .errors import MixedViews, NoAnnotators, NotExclusive, NothingToCompare, UnknownLabel

__all__ = ["DocMode", "Report", "Scores", "SpanScores", "binary_agreement", "doc_agreement", "span_agreement"]

DocMode = Literal["multiclass", "multilabel"]
DOC_MODES: Tuple[str, ...] = ("multiclass", "multilabel")
BINARY = ("accept", "reject")


class _Other:
    """The category "a label not in --labels" (multiclass): equal only to itself, never to a label."""

    def __repr__(self) -> str:
        return "<other labels>"


OTHER = _Other()


@dataclass(frozen=True)
class Scores:
    """Chance-corrected agreement on one set of items (documents or binary answers)."""

    items: int
    annotators: int
    percent_agreement: Optional[float]
    krippendorff_alpha: Optional[float]
    gwet_ac2: Optional[float]


@dataclass(frozen=True)
class SpanScores:
    """Pairwise F1 on one set of items, with each pair's counts."""

    items: int
    annotators: int
    f1: Optional[float]
    pairs: Tuple[PairF1, ...]


@dataclass(frozen=True)
class Report:
    """What a ``metric.iaa.*`` command prints: overall, per label, and what was left out."""

    kind: Literal["doc", "binary", "span"]
    mode: Optional[str]
    answers: int  # answers compared: one per annotator and item
    annotators: Tuple[str, ...]  # _session_id of everyone in a compared item
    items: int  # items answered by two annotators or more
    left_out: Dict[str, int]  # reason -> count; single_annotator_items counts items, the rest answers
    overall: Union[Scores, SpanScores]
    labels: Dict[str, Union[Scores, SpanScores]] = field(default_factory=dict)

    def to_dict(self, name: Callable[[str], str] = str) -> Dict[str, Any]:
        """A JSON-ready dict; ``name`` turns a session id into the name to show."""

        def scores(value: Union[Scores, SpanScores]) -> Dict[str, Any]:
            data = asdict(value)
            if isinstance(value, SpanScores):
                data["pairs"] = [{**asdict(pair), "a": name(pair.a), "b": name(pair.b)} for pair in value.pairs]
            return data

        return {
            "kind": self.kind,
            "mode": self.mode,
            "answers": self.answers,
            "annotators": [name(who) for who in self.annotators],
            "items": self.items,
            "left_out": dict(self.left_out),
            "overall": scores(self.overall),
            "labels": {label: scores(value) for label, value in self.labels.items()},
        }


@dataclass(frozen=True)
class _Skip:
    reason: str


Read = Callable[[Task], Any]  # an answer's value to compare, or a _Skip saying why not


@dataclass
class _Items:
    by_key: Dict[Hashable, Dict[str, Any]]  # item -> annotator -> value
    left_out: Counter
    views: Counter


def _collect(answers: Iterable[Task], *, key: str, read: Read, annotators: Optional[Collection[str]], source: str) -> _Items:
    """Group answers by ``key``, one value per annotator (the later answer wins)."""
    by_key: Dict[Hashable, Dict[str, Any]] = {}
    left_out: Counter = Counter()
    views: Counter = Counter()
    total = attributed = 0
    for task in answers:
        total += 1
        who = task.get("_session_id")
        if not who:
            left_out["no_annotator"] += 1
            continue
        attributed += 1
        if annotators is not None and str(who) not in annotators:
            continue
        value = read(task)
        if isinstance(value, _Skip):
            left_out[value.reason] += 1
            continue
        if task.get("_view_id"):
            views[str(task["_view_id"])] += 1
        item = by_key.setdefault(task.get(key), {})
        if str(who) in item:
            left_out["superseded"] += 1
        item[str(who)] = value
    if not attributed:
        raise NoAnnotators(source, total)
    if len(views) > 1:
        raise MixedViews(source, views)
    return _Items(by_key, left_out, views)


def _compared(items: _Items, source: str) -> Dict[Hashable, Dict[str, Any]]:
    """The items two annotators or more answered; raises NothingToCompare when there are none."""
    compared = {key: values for key, values in items.by_key.items() if len(values) >= 2}
    single = len(items.by_key) - len(compared)
    if single:
        items.left_out["single_annotator_items"] = single
    if not compared:
        annotators = {who for values in items.by_key.values() for who in values}
        raise NothingToCompare(source, len(annotators), single)
    return compared


def _check_labels(labels: Optional[Sequence[str]], known: Iterable[str], source: str) -> List[str]:
    """The labels to report: those asked for (all known), else every known one."""
    known = list(dict.fromkeys(known))
    if labels is None:
        return known
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise UnknownLabel(source, unknown, known)
    return list(dict.fromkeys(labels))


def _scores(items: Sequence[Sequence[Hashable]], annotators: int, categories: Sequence[Hashable]) -> Scores:
    result = agreement(items, categories=categories)
    return Scores(result.items, annotators, result.percent, result.alpha, result.ac2)


def _report(
    kind: Literal["doc", "binary", "span"],
    mode: Optional[str],
    compared: Dict[Hashable, Dict[str, Any]],
    items: _Items,
    overall: Union[Scores, SpanScores],
    labels: Dict[str, Union[Scores, SpanScores]],
) -> Report:
    who = sorted({name for values in compared.values() for name in values})
    answers = sum(len(values) for values in compared.values())
    return Report(kind, mode, answers, tuple(who), len(compared), dict(sorted(items.left_out.items())), overall, labels)


def doc_agreement(
    answers: Iterable[Task],
    mode: DocMode,
    *,
    annotators: Optional[Collection[str]] = None,
    labels: Optional[Sequence[str]] = None,
    source: str = "the answers",
) -> Report:
    """Measure agreement on the options accepted in choice answers (``accept``), grouped by input.

    ``multiclass``: each accepted answer picks one option, the label; the
    categories are every option offered (chance agreement depends on how
    many there were), and each label is also scored one-vs-rest.
    ``multilabel``: each label is a yes/no question on every item (was it
    among the accepted options?), scored per label; overall pools every
    (item, label) question. Rejected and ignored answers are left out, and in
    ``multiclass`` so are answers with no option accepted. ``labels`` keeps
    only those labels (in ``multiclass``, the others merge into one category,
    so two people who picked two other labels agree that it is neither).
    ``annotators`` keeps only those session ids. Raises NotExclusive
    when ``multiclass`` meets answers with several options, NoAnnotators,
    NothingToCompare, MixedViews or UnknownLabel.
    """
    offered: Dict[str, None] = {}
    several = 0

    def read(task: Task) -> Any:
        nonlocal several
        for option in task.get("options") or []:
            if isinstance(option, dict) and "id" in option:
                offered.setdefault(str(option["id"]))
        if task.get("answer") != "accept":
            return _Skip("not_accepted")
        chosen = tuple(dict.fromkeys(str(label) for label in task.get("accept") or []))
        offered.update(dict.fromkeys(chosen))
        if mode == "multiclass":
            if not chosen:
                return _Skip("no_choice")
            if len(chosen) > 1:
                several += 1
                return _Skip("several_choices")
        return chosen

    items = _collect(answers, key="_input_hash", read=read, annotators=annotators, source=source)
    if several:
        raise NotExclusive(source, several)
    label_set = _check_labels(labels, offered, source)
    compared = _compared(items, source)
    people = len({who for values in compared.values() for who in values})
    per_label: Dict[str, Union[Scores, SpanScores]] = {}
    if mode == "multiclass":
        # with --labels, the other labels become one category: agreement on "these labels or another"
        other = len(label_set) < len(offered)
        values = [[chosen[0] if chosen[0] in label_set else OTHER for chosen in item.values()] for item in compared.values()]
        overall = _scores(values, people, [*label_set, OTHER] if other else label_set)
        for label in label_set:
            per_label[label] = _scores([[value == label for value in item] for item in values], people, (True, False))
    else:
        pooled: List[List[bool]] = []
        for label in label_set:
            questions = [[label in chosen for chosen in item.values()] for item in compared.values()]
            pooled.extend(questions)
            per_label[label] = _scores(questions, people, (True, False))
        overall = _scores(pooled, people, (True, False))
    return _report("doc", mode, compared, items, overall, per_label)


def _task_label(task: Task) -> Optional[str]:
    """The label a binary question is about: ``label``, else the one label of its spans."""
    if isinstance(task.get("label"), str):
        return str(task["label"])
    span_labels = {str(span.get("label")) for span in task.get("spans") or [] if isinstance(span, dict) and span.get("label")}
    return span_labels.pop() if len(span_labels) == 1 else None


def binary_agreement(
    answers: Iterable[Task],
    *,
    annotators: Optional[Collection[str]] = None,
    labels: Optional[Sequence[str]] = None,
    source: str = "the answers",
) -> Report:
    """Measure agreement on accept vs reject, one item a question (``_task_hash``).

    Ignored answers say nothing about the question and are left out. A
    question's label is its ``label`` (textcat.teach) or the one label of its
    spans (ner.teach); per-label figures cover the questions about that
    label, overall covers them all. Raises NoAnnotators, NothingToCompare,
    MixedViews or UnknownLabel.
    """
    label_of: Dict[Hashable, Optional[str]] = {}
    seen: Dict[str, None] = {}

    def read(task: Task) -> Any:
        answer = task.get("answer")
        if answer == "ignore":
            return _Skip("ignored")
        if answer not in BINARY:
            return _Skip("no_answer")
        label = _task_label(task)
        if label is not None:
            seen.setdefault(label)
        if labels is not None and label not in labels:
            return _Skip("other_labels")
        label_of[task.get("_task_hash")] = label
        return answer

    items = _collect(answers, key="_task_hash", read=read, annotators=annotators, source=source)
    label_set = _check_labels(labels, sorted(seen), source)
    compared = _compared(items, source)

    def scores(keys: Iterable[Hashable]) -> Scores:
        chosen = [compared[key] for key in keys]
        people = len({who for values in chosen for who in values})
        return _scores([list(values.values()) for values in chosen], people, BINARY)

    per_label: Dict[str, Union[Scores, SpanScores]] = {}
    for label in label_set:
        keys = [key for key in compared if label_of.get(key) == label]
        if keys:
            per_label[label] = scores(keys)
    return _report("binary", None, compared, items, scores(compared), per_label)


Span = Tuple[int, int, str]


def span_agreement(
    answers: Iterable[Task],
    *,
    annotators: Optional[Collection[str]] = None,
    labels: Optional[Sequence[str]] = None,
    source: str = "the answers",
) -> Report:
    """Measure pairwise F1 on the spans of accepted answers, grouped by input, exact match.

    A span is ``(start, end, label)`` in characters: one that differs by a
    character or by label is a disagreement. An accepted answer with no
    spans says "nothing here" and counts. Rejected and ignored answers are
    left out. Per label, only that label's spans are compared. Raises
    NoAnnotators, NothingToCompare, MixedViews or UnknownLabel.
    """
    seen: Dict[str, None] = {}

    def read(task: Task) -> Any:
        if task.get("answer") != "accept":
            return _Skip("not_accepted")
        spans = frozenset(
            (int(span["start"]), int(span["end"]), str(span.get("label")))
            for span in task.get("spans") or []
            if isinstance(span, dict) and isinstance(span.get("start"), int) and isinstance(span.get("end"), int)
        )
        seen.update(dict.fromkeys(sorted(label for _start, _end, label in spans)))
        return spans if labels is None else frozenset(span for span in spans if span[2] in labels)

    items = _collect(answers, key="_input_hash", read=read, annotators=annotators, source=source)
    label_set = _check_labels(labels, sorted(seen), source)
    compared = _compared(items, source)
    people = len({who for values in compared.values() for who in values})

    def scores(keep: Callable[[Span], bool]) -> SpanScores:
        result = pairwise_f1([{who: {s for s in spans if keep(s)} for who, spans in item.items()} for item in compared.values()])
        return SpanScores(len(compared), people, result.f1, result.pairs)

    per_label: Dict[str, Union[Scores, SpanScores]] = {
        label: scores(lambda span, label=label: span[2] == label) for label in label_set  # type: ignore[misc]
    }
    return _report("span", None, compared, items, scores(lambda span: True), per_label)
