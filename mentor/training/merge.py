"""Merge stored answers into one annotation per text and component.

Every answer stays in its dataset; training needs one annotation per text. This
module groups answers by ``_input_hash`` across all the datasets given for a
component and applies the rules users of Prodigy expect:

* textcat / textcat_multilabel: a binary answer on ``label`` sets that category
  to 1.0 (accept) or 0.0 (reject) and leaves the others missing; a choice answer
  (``options`` + ``accept``) gives the full set. ``textcat`` is exclusive: at
  most one category may be 1.0, and with exactly two labels a binary answer on
  one sets the other to the opposite.
* ner: an accepted manual answer (view ``ner_manual``) is complete gold, tokens
  outside its spans are O. Binary answers (view ``ner``, ``--binary``, or a task
  with one model-suggested span) are partial: accepted spans are gold, rejected
  spans become negative constraints (``incorrect_spans``), everything else is
  missing.
* spancat: accepted spans go into the span group.
* tagger, parser, senter: an accepted answer of ``pos.correct``,
  ``dep.correct`` or ``sent.correct`` gives a value per token (``syntax.py``);
  tokens it leaves unannotated are missing. Different accepted answers for one
  text are a conflict.
* Ignored answers and rejected manual or choice answers never train.

Answers that contradict each other for one text are *conflicts*: the text is
left out for that component and listed in the report, never silently merged.
No spaCy here: tokens and alignment are ``docs.py``'s job.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple

from ..tasks import ANSWERS, EXPLORED_KEY, Task
from .syntax import READERS, SYNTAX_COMPONENTS, Unusable

SpanKey = Tuple[int, int, str]  # start char, end char, label

MANUAL_NER_VIEWS = frozenset(("ner_manual", "spans_manual", "blocks"))
BINARY_NER_VIEWS = frozenset(("ner", "spans"))
TEXTCAT_COMPONENTS = frozenset(("textcat", "textcat_multilabel"))


@dataclass
class Conflict:
    """One text whose answers disagree, for the report."""

    component: str
    input_hash: int
    text: str
    reason: str
    datasets: List[str]


@dataclass
class Annotation:
    """The merged annotation of one text for one component."""

    input_hash: int
    text: str
    tokens: Optional[List[Dict[str, Any]]] = None
    spans: List[SpanKey] = field(default_factory=list)
    incorrect_spans: List[SpanKey] = field(default_factory=list)
    complete: bool = True  # ner: tokens outside ``spans`` are O (else missing)
    cats: Dict[str, float] = field(default_factory=dict)
    # labels whose yes/no answer a sorter chose (the task carries its ``priority``, as
    # textcat.teach stores it): an enriched sample, not a random one, so not re-balanced;
    # a question the sorter drew at random (``_explored``) was not chosen
    chosen_labels: Set[str] = field(default_factory=set)
    datasets: List[str] = field(default_factory=list)
    # tagger/parser/senter: one value a token of ``tokens`` ("" or None: missing)
    tags: Optional[List[str]] = None
    heads: Optional[List[Optional[int]]] = None
    deps: Optional[List[Optional[str]]] = None
    sent_starts: Optional[List[Optional[bool]]] = None

    @property
    def labels(self) -> Set[str]:
        syntax = {v for v in (self.tags or []) + (self.deps or []) if v}
        if self.sent_starts:
            syntax.add("S")
        return {label for _, _, label in self.spans} | set(self.cats) | syntax


@dataclass
class MergeReport:
    """What was read, used and skipped for one component, and why."""

    component: str
    tasks: int = 0
    used_answers: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> answers
    conflicts: List[Conflict] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)  # "manual"/"binary"/"choice" -> texts

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped[reason] += count


@dataclass
class _Answer:
    dataset: str
    task: Task


def _span_key(span: Any) -> Optional[SpanKey]:
    if not isinstance(span, dict):
        return None
    start, end, label = span.get("start"), span.get("end"), span.get("label")
    if not isinstance(start, int) or not isinstance(end, int) or not isinstance(label, str):
        return None
    if start < 0 or end <= start or not label:
        return None
    return (start, end, label)


def is_binary_ner(task: Task, binary: bool) -> bool:
    """Whether a NER answer is a yes/no question about its spans (partial) or a full annotation.

    The view decides when it was stored; ``--binary`` forces binary. Without a
    view (Prodigy exports), a task whose spans all carry a model ``score`` or
    their own ``answer`` holds suggestions a person judged: a teach task.
    """
    if binary:
        return True
    view = task.get("_view_id")
    if view in BINARY_NER_VIEWS:
        return True
    if view in MANUAL_NER_VIEWS or view is not None:
        return False
    spans = task.get("spans") or []
    return bool(spans) and all(isinstance(s, dict) and ("score" in s or "answer" in s) for s in spans)


def _overlapping(spans: Iterable[SpanKey]) -> bool:
    ordered = sorted(spans)
    return any(a[1] > b[0] for a, b in zip(ordered, ordered[1:]))


def group_answers(
    answers: Iterable[Tuple[str, Task]], report: MergeReport
) -> Dict[int, List[_Answer]]:
    """Group (dataset, task) pairs by input hash, dropping ignored and unanswered ones."""
    groups: Dict[int, List[_Answer]] = {}
    for dataset, task in answers:
        report.tasks += 1
        answer = task.get("answer")
        if answer == "ignore":
            report.skip("ignored")
            continue
        if answer not in ("accept", "reject"):
            report.skip("no answer (accept/reject)")
            continue
        if not isinstance(task.get("text"), str):
            report.skip("no text")
            continue
        input_hash = task.get("_input_hash")
        if not isinstance(input_hash, int):
            report.skip("no _input_hash")
            continue
        groups.setdefault(input_hash, []).append(_Answer(dataset, task))
    return groups


def _new_annotation(input_hash: int, group: List[_Answer]) -> Annotation:
    tokens = next((a.task["tokens"] for a in group if isinstance(a.task.get("tokens"), list)), None)
    datasets = sorted({a.dataset for a in group})
    return Annotation(input_hash, group[0].task["text"], tokens=tokens, datasets=datasets)


def _conflict(report: MergeReport, ann: Annotation, reason: str, answers: int) -> None:
    report.conflicts.append(
        Conflict(report.component, ann.input_hash, ann.text, reason, ann.datasets)
    )
    report.skip("conflicting answers", answers)


def merge_ner(
    group: List[_Answer], report: MergeReport, *, binary: bool = False, spans_only: bool = False
) -> Optional[Annotation]:
    """Merge one text's NER (or spancat, with ``spans_only``) answers; None if nothing trains."""
    ann = _new_annotation(group[0].task["_input_hash"], group)
    manual: Dict[FrozenSet[SpanKey], int] = {}
    accepted: Set[SpanKey] = set()
    rejected: Set[SpanKey] = set()
    used = 0
    for item in group:
        task = item.task
        keys = [_span_key(s) for s in task.get("spans") or []]
        bad = sum(1 for k in keys if k is None)
        if bad:
            report.skip("invalid span (start/end/label)", bad)
        spans = [k for k in keys if k is not None]
        span_answers = [s.get("answer") for s in task.get("spans") or [] if isinstance(s, dict)]
        if is_binary_ner(task, binary) and spans and all(a in ANSWERS for a in span_answers):
            # merged teach answers (older Prodigy): every span carries its own decision
            for key, span_answer in zip(keys, span_answers):
                if key is not None and span_answer == "accept":
                    accepted.add(key)
                elif key is not None and span_answer == "reject":
                    rejected.add(key)
            used += 1
        elif is_binary_ner(task, binary):
            if task["answer"] == "accept":
                accepted.update(spans)
                used += 1
            elif len(spans) == 1:
                rejected.update(spans)
                used += 1
            elif not spans:
                report.skip("rejected binary task without spans")
            else:
                report.skip("rejected binary task with several spans (which one is wrong?)")
        elif task["answer"] == "accept":
            manual[frozenset(spans)] = manual.get(frozenset(spans), 0) + 1
            used += 1
        else:
            report.skip("rejected manual answer")
    if len(manual) > 1:
        _conflict(report, ann, f"{len(manual)} different accepted manual annotations", used)
        return None
    if manual:
        gold = next(iter(manual))
        if accepted - gold or rejected & gold:
            _conflict(report, ann, "binary answers disagree with the manual annotation", used)
            return None
        if _overlapping(gold) and not spans_only:
            _conflict(report, ann, "overlapping entities in a manual annotation", used)
            return None
        ann.spans = sorted(gold)
        ann.complete = True
        report.kinds["manual"] += 1
    elif accepted or rejected:
        if accepted & rejected:
            _conflict(report, ann, "the same span was accepted and rejected", used)
            return None
        if _overlapping(accepted) and not spans_only:
            _conflict(report, ann, "overlapping accepted entities", used)
            return None
        ann.spans = sorted(accepted)
        ann.incorrect_spans = sorted(rejected)
        ann.complete = False
        report.kinds["binary"] += 1
    else:
        return None
    if spans_only and not ann.spans:
        report.skip("no accepted spans", used)
        return None
    report.used_answers += used
    return ann


def merge_textcat(group: List[_Answer], report: MergeReport, *, exclusive: bool) -> Optional[Annotation]:
    """Merge one text's classification answers; None if nothing trains."""
    ann = _new_annotation(group[0].task["_input_hash"], group)
    choices: Dict[FrozenSet[Tuple[str, float]], int] = {}
    binary: Dict[str, Set[float]] = {}
    used = 0
    for item in group:
        task = item.task
        options = task.get("options")
        if isinstance(options, list) and options:
            if task["answer"] != "accept":
                report.skip("rejected choice answer")
                continue
            accepted = {str(a) for a in task.get("accept") or []}
            cats = {str(o.get("id")): 1.0 if str(o.get("id")) in accepted else 0.0 for o in options if isinstance(o, dict)}
            if exclusive and sum(cats.values()) > 1:
                report.skip("several labels accepted (use --textcat-multilabel)")
                continue
            if exclusive and sum(cats.values()) == 0:
                report.skip("no label accepted (exclusive textcat needs one)")
                continue
            key = frozenset(cats.items())
            choices[key] = choices.get(key, 0) + 1
            used += 1
        elif isinstance(task.get("label"), str) and task["label"]:
            binary.setdefault(task["label"], set()).add(1.0 if task["answer"] == "accept" else 0.0)
            if task.get("priority") is not None and not task.get(EXPLORED_KEY):  # drawn at random: a fair sample
                ann.chosen_labels.add(task["label"])
            used += 1
        else:
            report.skip("no label or options")
    if len(choices) > 1:
        _conflict(report, ann, f"{len(choices)} different accepted choices", used)
        return None
    flipped = sorted(label for label, values in binary.items() if len(values) > 1)
    if flipped:
        _conflict(report, ann, f"label {', '.join(flipped)} both accepted and rejected", used)
        return None
    cats = {label: next(iter(values)) for label, values in binary.items()}
    ann.chosen_labels &= set(cats)
    if exclusive and sum(cats.values()) > 1:
        _conflict(report, ann, "several labels accepted for an exclusive textcat", used)
        return None
    if choices:
        full = dict(next(iter(choices)))
        if any(full.get(label, value) != value for label, value in cats.items()):
            _conflict(report, ann, "binary answers disagree with the choice answer", used)
            return None
        cats = {**cats, **full}
        ann.chosen_labels.clear()  # a full choice answer says every label, whoever chose the text
        report.kinds["choice"] += 1
    elif cats:
        report.kinds["binary"] += 1
    else:
        return None
    ann.cats = cats
    report.used_answers += used
    return ann


def merge_syntax(group: List[_Answer], report: MergeReport, component: str) -> Optional[Annotation]:
    """Merge one text's token-level answers (tags, arcs or sentence starts); None if nothing trains."""
    read = READERS[component]
    versions: Dict[str, Tuple[Any, List[Dict[str, Any]]]] = {}
    used = 0
    for item in group:
        task = item.task
        if task["answer"] != "accept":
            report.skip("rejected manual answer")
            continue
        try:
            values = read(task)
        except Unusable as problem:
            report.skip(str(problem))
            continue
        versions.setdefault(repr(values), (values, task["tokens"]))
        used += 1
    if not versions:
        return None
    ann = _new_annotation(group[0].task["_input_hash"], group)
    if len(versions) > 1:
        _conflict(report, ann, f"{len(versions)} different accepted annotations", used)
        return None
    values, ann.tokens = next(iter(versions.values()))
    if component == "tagger":
        ann.tags = values
    elif component == "parser":
        ann.heads, ann.deps = values
    else:
        ann.sent_starts = values
    report.kinds["manual"] += 1
    report.used_answers += used
    return ann


def merge_component(
    component: str,
    answers: Iterable[Tuple[str, Task]],
    *,
    binary: bool = False,
) -> Tuple[Dict[int, Annotation], MergeReport]:
    """Merge (dataset, task) answers for one component; return annotations by input hash."""
    report = MergeReport(component)
    merged: Dict[int, Annotation] = {}
    for input_hash, group in group_answers(answers, report).items():
        if component == "ner":
            ann = merge_ner(group, report, binary=binary)
        elif component == "spancat":
            ann = merge_ner(group, report, spans_only=True)
        elif component in TEXTCAT_COMPONENTS:
            ann = merge_textcat(group, report, exclusive=component == "textcat")
        elif component in SYNTAX_COMPONENTS:
            ann = merge_syntax(group, report, component)
        else:
            raise ValueError(f"Unknown component {component}")
        if ann is not None:
            merged[input_hash] = ann
    if component == "textcat":
        report.kinds["completed (two classes)"] += complete_two_classes(merged)
    return merged, report


def complete_two_classes(merged: Mapping[int, Annotation]) -> int:
    """Exclusive categories with exactly two labels: a "no" to one is a "yes" to the other.

    textcat.teach asks about one label (SPAM); with HAM as the only other
    class, a rejected SPAM is a HAM, and an exclusive textcat needs both values
    to learn from the text. Returns the number of texts completed; with more
    or fewer than two labels nothing changes (a "no" to one of three classes
    doesn't say which of the others it is).
    """
    labels = sorted({label for ann in merged.values() for label in ann.cats})
    if len(labels) != 2:
        return 0
    completed = 0
    for ann in merged.values():
        if len(ann.cats) == 1:
            label, value = next(iter(ann.cats.items()))
            other = labels[1] if label == labels[0] else labels[0]
            ann.cats[other] = 1.0 - value
            if label in ann.chosen_labels:
                ann.chosen_labels.add(other)
            completed += 1
    return completed
