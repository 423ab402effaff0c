"""``prodigy.components.preprocess``: tokens, sentences and model suggestions for tasks.

Thin adapters over ``mentor.preprocess`` taking Prodigy's argument names; the
suggestion helpers pre-annotate tasks with a pipeline's entities or spans for
the manual views (``ner.correct``/``spans.correct`` style recipes).
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Iterable, Iterator, List, Optional, Sequence

from mentor.errors import InputError
from mentor.tasks import Task, rehash_task

__all__ = ["add_tokens", "split_sentences", "make_ner_suggestions", "make_spancat_suggestions", "resolve_labels"]


def add_tokens(
    nlp: Any,
    stream: Iterable[Task],
    skip: bool = False,
    overwrite: bool = False,
    use_chars: bool = False,
    batch_size: int = 64,
    **_ignored: Any,
) -> Iterator[Task]:
    """Add ``tokens`` (and token indices on ``spans``) to each task; ``overwrite`` re-tokenizes."""
    from mentor.preprocess import add_tokens as mentor_add_tokens

    if overwrite:
        stream = ({k: v for k, v in task.items() if k != "tokens"} for task in stream)
    return mentor_add_tokens(nlp, stream, use_chars=use_chars, skip=skip, batch_size=batch_size)


def split_sentences(
    nlp: Any, stream: Iterable[Task], batch_size: int = 32, min_length: int = -1, **_ignored: Any
) -> Iterator[Task]:
    """One task a sentence (texts shorter than ``min_length`` kept whole), hashed afresh."""
    from mentor.preprocess import split_sentences as mentor_split_sentences

    return mentor_split_sentences(nlp, stream, min_length=min_length, batch_size=batch_size)


def resolve_labels(nlp: Any, component: str, recipe_labels: Optional[Sequence[str]] = None) -> List[str]:
    """The labels to annotate: the recipe's when given, else the component's.

    Raises InputError when there are none (no labels given and no such component).
    """
    if recipe_labels:
        return list(recipe_labels)
    if component in nlp.pipe_names:
        labels = [str(label) for label in getattr(nlp.get_pipe(component), "labels", ())]
        if labels:
            return labels
    raise InputError(f"No labels to annotate: pass --label, or use a pipeline with a trained '{component}'")


def _batches(stream: Iterable[Task], size: int) -> Iterator[List[Task]]:
    tasks = iter(stream)
    while batch := list(islice(tasks, size)):
        yield batch


def _suggest(stream: Iterable[Task], nlp: Any, spans_of: Any, labels: Optional[Sequence[str]], batch_size: int) -> Iterator[Task]:
    from mentor.preprocess import doc_to_tokens, span_to_dict

    wanted = set(labels or [])
    for batch in _batches(stream, batch_size):
        for task, doc in zip(batch, nlp.pipe([task["text"] for task in batch])):
            made = dict(task)
            made["tokens"] = doc_to_tokens(doc)
            made["spans"] = [span_to_dict(span) for span in spans_of(doc) if not wanted or span.label_ in wanted]
            yield rehash_task(made)


def make_ner_suggestions(
    stream: Iterable[Task],
    nlp: Any,
    component: str = "ner",
    labels: Optional[Sequence[str]] = None,
    batch_size: int = 32,
    **_ignored: Any,
) -> Iterator[Task]:
    """Each task with ``tokens`` and the pipeline's entities (of ``labels``) as ``spans``, rehashed."""
    if component not in nlp.pipe_names:
        raise InputError(f"The pipeline has no component '{component}' to suggest entities")
    return _suggest(stream, nlp, lambda doc: doc.ents, labels, batch_size)


def make_spancat_suggestions(
    stream: Iterable[Task],
    nlp: Any,
    component: str = "spancat",
    labels: Optional[Sequence[str]] = None,
    batch_size: int = 32,
    **_ignored: Any,
) -> Iterator[Task]:
    """Each task with ``tokens`` and the span categorizer's spans (of ``labels``) as ``spans``, rehashed."""
    if component not in nlp.pipe_names:
        raise InputError(f"The pipeline has no component '{component}' to suggest spans")
    key = getattr(nlp.get_pipe(component), "key", "sc")
    return _suggest(stream, nlp, lambda doc: doc.spans.get(key, []), labels, batch_size)
