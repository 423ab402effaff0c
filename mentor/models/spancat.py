"""A spaCy span categorizer behind ``spans.correct``: pre-annotate, then learn from fixes."""
from __future__ import annotations

import threading
from itertools import islice
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, cast

from spacy.language import Language
from spacy.tokens import Span
from spacy.training import Example

from ..errors import InputError
from ..preprocess import doc_to_tokens, rehash_task, span_to_dict
from ..tasks import Task

__all__ = ["SpanCategorizer", "SPANCAT_FACTORIES", "NoSpanCategorizer"]

SPANCAT_FACTORIES = ("spancat", "spancat_singlelabel")


class NoSpanCategorizer(InputError):
    """The pipeline has no span categorizer to correct."""

    code = "M017"

    def __init__(self, component: Optional[str], names: Sequence[str]) -> None:
        which = f"a span categorizer named '{component}'" if component else "a span categorizer (spancat)"
        super().__init__(
            f"The pipeline has no {which}; its components are: {', '.join(names) or 'none'}. "
            "Train one first (mentor train --spancat DATASET) or annotate with spans.manual"
        )


class SpanCategorizer:
    """Predict labelled, possibly overlapping spans and learn from corrected answers.

    Raises NoSpanCategorizer when the pipeline has none (or not ``component``).
    """

    def __init__(
        self,
        nlp: Language,
        labels: Optional[Sequence[str]] = None,
        *,
        component: Optional[str] = None,
        batch_size: int = 32,
    ) -> None:
        names = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory in SPANCAT_FACTORIES]
        if component is not None:
            names = [n for n in names if n == component]
        if not names:
            raise NoSpanCategorizer(component, nlp.pipe_names)
        self.nlp = nlp
        self.name = names[0]
        self.pipe: Any = cast(Any, nlp.get_pipe(self.name))
        self.key: str = self.pipe.key
        self.labels: List[str] = list(labels) if labels else list(self.pipe.labels)
        unknown = [label for label in self.labels if label not in self.pipe.labels]
        if unknown:
            raise InputError(
                f"Label(s) {', '.join(unknown)} not in component '{self.name}' (it has: {', '.join(self.pipe.labels)})"
            )
        self.batch_size = batch_size
        self._frozen = [n for n in nlp.pipe_names if n != self.name and nlp.get_pipe_meta(n).factory not in ("tok2vec", "transformer")]
        self._optimizer = nlp.resume_training()
        self._lock = threading.RLock()

    def annotate(self, stream: Iterable[Task]) -> Iterator[Task]:
        """Yield each task with ``tokens`` and the predicted spans (with scores), rehashed."""
        wanted = set(self.labels)
        tasks = iter(stream)
        while True:
            batch = list(islice(tasks, self.batch_size))
            if not batch:
                return
            with self._lock:
                docs = list(self.nlp.pipe([task["text"] for task in batch], disable=self._frozen))
            for task, doc in zip(batch, docs):
                group = doc.spans.get(self.key, [])
                scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
                spans = []
                for i, span in enumerate(group):
                    if span.label_ in wanted:
                        score = float(scores[i]) if scores is not None and i < len(scores) else None
                        spans.append(span_to_dict(span, score=score))
                made = dict(task)
                made["tokens"] = doc_to_tokens(doc)
                made["spans"] = spans
                yield rehash_task(made)

    def update_corrections(self, answers: List[Task]) -> Optional[float]:
        """Train on accepted answers, their spans being all the spans of the text."""
        examples = []
        for answer in answers:
            if answer.get("answer") != "accept" or not isinstance(answer.get("text"), str):
                continue
            predicted = self.nlp.make_doc(answer["text"])
            reference = predicted.copy()
            spans: List[Span] = []
            for entry in answer.get("spans") or []:
                span = self._span(reference, entry)
                if span is not None:
                    spans.append(span)
            reference.spans[self.key] = spans
            examples.append(Example(predicted, reference))
        if not examples:
            return None
        losses: Dict[str, float] = {}
        with self._lock:
            self.nlp.update(examples, sgd=self._optimizer, losses=losses, exclude=self._frozen)
        return float(losses.get(self.name, 0.0))

    @staticmethod
    def _span(doc: Any, entry: Dict[str, Any]) -> Optional[Span]:
        label = entry.get("label")
        if not isinstance(label, str):
            return None
        start, end = entry.get("token_start"), entry.get("token_end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < len(doc):
            return Span(doc, start, end + 1, label=label)
        if isinstance(entry.get("start"), int) and isinstance(entry.get("end"), int):
            return doc.char_span(entry["start"], entry["end"], label=label)
        return None
