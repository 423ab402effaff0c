"""A trained pipeline as an annotator: its predictions for a Doc, shaped as a manual view's answer.

``ner.model-annotate``, ``textcat.model-annotate`` and ``spans.model-annotate``
store what a pipeline predicts as if a person had given it in the matching
manual view, so ``review`` and the agreement metrics can set the model beside
people. Each :class:`ModelAnnotator` here knows which component it reads, the
labels it keeps, the view its answers belong to and the fields of one answer
(:meth:`ModelAnnotator.fields`). Storing them is the recipes' job.

The fields leave scores out: an answer that agrees with a person's has the
same spans or options, and so the same ``_task_hash``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Type

from spacy.language import Language
from spacy.tokens import Doc

from ..errors import InputError
from ..preprocess import doc_to_tokens, span_to_dict
from .spancat import SPANCAT_FACTORIES, NoSpanCategorizer

__all__ = [
    "ModelAnnotator",
    "entity_annotator",
    "textcat_annotator",
    "span_annotator",
    "NoEntityRecognizer",
    "NoTextClassifier",
    "LabelsNotInModel",
]

# M110-M119 are the model annotators'
NER_FACTORIES = ("ner", "beam_ner", "entity_ruler")
TEXTCAT_FACTORIES = ("textcat", "textcat_multilabel")


class MissingComponent(InputError):
    """The pipeline has no component of the kind a model annotator reads."""

    what = "a component"
    factory = ""
    train = ""

    def __init__(self, component: Optional[str], names: Sequence[str]) -> None:
        which = f"{self.what} named '{component}'" if component else f"{self.what} ({self.factory})"
        super().__init__(
            f"The pipeline has no {which}; its components are: {', '.join(names) or 'none'}. "
            f"Train one first (mentor train {self.train} DATASET) or pick another pipeline. Nothing was stored"
        )


class NoEntityRecognizer(MissingComponent):
    """No component predicts entities (ner, beam_ner, entity_ruler)."""

    code = "M110"
    what, factory, train = "an entity recognizer", "ner", "--ner"


class NoTextClassifier(MissingComponent):
    """No text classifier (textcat, textcat_multilabel)."""

    code = "M111"
    what, factory, train = "a text classifier", "textcat", "--textcat"


class LabelsNotInModel(InputError):
    """``--labels`` names labels the component doesn't predict."""

    code = "M112"

    def __init__(self, unknown: Sequence[str], component: str, known: Sequence[str]) -> None:
        self.unknown = list(unknown)
        super().__init__(
            f"Label(s) {', '.join(unknown)} not predicted by component '{component}' "
            f"(its labels: {', '.join(known) or 'none'}). Nothing was stored"
        )


@dataclass(frozen=True)
class ModelAnnotator:
    """What one component predicts, as the answer a manual view would send.

    ``fields(doc)`` gives the fields that differ from the source task
    (``tokens`` and ``spans``, or ``options`` and ``accept``, or ``label`` and
    ``answer`` for a single label); the caller adds the bookkeeping.
    """

    component: str
    view_id: str
    labels: List[str]
    fields: Callable[[Doc], Dict[str, Any]]


def _find(nlp: Language, factories: Sequence[str], component: Optional[str]) -> List[str]:
    names = [name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory in factories]
    return [name for name in names if name == component] if component is not None else names


def _labels_of(nlp: Language, names: Sequence[str]) -> List[str]:
    known: List[str] = []
    for name in names:
        for label in getattr(nlp.get_pipe(name), "labels", ()):
            if label not in known:
                known.append(str(label))
    return known


def pick_labels(
    wanted: Optional[Sequence[str]], known: Sequence[str], component: str,
    error: Type[LabelsNotInModel] = LabelsNotInModel,
) -> List[str]:
    """The labels asked for (once each), all of them if none: ``error`` names any the component doesn't predict."""
    if not wanted:
        return list(known)
    unknown = [label for label in wanted if label not in known]
    if unknown:
        raise error(unknown, component, known)
    return list(dict.fromkeys(wanted))


def entity_annotator(
    nlp: Language, labels: Optional[Sequence[str]] = None, *, component: Optional[str] = None
) -> ModelAnnotator:
    """``doc.ents`` as a ``ner_manual`` answer: ``tokens`` and non-overlapping ``spans``.

    The entities are the pipeline's (a recognizer's and any entity ruler's);
    ``labels`` keeps some of them. Raises NoEntityRecognizer or LabelsNotInModel.
    """
    names = _find(nlp, NER_FACTORIES, component)
    if not names:
        raise NoEntityRecognizer(component, nlp.pipe_names)
    keep = pick_labels(labels, _labels_of(nlp, names), names[0])
    wanted = set(keep)

    def fields(doc: Doc) -> Dict[str, Any]:
        return {"tokens": doc_to_tokens(doc), "spans": [span_to_dict(ent) for ent in doc.ents if ent.label_ in wanted]}

    return ModelAnnotator(names[0], "ner_manual", keep, fields)


def span_annotator(
    nlp: Language, labels: Optional[Sequence[str]] = None, *, component: Optional[str] = None
) -> ModelAnnotator:
    """A span categorizer's group (``doc.spans[spans_key]``) as a ``spans_manual`` answer; spans may overlap.

    Raises NoSpanCategorizer or LabelsNotInModel.
    """
    names = _find(nlp, SPANCAT_FACTORIES, component)
    if not names:
        raise NoSpanCategorizer(component, nlp.pipe_names)
    name = names[0]
    key = str(getattr(nlp.get_pipe(name), "key", "sc"))
    keep = pick_labels(labels, _labels_of(nlp, [name]), name)
    wanted = set(keep)

    def fields(doc: Doc) -> Dict[str, Any]:
        group = doc.spans[key] if key in doc.spans else []
        spans = sorted((span for span in group if span.label_ in wanted), key=lambda s: (s.start, s.end, s.label_))
        return {"tokens": doc_to_tokens(doc), "spans": [span_to_dict(span) for span in spans]}

    return ModelAnnotator(name, "spans_manual", keep, fields)


def textcat_annotator(
    nlp: Language,
    labels: Optional[Sequence[str]] = None,
    *,
    component: Optional[str] = None,
    threshold: float = 0.5,
) -> ModelAnnotator:
    """``doc.cats`` as a ``choice`` answer (or a ``classification`` one for a single label).

    An exclusive classifier (``textcat``) picks its top-scoring label, as a
    person picks one option; ``accept`` is empty when that label is not among
    ``labels``. A multi-label one (``textcat_multilabel``) accepts every label
    scoring at least ``threshold``. With one label the answer is ``accept`` or
    ``reject`` on that ``label``, the shape textcat.manual gives one label.
    Raises NoTextClassifier or LabelsNotInModel.
    """
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1, got {threshold}")
    names = _find(nlp, TEXTCAT_FACTORIES, component)
    if not names:
        raise NoTextClassifier(component, nlp.pipe_names)
    name = names[0]
    known = _labels_of(nlp, [name])
    keep = pick_labels(labels, known, name)
    exclusive = nlp.get_pipe_meta(name).factory == "textcat"

    def chosen(doc: Doc) -> List[str]:
        cats = doc.cats
        if exclusive:
            top = max(known, key=lambda label: cats.get(label, 0.0)) if known else None
            return [top] if top in keep else []
        return [label for label in keep if cats.get(label, 0.0) >= threshold]

    if len(keep) == 1:
        only = keep[0]

        def label_fields(doc: Doc) -> Dict[str, Any]:
            return {"label": only, "answer": "accept" if chosen(doc) else "reject"}

        return ModelAnnotator(name, "classification", keep, label_fields)

    options = [{"id": label, "text": label} for label in keep]

    def choice_fields(doc: Doc) -> Dict[str, Any]:
        return {"options": [dict(option) for option in options], "accept": chosen(doc)}

    return ModelAnnotator(name, "choice", keep, choice_fields)
