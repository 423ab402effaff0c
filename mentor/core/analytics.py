"""Annotator statistics: who answered what, how fast, how they agree, and the model's score over time.

Pure: no database, no HTTP, no spaCy. ``mentor stats DATASET --sessions``
and the server's ``/stats`` page hand it a dataset's answers (streamed once)
and, for ``--gold``, the answers ``mentor review`` stored. Per annotator (an
answer's ``_session_id``; answers without one are counted as unattributed):

- **answers** and the **accept / reject / ignore** mix;
- **seconds per task**: median and 90th percentile of ``_time_on_screen``
  (the seconds the web app had the task on screen, undo included), over the
  answers that carry one; percentiles interpolate linearly between ranks,
  as ``numpy.percentile`` does by default;
- **agreement with the others**: of the annotator's items (same
  ``_task_hash`` for binary views, same ``_input_hash`` for manual ones, as
  ``review`` groups them) that the other annotators answered with one most
  common version, the share where the annotator gave that version. Ignored
  answers are left out; a repeated answer counts once, the later; items where
  the others tie are left out;
- **agreement with the gold**: for each gold answer (a ``review`` decision,
  ``accept`` or ``reject``, with its ``versions``), every session listed in a
  version counts one comparison, a match when that version is the decision.
  Auto-accepted (unanimous) gold answers count too;
- **model score over time**: ``meta.score`` of the annotator's answers, in the
  order they were stored, cut into up to ``buckets`` runs of equal length,
  each with its mean: the model's confidence on what ``*.teach`` served.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..tasks import Task, set_hashes
from .answers import TIME_ON_SCREEN
from .review import group_key, is_manual, version_key

ANSWER_KINDS = ("accept", "reject", "ignore")
DEFAULT_BUCKETS = 10


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def score_buckets(scores: Sequence[float], buckets: int = DEFAULT_BUCKETS) -> List["ScoreBucket"]:
    """Cut scores (in answer order) into up to ``buckets`` consecutive runs of (nearly) equal length."""
    n = len(scores)
    parts = min(max(1, buckets), n)
    result: List[ScoreBucket] = []
    for i in range(parts):
        start, end = i * n // parts, (i + 1) * n // parts
        run = scores[start:end]
        result.append(ScoreBucket(first=start + 1, last=end, mean=sum(run) / len(run)))
    return result


@dataclass(frozen=True)
class ScoreBucket:
    """Answers ``first``..``last`` (1-based, in stored order) and their mean ``meta.score``."""

    first: int
    last: int
    mean: float


@dataclass
class AnnotatorStats:
    session_id: str
    name: str  # the session name without the dataset prefix
    answers: int = 0
    accept: int = 0
    reject: int = 0
    ignore: int = 0
    timed: int = 0  # answers with a _time_on_screen
    seconds_median: Optional[float] = None
    seconds_p90: Optional[float] = None
    agreement: Optional[float] = None  # with the others' most common version
    agreement_items: int = 0
    gold_agreement: Optional[float] = None
    gold_items: int = 0
    scores: List[ScoreBucket] = field(default_factory=list)


@dataclass
class SessionsReport:
    dataset: str
    view_id: Optional[str]
    by: str  # "task" (binary views) or "input" (manual views)
    answers: int
    unattributed: int
    annotators: List[AnnotatorStats]
    gold: Optional[str] = None
    gold_answers: int = 0
    scores: List[ScoreBucket] = field(default_factory=list)  # every annotator together

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _seconds(answer: Task) -> Optional[float]:
    value = answer.get(TIME_ON_SCREEN)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def _score(answer: Task) -> Optional[float]:
    meta = answer.get("meta")
    value = meta.get("score") if isinstance(meta, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _view_of(view_ids: Counter, view_id: Optional[str]) -> Optional[str]:
    if view_id:
        return view_id
    return view_ids.most_common(1)[0][0] if view_ids else None


def _bare(dataset: str, session_id: str) -> str:
    prefix = f"{dataset}-"
    return session_id[len(prefix):] if session_id.startswith(prefix) and len(session_id) > len(prefix) else session_id


def session_stats(
    answers: Iterable[Task],
    *,
    dataset: str,
    view_id: Optional[str] = None,
    gold: Optional[Iterable[Task]] = None,
    gold_name: Optional[str] = None,
    buckets: int = DEFAULT_BUCKETS,
) -> SessionsReport:
    """Per-annotator statistics of a dataset's answers (and agreement with ``gold``, a review dataset's answers).

    ``view_id`` decides how items are grouped (manual views by input, others
    by task); without it, the most common ``_view_id`` of the answers does.
    """
    per: Dict[str, AnnotatorStats] = {}
    seconds: Dict[str, List[float]] = {}
    scores: Dict[str, List[float]] = {}
    all_scores: List[float] = []
    view_ids: Counter = Counter()
    # session -> answer, in order: grouped after the view is known
    kept: List[Tuple[str, Task]] = []
    total = unattributed = 0
    for answer in answers:
        if not isinstance(answer, dict):
            continue
        total += 1
        session = answer.get("_session_id")
        if not isinstance(session, str) or not session:
            unattributed += 1
            continue
        if isinstance(answer.get("_view_id"), str):
            view_ids[answer["_view_id"]] += 1
        stats = per.get(session)
        if stats is None:
            stats = per[session] = AnnotatorStats(session, _bare(dataset, session))
            seconds[session], scores[session] = [], []
        stats.answers += 1
        kind = answer.get("answer")
        if kind in ANSWER_KINDS:
            setattr(stats, kind, getattr(stats, kind) + 1)
        spent = _seconds(answer)
        if spent is not None:
            seconds[session].append(spent)
        score = _score(answer)
        if score is not None:
            scores[session].append(score)
            all_scores.append(score)
        if kind in ("accept", "reject"):
            kept.append((session, answer))
    view = _view_of(view_ids, view_id)
    by = "input" if view and is_manual(view) else "task"
    for session, stats in per.items():
        stats.timed = len(seconds[session])
        stats.seconds_median = percentile(seconds[session], 50)
        stats.seconds_p90 = percentile(seconds[session], 90)
        stats.scores = score_buckets(scores[session], buckets) if scores[session] else []
    _agreement_with_others(kept, per, by)
    report = SessionsReport(
        dataset=dataset,
        view_id=view,
        by=by,
        answers=total,
        unattributed=unattributed,
        annotators=sorted(per.values(), key=lambda s: (-s.answers, s.session_id)),
        gold=gold_name,
        scores=score_buckets(all_scores, buckets) if all_scores else [],
    )
    if gold is not None:
        report.gold_answers = _agreement_with_gold(gold, per)
    return report


def _agreement_with_others(kept: List[Tuple[str, Task]], per: Dict[str, AnnotatorStats], by: str) -> None:
    items: Dict[int, Dict[str, Tuple[str, str, str]]] = {}
    for session, answer in kept:
        if "_input_hash" not in answer or "_task_hash" not in answer:
            answer = set_hashes(dict(answer))
        items.setdefault(group_key(answer, by), {})[session] = version_key(answer)  # the later answer wins
    matched: Counter = Counter()
    compared: Counter = Counter()
    for versions in items.values():
        if len(versions) < 2:
            continue
        for session, mine in versions.items():
            others = Counter(v for s, v in versions.items() if s != session).most_common(2)
            if len(others) > 1 and others[0][1] == others[1][1]:
                continue  # the others tie: no majority to agree with
            compared[session] += 1
            matched[session] += mine == others[0][0]
    for session, stats in per.items():
        stats.agreement_items = compared[session]
        stats.agreement = matched[session] / compared[session] if compared[session] else None


def _agreement_with_gold(gold: Iterable[Task], per: Dict[str, AnnotatorStats]) -> int:
    """Fill in each annotator's agreement with the gold decisions; return the gold answers compared."""
    matched: Counter = Counter()
    compared: Counter = Counter()
    used = 0
    for decision in gold:
        if not isinstance(decision, dict) or decision.get("answer") not in ("accept", "reject"):
            continue
        versions = decision.get("versions")
        if not isinstance(versions, list):
            continue
        used += 1
        wanted = version_key(decision)
        for version in versions:
            if not isinstance(version, dict) or not isinstance(version.get("sessions"), list):
                continue
            same = version_key(version) == wanted
            for session in version["sessions"]:
                if isinstance(session, str):
                    compared[session] += 1
                    matched[session] += same
    for session, stats in per.items():
        stats.gold_items = compared[session]
        stats.gold_agreement = matched[session] / compared[session] if compared[session] else None
    return used


# The per-annotator table, as ``mentor stats --sessions`` prints it and ``/stats`` shows it.
TABLE_HEADER = ("Annotator", "Answers", "Accept", "Reject", "Ignore", "s/task median", "s/task p90",
                "Agree (others)", "Agree (gold)")


def _share(value: Optional[float], items: int) -> str:
    return "-" if value is None else f"{value:.0%} of {items}"


def _secs(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}"


def table_rows(report: SessionsReport) -> List[Tuple[str, ...]]:
    """One row of text per annotator, in TABLE_HEADER's order."""
    return [
        (a.name, str(a.answers), str(a.accept), str(a.reject), str(a.ignore), _secs(a.seconds_median),
         _secs(a.seconds_p90), _share(a.agreement, a.agreement_items), _share(a.gold_agreement, a.gold_items))
        for a in report.annotators
    ]
