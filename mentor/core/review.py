"""Turn several annotators' answers into review tasks: groups, versions, the default, auto-accept.

Pure: no database, no HTTP, no spaCy; ``mentor review`` (recipes/review.py)
reads the answers and stores the decisions. As in Prodigy's ``review``:

- answers from a **binary** view (``ner``, ``classification``, ...) are
  grouped by ``_task_hash``: everyone was asked the same question, and
  different answers to it are a conflict;
- answers from a **manual** view (``ner_manual``, ``spans_manual``,
  ``choice``, ...) are grouped by ``_input_hash``: everyone annotated the same
  input, and each distinct annotation is a *version*.

Two answers are the same version when their annotation is: the spans
(``start``, ``end``, ``label``, or the shape of an image span), the picked
options (``accept``, in any order) and the ``answer``. Each version lists the
sessions that gave it (an answer's ``_session_id``, else the dataset it was
read from); the one most sessions gave is the default, ties going to the one
seen first. Groups and hashes are keyed like the server keys tasks
(:mod:`mentor.core.keys`): the 32-bit hash and a 64-bit digest of the input,
so two texts whose hashes collide are never merged.
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..tasks import INPUT_HASH_KEYS, Task, canonical_json, input_digest, set_hashes
from .keys import DIGEST_FIELD, format_digest, parse_digest

# Views whose answers are a whole annotation of the input, not a yes/no on a question.
MANUAL_VIEWS = frozenset(
    ("ner_manual", "spans_manual", "choice", "image_manual", "text_input", "blocks",
     "pos_manual", "relations", "audio_manual")
)
# What the server and the session add to an answer: not part of the task shown to the reviewer.
ANSWER_BOOKKEEPING = ("answer", "_session_id", "_annotator_id", "_timestamp", "_time_on_screen", DIGEST_FIELD, "versions")
# The fields of an answer a version keeps (beside answer, sessions, default).
VERSION_FIELDS = ("spans", "accept")
# The shape of an image span (it has no character offsets).
_SHAPE_KEYS = ("type", "points", "x", "y", "width", "height")
AUTO_SESSION = "auto"

VersionKey = Tuple[str, str, str]


def is_manual(view_id: str) -> bool:
    """Whether answers from this view are grouped by input (manual) rather than by task (binary)."""
    return view_id in MANUAL_VIEWS


def _span_key(span: Any) -> str:
    if not isinstance(span, dict):
        return canonical_json(span)
    start, end = span.get("start"), span.get("end")
    if isinstance(start, int) and isinstance(end, int):
        return canonical_json([start, end, span.get("label")])
    return canonical_json([span.get("label"), {k: span[k] for k in _SHAPE_KEYS if k in span}])


def version_key(answer: Task) -> VersionKey:
    """What makes two answers the same version: spans, picked options and the answer, in a canonical form."""
    spans = answer.get("spans") or []
    accept = answer.get("accept") or []
    span_keys = sorted(_span_key(span) for span in spans) if isinstance(spans, list) else [canonical_json(spans)]
    accept_keys = sorted(canonical_json(a) for a in accept) if isinstance(accept, list) else [canonical_json(accept)]
    return canonical_json(span_keys), canonical_json(accept_keys), str(answer.get("answer"))


def group_key(answer: Task, by: str) -> int:
    """The answer's key by ``_task_hash`` (``by="task"``) or ``_input_hash``: the hash, then the input's digest.

    The digest is the one the server stored with the answer, else computed
    from the input; an answer with neither keeps only its hash (the low bits 0).
    """
    digest = parse_digest(answer.get(DIGEST_FIELD))
    if digest is None and any(key in answer for key in INPUT_HASH_KEYS):
        digest = input_digest(answer)
    value = int(answer["_input_hash" if by == "input" else "_task_hash"])
    return (value << 64) | (digest or 0)


@dataclass
class Version:
    """One distinct annotation of a group, and who gave it."""

    key: VersionKey
    answer: Task
    sessions: List[str] = field(default_factory=list)

    def record(self, *, default: bool) -> Dict[str, Any]:
        """The version as it is kept in the review task's ``versions``."""
        record: Dict[str, Any] = {k: copy.deepcopy(self.answer[k]) for k in VERSION_FIELDS if k in self.answer}
        record["answer"] = self.answer.get("answer")
        record["_task_hash"] = self.answer.get("_task_hash")
        record["sessions"] = list(self.sessions)
        record["default"] = default
        return record


@dataclass
class ReviewGroup:
    """The answers to one task (binary) or one input (manual), as versions, most sessions first."""

    key: int
    versions: List[Version] = field(default_factory=list)

    @property
    def sessions(self) -> List[str]:
        return sorted({session for version in self.versions for session in version.sessions})

    @property
    def unanimous(self) -> bool:
        """Whether two or more sessions all gave the same version (one session alone agrees with nobody)."""
        return len(self.versions) == 1 and len(self.versions[0].sessions) >= 2

    @property
    def conflict(self) -> bool:
        return len(self.versions) > 1

    def task(self, view_id: str) -> Task:
        """The task to review: the default version's answer, as a question again, with every version kept."""
        default = self.versions[0].answer
        task = {k: copy.deepcopy(v) for k, v in default.items() if k not in ANSWER_BOOKKEEPING}
        task["_view_id"] = view_id
        task["versions"] = [v.record(default=i == 0) for i, v in enumerate(self.versions)]
        return task

    def auto_answer(self, view_id: str, dataset: str) -> Task:
        """The gold answer for a unanimous group, stored without asking (``meta.auto``, session ``DATASET-auto``)."""
        answer = self.task(view_id)
        answer["answer"] = self.versions[0].answer.get("answer")
        answer["meta"] = {**(answer.get("meta") or {}), "auto": True}
        answer["_session_id"] = answer["_annotator_id"] = f"{dataset}-{AUTO_SESSION}"
        answer["_timestamp"] = int(time.time())
        if any(key in answer for key in INPUT_HASH_KEYS):
            answer[DIGEST_FIELD] = format_digest(input_digest(answer))  # last, as the server writes it
        return answer


@dataclass
class ReviewCounts:
    """What grouping read and left out."""

    answers: int = 0
    ignored: int = 0
    unanswered: int = 0

    @property
    def used(self) -> int:
        return self.answers - self.ignored - self.unanswered


def group_answers(
    answers: Iterable[Tuple[str, Task]],
    *,
    manual: bool,
    show_skipped: bool = False,
    counts: Optional[ReviewCounts] = None,
) -> List[ReviewGroup]:
    """Group ``(dataset, answer)`` pairs into review groups, in the order their first answers came.

    Ignored answers are left out unless ``show_skipped``; so are records with
    no answer. A session that gave the same version twice (two tabs, or the
    same answer read from the dataset and from its session dataset) counts once.
    """
    counts = counts if counts is not None else ReviewCounts()
    by = "input" if manual else "task"
    groups: Dict[int, ReviewGroup] = {}
    for dataset, answer in answers:
        counts.answers += 1
        if answer.get("answer") not in ("accept", "reject", "ignore"):
            counts.unanswered += 1
            continue
        if answer["answer"] == "ignore" and not show_skipped:
            counts.ignored += 1
            continue
        if "_input_hash" not in answer or "_task_hash" not in answer:
            answer = set_hashes(dict(answer))
        key = group_key(answer, by)
        group = groups.setdefault(key, ReviewGroup(key))
        vkey = version_key(answer)
        version = next((v for v in group.versions if v.key == vkey), None)
        if version is None:
            version = Version(vkey, answer)
            group.versions.append(version)
        session = str(answer.get("_session_id") or dataset)
        if session not in version.sessions:
            version.sessions.append(session)
    for group in groups.values():
        # stable: among versions given by as many sessions, the first seen stays first
        group.versions.sort(key=lambda v: -len(v.sessions))
    return list(groups.values())


def infer_view_id(view_ids: Iterable[Optional[str]], default: Optional[str] = None) -> Tuple[Optional[str], List[str]]:
    """``(view_id, seen)``: ``default`` when given, else the one view the answers were given in.

    ``seen`` lists the distinct ``_view_id`` values, in order; the view is
    None when there is no default and not exactly one was seen.
    """
    seen: List[str] = []
    for view_id in view_ids:
        if isinstance(view_id, str) and view_id not in seen:
            seen.append(view_id)
    if default:
        return default, seen
    return (seen[0] if len(seen) == 1 else None), seen


def collect_labels(groups: Sequence[ReviewGroup]) -> List[str]:
    """The labels the versions use (span labels, a binary task's label), in the order first seen."""
    labels: List[str] = []
    for group in groups:
        for version in group.versions:
            found = [version.answer.get("label")]
            spans = version.answer.get("spans")
            if isinstance(spans, list):
                found += [span.get("label") for span in spans if isinstance(span, dict)]
            for label in found:
                if isinstance(label, str) and label and label not in labels:
                    labels.append(label)
    return labels


def is_multiple_choice(groups: Sequence[ReviewGroup]) -> bool:
    """Whether any version picked more than one option (so the choice view lets the reviewer pick several)."""
    return any(
        isinstance(v.answer.get("accept"), list) and len(v.answer["accept"]) > 1
        for group in groups
        for v in group.versions
    )
