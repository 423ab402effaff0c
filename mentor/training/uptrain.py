"""Uptraining: a trained pipeline pre-annotates, people check only what it is unsure of.

A trained (often large, slow) pipeline scores a source. Confident predictions
(score >= ``accept_above``) are stored straight away as accepted answers with
``meta.auto: true``; hopeless ones (score < ``skip_below``) are dropped; the
rest go to a person. A small, fast pipeline is then trained on all of it with
``mentor train``. The scorers here turn texts into ``(score, task)`` pairs; the
:class:`Router` sorts them into the three groups.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..core.keys import DIGEST_FIELD, KeySet, format_digest
from ..errors import InputError
from ..tasks import Task, get_task_hash, input_digest, set_hashes, task_key

if TYPE_CHECKING:  # the uptrain recipes start without loading spaCy; the pipeline brings it
    from spacy.language import Language
    from spacy.tokens import Doc

ScoredTask = Tuple[float, Task]
AUTO_SESSION = "auto"


def check_thresholds(accept_above: float, skip_below: float) -> None:
    if not (0.0 <= skip_below <= accept_above <= 1.0):
        raise InputError(
            f"Need 0 <= --skip-below <= --accept-above <= 1, got skip-below {skip_below} "
            f"and accept-above {accept_above}"
        )


def _rehash(task: Task) -> Task:
    if "_input_hash" not in task:
        return set_hashes(task)
    task["_task_hash"] = get_task_hash(task, task["_input_hash"])
    return task


def _batches(stream: Iterable[Task], size: int) -> Iterator[List[Task]]:
    tasks = iter(stream)
    while True:
        batch = list(islice(tasks, size))
        if not batch:
            return
        yield batch


def _tokens(doc: Doc) -> List[Dict[str, Any]]:
    return [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in doc
    ]


def textcat_component(nlp: Language) -> str:
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory in ("textcat", "textcat_multilabel"):
            return name
    raise InputError(f"The pipeline has no text classifier (it has: {', '.join(nlp.pipe_names) or 'nothing'})")


def ner_component(nlp: Language) -> str:
    for name in nlp.pipe_names:
        if nlp.get_pipe_meta(name).factory in ("ner", "beam_ner"):
            return name
    raise InputError(f"The pipeline has no entity recognizer (it has: {', '.join(nlp.pipe_names) or 'nothing'})")


def score_categories(
    nlp: Language, stream: Iterable[Task], labels: Sequence[str], *, batch_size: int = 64
) -> Iterator[ScoredTask]:
    """One yes/no question per text and label, scored by the pipeline's text classifier; lazy."""
    for batch in _batches(stream, batch_size):
        for task, doc in zip(batch, nlp.pipe([t["text"] for t in batch])):
            for label in labels:
                score = float(doc.cats.get(label, 0.0))
                question = dict(task)
                question["label"] = label
                question["score"] = score
                question["meta"] = {**(task.get("meta") or {}), "score": round(score, 3)}
                yield score, _rehash(question)


def score_entities(
    nlp: Language,
    stream: Iterable[Task],
    *,
    labels: Optional[Sequence[str]] = None,
    beam_width: int = 16,
    beam_density: float = 0.0001,
    batch_size: int = 32,
) -> Iterator[ScoredTask]:
    """One task per text with the predicted entities as spans, scored by the model's confidence; lazy.

    The confidence is the least certain decision in the text: beam search gives
    each candidate entity a probability p; a predicted entity counts p, one
    left out counts 1 - p, and the text scores the minimum. A text is only as
    safe to auto-accept as its shakiest entity.
    """
    name = ner_component(nlp)
    pipe: Any = nlp.get_pipe(name)  # a transition parser: beam_parse, scored_ents
    wanted = set(labels) if labels else None
    for batch in _batches(stream, batch_size):
        docs = list(nlp.pipe([t["text"] for t in batch]))
        beams = pipe.beam_parse(docs, beam_width=beam_width, beam_density=beam_density)
        for task, doc, candidates in zip(batch, docs, pipe.scored_ents(beams)):
            predicted = {(e.start, e.end, e.label_) for e in doc.ents if wanted is None or e.label_ in wanted}
            confidence = 1.0
            for key, p in candidates.items():
                if wanted is not None and key[2] not in wanted:
                    continue
                confidence = min(confidence, p if key in predicted else 1.0 - p)
            spans = [
                {"start": doc[s].idx, "end": doc[e - 1].idx + len(doc[e - 1].text), "label": label,
                 "token_start": s, "token_end": e - 1}
                for s, e, label in sorted(predicted)
            ]
            question = dict(task)
            question["tokens"] = _tokens(doc)
            question["spans"] = spans
            question["score"] = confidence
            question["meta"] = {**(task.get("meta") or {}), "score": round(confidence, 3)}
            yield confidence, _rehash(question)


@dataclass
class RouteCounts:
    auto_accepted: int = 0
    skipped: int = 0
    to_person: int = 0
    already_stored: int = 0


class Router:
    """Store confident tasks as accepted, drop hopeless ones, pass the rest on to a person.

    store: writes a list of answers to the dataset (returns how many were new).
    known: the keys of the tasks already in the dataset (``mentor.core.keys.read_stored_keys``,
    by task): they are neither stored nor asked again. Keys, not bare 32-bit hashes, so a
    new text whose hash collides with a stored one's is still routed.
    Auto answers are written in batches of ``flush_every`` and by :meth:`flush`
    (call it on exit); the router is safe to flush from another thread.
    """

    def __init__(
        self,
        store: Callable[[List[Task]], int],
        *,
        dataset: str,
        view_id: str,
        accept_above: float,
        skip_below: float,
        known: Optional[KeySet] = None,
        flush_every: int = 50,
    ) -> None:
        check_thresholds(accept_above, skip_below)
        self.store = store
        self.dataset = dataset
        self.view_id = view_id
        self.accept_above = accept_above
        self.skip_below = skip_below
        self.known = known.copy() if known is not None else KeySet()
        self.flush_every = flush_every
        self.counts = RouteCounts()
        self._pending: List[Task] = []
        self._lock = threading.Lock()

    def __call__(self, scored: Iterable[ScoredTask]) -> Iterator[Task]:
        for score, task in scored:
            if task_key(task, "task") in self.known:
                self.counts.already_stored += 1
                continue
            if score >= self.accept_above:
                self._accept(task)
            elif score < self.skip_below:
                self.counts.skipped += 1
            else:
                self.counts.to_person += 1
                yield task
        self.flush()

    def _accept(self, task: Task) -> None:
        answer = dict(task)
        answer["answer"] = "accept"
        answer["meta"] = {**(task.get("meta") or {}), "auto": True}
        answer["_view_id"] = self.view_id
        answer["_session_id"] = f"{self.dataset}-{AUTO_SESSION}"
        answer["_annotator_id"] = answer["_session_id"]
        answer["_timestamp"] = int(time.time())
        digest = input_digest(task)
        answer[DIGEST_FIELD] = format_digest(digest)  # as the server stores it, so a restart knows the text
        self.known.add(task_key(task, "task", digest))
        with self._lock:
            self._pending.append(answer)
            self.counts.auto_accepted += 1
            full = len(self._pending) >= self.flush_every
        if full:
            self.flush()

    def flush(self) -> int:
        """Write the auto-accepted answers not stored yet; return how many were written."""
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return 0
        self.store(pending)
        return len(pending)
