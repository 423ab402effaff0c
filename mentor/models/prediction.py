"""A pipeline's predictions as tasks: what ``mentor predict`` writes and the ``*.model-annotate`` recipes store.

Both run texts through ``nlp.pipe`` and turn each Doc into the fields a
manual view would hold (:mod:`mentor.models.annotator`), on top of the
source task. The source's own answer and bookkeeping fields are dropped
(:data:`REPLACED`) and the hashes recomputed, so a prediction has the
``_input_hash`` a person's task on the same text has and a ``_task_hash``
that covers what the model said. The model-annotate recipes add the answer
and session fields on top; ``mentor predict`` writes the tasks as they are.

:func:`pipeline_predictor` reads every predicting component of a pipeline at
once (entities, span groups and categories), for ``mentor predict``; it adds
the text classifier's scores as ``cats``, Prodigy's and spaCy's field for them.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Iterable, Iterator, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import NoPredictingComponent
from ..tasks import Task, rehash_task
from .annotator import (
    NER_FACTORIES,
    LabelsNotInModel,
    TEXTCAT_FACTORIES,
    ModelAnnotator,
    entity_annotator,
    span_annotator,
    textcat_annotator,
)
from .spancat import SPANCAT_FACTORIES

__all__ = ["REPLACED", "Predictor", "pipeline_predictor", "as_prediction", "predict_tasks"]

# a source task's fields a prediction replaces (a pre-annotated or exported source)
REPLACED = frozenset((
    "answer", "accept", "spans", "tokens", "label", "options", "score", "cats", "_task_hash", "_view_id",
    "_session_id", "_annotator_id", "_timestamp", "_mentor_sig", "_input_digest",
))
SCORE_DIGITS = 6
SPAN_VIEWS = ("ner_manual", "spans_manual")


@dataclass(frozen=True)
class Predictor:
    """The fields a pipeline predicts for a Doc and the view they belong to."""

    view_id: str
    components: List[str]
    fields: Callable[[Doc], Dict[str, Any]]


def _has(nlp: Language, factories: Sequence[str]) -> bool:
    return any(nlp.get_pipe_meta(name).factory in factories for name in nlp.pipe_names)


def pipeline_predictor(nlp: Language, labels: Optional[Sequence[str]] = None, *, threshold: float = 0.5) -> Predictor:
    """Every predicting component's fields in one task: spans (entities, then span groups) and categories.

    The view is the one a person would correct the task in: ``spans_manual``
    when a span categorizer is there (its spans may overlap), else
    ``ner_manual`` for entities, else the text classifier's ``choice`` (or
    ``classification`` for one label). A text classifier always adds ``cats``,
    its score for each label. ``labels`` keeps those labels of each
    component that predicts them. Raises NoPredictingComponent.
    """
    wanted = list(dict.fromkeys(labels)) if labels else None
    found: List[ModelAnnotator] = []
    every_label: List[str] = []
    for factories, make in ((NER_FACTORIES, entity_annotator), (SPANCAT_FACTORIES, span_annotator), (TEXTCAT_FACTORIES, textcat_annotator)):
        if not _has(nlp, factories):
            continue
        options: Dict[str, Any] = {"threshold": threshold} if make is textcat_annotator else {}
        every = make(nlp, **options)
        every_label.extend(every.labels)
        keep = [label for label in every.labels if wanted is None or label in wanted]
        if keep:
            found.append(make(nlp, keep, **options) if wanted else every)
    if not every_label and not found:
        raise NoPredictingComponent(nlp.pipe_names)
    unknown = [label for label in wanted or () if label not in every_label]
    if unknown:
        raise LabelsNotInModel(unknown, ", ".join(nlp.pipe_names), sorted(set(every_label)))
    span_parts = [part for part in found if part.view_id in SPAN_VIEWS]
    textcat = next((part for part in found if part.view_id not in SPAN_VIEWS), None)
    view_id = span_parts[-1].view_id if span_parts else textcat.view_id  # type: ignore[union-attr]
    cat_labels = textcat.labels if textcat is not None else []

    def fields(doc: Doc) -> Dict[str, Any]:
        predicted: Dict[str, Any] = {}
        spans: List[Dict[str, Any]] = []
        for part in span_parts:
            got = part.fields(doc)
            predicted["tokens"] = got["tokens"]
            spans.extend(got["spans"])
        if span_parts:
            predicted["spans"] = spans
        if textcat is not None:
            if not span_parts:
                predicted.update(textcat.fields(doc))
            predicted["cats"] = {label: round(float(doc.cats.get(label, 0.0)), SCORE_DIGITS) for label in cat_labels}
        return predicted

    return Predictor(view_id, [part.component for part in found], fields)


def as_prediction(task: Task, fields: Dict[str, Any], view_id: str) -> Task:
    """The source task with the model's fields in place of its own, rehashed, in ``view_id``."""
    prediction = {key: value for key, value in task.items() if key not in REPLACED}
    prediction.update(fields)
    rehash_task(prediction)  # the input hash stays the source's; the task hash covers the model's fields
    prediction["_view_id"] = view_id
    return prediction


def predict_tasks(
    nlp: Language,
    tasks: Iterable[Task],
    fields: Callable[[Doc], Dict[str, Any]],
    view_id: str,
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[Task]:
    """Each task (which must have a ``text``) as a prediction, in order, lazily.

    The tasks ride along as ``nlp.pipe`` contexts only when one process runs
    the pipeline; with ``n_process`` > 1 they stay here, queued in order (the
    pipe keeps order), so no task is pickled to the workers, only its text.
    """
    if n_process == 1:
        pairs = ((task["text"], task) for task in tasks)
        for doc, task in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield as_prediction(task, fields(doc), view_id)
        return
    queued: Deque[Task] = deque()  # read ahead by the pipe, not yet predicted

    def texts() -> Iterator[str]:
        for task in tasks:
            queued.append(task)
            yield task["text"]

    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        yield as_prediction(queued.popleft(), fields(doc), view_id)
