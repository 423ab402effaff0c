"""Summaries of a dataset's answers: counts, sessions, answers over time.

They stream the dataset once, so they work on millions of answers with flat
memory; the CLI's ``stats`` and ``progress`` commands print them.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Tuple

from .database import Database


@dataclass
class DatasetSummary:
    name: str
    created: float
    meta: Dict
    total: int = 0
    answers: Counter = field(default_factory=Counter)
    sessions: Counter = field(default_factory=Counter)
    view_ids: Counter = field(default_factory=Counter)
    inputs: int = 0
    inputs_with_versions: int = 0  # inputs annotated in more than one way (distinct task hashes)


def summarize_dataset(db: Database, name: str) -> DatasetSummary:
    """Count answers, sessions, views and versions of a dataset. Raises DatasetNotFound."""
    meta = db.get_meta(name)
    summary = DatasetSummary(name=name, created=float(meta.get("created", 0.0)), meta=meta)
    versions: Dict[int, set] = {}
    for task in db.get_dataset_examples(name):
        summary.total += 1
        summary.answers[_name(task.get("answer", "none"))] += 1
        if task.get("_session_id"):
            summary.sessions[_name(task["_session_id"])] += 1
        if task.get("_view_id"):
            summary.view_ids[_name(task["_view_id"])] += 1
        versions.setdefault(_name(task.get("_input_hash", 0)), set()).add(_name(task.get("_task_hash", 0)))
    summary.inputs = len(versions)
    summary.inputs_with_versions = sum(1 for hashes in versions.values() if len(hashes) > 1)
    return summary


def _name(value: Any) -> Any:
    """A stored field as a counting key: a list or object stored before answers were checked is its text."""
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


Interval = Literal["day", "week", "month"]


def _is_datable(timestamp: float) -> bool:
    """Whether a stored ``_timestamp`` is a date at all: answers stored before they were checked
    (or imported from elsewhere) may hold 1e300 or NaN, which must not stop ``progress``."""
    try:
        dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return False
    return True


def _bucket(timestamp: float, interval: Interval) -> str:
    day = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).date()
    if interval == "day":
        return day.isoformat()
    if interval == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def answers_over_time(
    db: Database, name: str, interval: Interval = "day"
) -> List[Tuple[str, Counter]]:
    """Answers per day/week/month, from ``_timestamp`` (else the dataset's creation time)."""
    created = float(db.get_meta(name).get("created", 0.0))
    buckets: Dict[str, Counter] = {}
    for task in db.get_dataset_examples(name):
        stamp = task.get("_timestamp")
        when = float(stamp) if isinstance(stamp, (int, float)) and _is_datable(float(stamp)) else created
        buckets.setdefault(_bucket(when, interval), Counter())[_name(task.get("answer", "none"))] += 1
    return sorted(buckets.items())
