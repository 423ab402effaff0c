"""Suggestions into tasks: the stream transform the ``*.llm.*`` recipes share.

Texts go to the suggester a batch at a time (so an HTTP backend has a batch
to send concurrently) and come back as the tasks the manual views edit:
``ner_manual``/``spans_manual`` tasks with tokens and token-aligned spans,
``choice`` tasks with the labels as options and the suggested ones accepted.
Each task carries ``llm_io`` (prompt and reply) for the app's ``llm_io`` block.
A text whose reply couldn't be read is skipped with a warning (M204); a task
that already has ``llm_io`` (a ``*.llm.fetch`` output used as the source) is
served as it is, without asking again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Collection, Iterable, Iterator, List, Optional, Tuple

from ..db.common import chunks
from ..errors import LlmBadResponse
from ..tasks import Task, rehash_task, set_hashes
from .suggestions import Suggester, Suggestion, snap_spans

__all__ = ["SuggestReport", "suggest_tasks", "apply_suggestion"]

logger = logging.getLogger(__name__)


@dataclass
class SuggestReport:
    """Counts of one pass: texts suggested, bad replies skipped, tasks from an earlier fetch, texts already answered."""

    suggested: int = 0
    failed: int = 0
    prefetched: int = 0
    known: int = 0


def _text(task: Task) -> Optional[str]:
    text = task.get("text")
    return text if isinstance(text, str) and text.strip() else None


def apply_suggestion(task: Task, suggestion: Suggestion, *, kind: str, nlp: Any, threshold: float,
                     exclusive: bool, labels: List[str]) -> Task:
    """Fill a task with one suggestion, in the shape its manual view edits; hashes renewed."""
    if kind == "textcat":
        task["options"] = [{"id": label, "text": label} for label in labels]
        ranked = sorted(suggestion.cats.items(), key=lambda item: -item[1])
        if exclusive:
            task["accept"] = [ranked[0][0]] if ranked and ranked[0][1] > 0 else []
        else:
            task["accept"] = [label for label, score in ranked if score >= threshold]
        task["meta"] = {**(task.get("meta") or {}), "scores": ", ".join(f"{l} {s:.2f}" for l, s in ranked)}
    else:
        from ..preprocess import doc_to_tokens

        doc = nlp.make_doc(task["text"])
        task["tokens"] = doc_to_tokens(doc)
        task["spans"] = snap_spans(doc, suggestion.spans, overlapping=kind == "spans")
    task["llm_io"] = suggestion.llm_io or {}
    return rehash_task(task)


def _as_is(task: Task, known: Collection[int]) -> bool:
    """Served without asking: fetched earlier (it has ``llm_io``), or its text is answered already."""
    return isinstance(task.get("llm_io"), dict) or (bool(known) and set_hashes(task)["_input_hash"] in known)


def _where(task: Task, text: str) -> str:
    short = text if len(text) <= 40 else text[:37] + "..."
    return f"text {short!r} (input hash {task.get('_input_hash')})"


def suggest_tasks(
    stream: Iterable[Task],
    suggester: Suggester,
    *,
    kind: str,
    nlp: Any,
    labels: List[str],
    batch_size: int,
    threshold: float = 0.5,
    exclusive: bool = False,
    report: Optional[SuggestReport] = None,
    known: Collection[int] = (),
) -> Iterator[Task]:
    """Lazily ask the suggester about each batch of texts and yield the filled tasks.

    ``known``: input hashes already answered in the dataset. Those tasks pass
    through unasked (the controller, which tells tasks apart by more than the
    32-bit hash, then leaves them out), so a restart with another model or
    prompt doesn't pay for texts people have already done.
    """
    report = report if report is not None else SuggestReport()
    for batch in chunks(stream, batch_size):
        todo: List[Tuple[Task, str]] = []
        for task in batch:
            text = _text(task)
            if text is None:
                logger.warning("Skipped a task without text (input hash %s)", task.get("_input_hash"))
                continue
            todo.append((task, text))
        fresh = [(task, text) for task, text in todo if not _as_is(task, known)]
        suggestions = iter(suggester.suggest([text for _, text in fresh]) if fresh else [])
        for task, text in todo:
            if _as_is(task, known):
                if isinstance(task.get("llm_io"), dict):
                    report.prefetched += 1
                else:
                    report.known += 1
                yield task
                continue
            suggestion = next(suggestions)
            if suggestion.error is not None:
                report.failed += 1
                logger.warning("Skipped %s", LlmBadResponse(suggestion.error, _where(task, text)))
                continue
            report.suggested += 1
            yield apply_suggestion(task, suggestion, kind=kind, nlp=nlp, threshold=threshold,
                                   exclusive=exclusive, labels=labels)
