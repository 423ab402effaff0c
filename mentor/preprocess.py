"""Stream transforms that need a tokenizer: tokens, sentences, spans from Docs.

Recipes compose these; they are lazy (a stream may be a million lines) and
process texts in batches through spaCy rather than one call per task. The
task shapes follow Prodigy's: tokens ``{text, start, end, id, ws}`` and spans
``{start, end, label, token_start, token_end}`` with an inclusive
``token_end``.
"""
from __future__ import annotations

import itertools
import logging
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span

from .errors import InvalidTask
from .tasks import Task, rehash_task, set_hashes

__all__ = [
    "add_tokens",
    "split_sentences",
    "doc_to_tokens",
    "char_tokens",
    "span_to_dict",
    "spans_to_dicts",
    "align_spans",
    "rehash_task",
]

logger = logging.getLogger(__name__)

BATCH_SIZE = 64
# components that set sentence boundaries, and what they listen to
SENTENCE_COMPONENTS = frozenset(("parser", "senter", "sentencizer"))
SENTENCE_DEPENDENCIES = frozenset(("tok2vec", "transformer"))


def doc_to_tokens(doc: Doc) -> List[Dict[str, Any]]:
    """The ``tokens`` of a task for a Doc."""
    return [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in doc
    ]


def char_tokens(text: str) -> List[Dict[str, Any]]:
    """One token per character, for highlighting parts of words (``--highlight-chars``)."""
    return [{"text": c, "start": i, "end": i + 1, "id": i, "ws": False} for i, c in enumerate(text)]


def span_to_dict(
    span: Span, *, label: Optional[str] = None, score: Optional[float] = None, offset: int = 0, token_offset: int = 0
) -> Dict[str, Any]:
    """A task span for a spaCy Span (``offset``s re-base it inside a sentence)."""
    entry: Dict[str, Any] = {
        "start": span.start_char - offset,
        "end": span.end_char - offset,
        "text": span.text,
        "token_start": span.start - token_offset,
        "token_end": span.end - 1 - token_offset,
        "label": label if label is not None else span.label_,
    }
    if score is not None:
        entry["score"] = float(score)
    return entry


def spans_to_dicts(spans: Iterable[Span], *, labels: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
    """Task spans for spaCy Spans (``doc.ents``, a span group), keeping only ``labels`` when given."""
    wanted = set(labels) if labels else None
    return [span_to_dict(span) for span in spans if wanted is None or span.label_ in wanted]


def align_spans(spans: List[Dict[str, Any]], tokens: List[Dict[str, Any]], *, where: Optional[str] = None) -> List[Dict[str, Any]]:
    """Set ``token_start``/``token_end`` on spans from their character offsets.

    Raises InvalidTask naming the span when its offsets fall inside a token:
    the spans were made with another tokenizer.
    """
    starts = {token["start"]: index for index, token in enumerate(tokens)}
    ends = {token["end"]: index for index, token in enumerate(tokens)}
    aligned = []
    for span in spans:
        if not isinstance(span, dict) or not isinstance(span.get("start"), int) or not isinstance(span.get("end"), int):
            raise InvalidTask("spans", "must be a list of objects with integer 'start' and 'end'", where)
        start, end = starts.get(span["start"]), ends.get(span["end"])
        if start is None or end is None:
            raise InvalidTask(
                "spans",
                f"has a span at characters {span['start']}-{span['end']} that doesn't match the token "
                "boundaries; fix its offsets or tokenize with the same pipeline",
                where,
            )
        aligned.append({**span, "token_start": start, "token_end": end})
    return aligned


def _where(task: Task) -> str:
    return f"task {task.get('_input_hash', '?')}"


def _chunks(stream: Iterable[Task], size: int) -> Iterator[List[Task]]:
    iterator = iter(stream)
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield chunk


def _text_of(task: Task) -> str:
    text = task.get("text") if isinstance(task, dict) else None
    if not isinstance(text, str):
        raise InvalidTask("text", "is missing or not a string; this recipe tokenizes text", _where(task) if isinstance(task, dict) else None)
    return text


def add_tokens(
    nlp: Language,
    stream: Iterable[Task],
    *,
    use_chars: bool = False,
    skip: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Iterator[Task]:
    """Lazily add ``tokens`` to each task and token indices to its ``spans``.

    Only the tokenizer runs. Tasks that already have tokens keep them (unless
    ``use_chars``, which always makes one token per character). A span that
    doesn't match the tokens raises InvalidTask, or drops the task when ``skip``.
    """
    for chunk in _chunks(stream, batch_size):
        need = [task for task in chunk if use_chars or not task.get("tokens")]
        docs = iter([nlp.make_doc(_text_of(task)) for task in need]) if not use_chars else None
        for task in chunk:
            if use_chars:
                task["tokens"] = char_tokens(_text_of(task))
            elif not task.get("tokens"):
                assert docs is not None
                task["tokens"] = doc_to_tokens(next(docs))
            if task.get("spans"):
                try:
                    task["spans"] = align_spans(task["spans"], task["tokens"], where=_where(task))
                except InvalidTask:
                    if skip:
                        logger.info("Skipped %s: its spans don't match the tokens", _where(task))
                        continue
                    raise
            yield task


def _sentence_docs(nlp: Language, pairs: Iterable[Any], batch_size: int) -> Iterator[Any]:
    present = set(nlp.pipe_names)
    if present & SENTENCE_COMPONENTS:
        disable = [name for name in nlp.pipe_names if name not in SENTENCE_COMPONENTS | SENTENCE_DEPENDENCIES]
        yield from nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, disable=disable)
        return
    # no component sets sentences (blank:en): a rule-based sentencizer, without changing the user's nlp
    from spacy.pipeline import Sentencizer

    sentencizer = Sentencizer()
    for text, task in pairs:
        yield sentencizer(nlp.make_doc(text)), task


def split_sentences(
    nlp: Language,
    stream: Iterable[Task],
    *,
    min_length: int = -1,
    batch_size: int = 32,
) -> Iterator[Task]:
    """Lazily split each task into one task per sentence, with fresh hashes.

    Spans inside a sentence are re-based to it; spans crossing a sentence
    boundary are dropped. Texts shorter than ``min_length`` characters are
    kept whole. Every other key (``meta`` included) is copied to each sentence.
    """
    pairs = ((_text_of(task), task) for task in stream)
    for doc, task in _sentence_docs(nlp, pairs, batch_size):
        if 0 < len(doc.text) < min_length:
            yield set_hashes({k: v for k, v in task.items() if k not in ("_input_hash", "_task_hash")}, overwrite=True)
            continue
        base = {k: v for k, v in task.items() if k not in ("text", "tokens", "spans", "_input_hash", "_task_hash")}
        spans = [s for s in task.get("spans") or [] if isinstance(s, dict)]
        for sent in doc.sents:
            made: Task = dict(base)
            if "meta" in made and isinstance(made["meta"], dict):
                made["meta"] = dict(made["meta"])
            made["text"] = sent.text
            made["tokens"] = doc_to_tokens(sent.as_doc())
            inside = [
                s for s in spans if isinstance(s.get("start"), int) and s["start"] >= sent.start_char and s.get("end", 0) <= sent.end_char
            ]
            if inside:
                rebased = [{**s, "start": s["start"] - sent.start_char, "end": s["end"] - sent.start_char} for s in inside]
                made["spans"] = align_spans(
                    [{k: v for k, v in s.items() if k not in ("token_start", "token_end")} for s in rebased],
                    made["tokens"],
                    where=_where(task),
                )
            yield set_hashes(made, overwrite=True)
