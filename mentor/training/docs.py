"""Turn merged annotations into spaCy ``Doc`` objects, the gold side of an Example.

Tokens come from the task when it has them, so the spans an annotator drew on
those tokens stay aligned; otherwise the pipeline's tokenizer splits the text.
A span whose characters don't fall on token boundaries can't be trained on: it
is counted in the report and, for a complete NER annotation, its tokens are
marked missing (not O), so the model is never taught that an entity isn't one.
Tags, arcs and sentence starts (``syntax.py``) are per token of the answer's
own tokens, so those tokens make the Doc; an answer whose tokens can't be
rebuilt is left out for its component and counted.
"""
from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from .merge import Annotation, MergeReport, SpanKey
from .syntax import SYNTAX_COMPONENTS

DEFAULT_SPANS_KEY = "sc"
DEFAULT_INCORRECT_SPANS_KEY = "incorrect_spans"
MISALIGNED = "span doesn't align with tokens"
TOKENS_UNUSABLE = "tokens don't spell out the text (or differ from another component's)"


def doc_from_tokens(vocab: Vocab, text: str, tokens: Sequence[Mapping[str, Any]]) -> Optional[Doc]:
    """Rebuild the task's tokenization; None if the tokens don't spell out the text."""
    words: List[str] = []
    spaces: List[bool] = []
    position = 0
    for i, token in enumerate(tokens):
        if not isinstance(token, Mapping):
            return None
        word, start, end = token.get("text"), token.get("start"), token.get("end")
        if not isinstance(word, str) or not word or not isinstance(end, int) or start != position:
            return None
        if text[position:end] != word:
            return None
        following = tokens[i + 1].get("start") if i + 1 < len(tokens) else len(text)
        if not isinstance(following, int) or following < end:
            return None
        gap = text[end:following]
        if gap not in ("", " "):
            return None  # other whitespace between tokens: let the tokenizer decide
        words.append(word)
        spaces.append(gap == " ")
        position = end + len(gap)
    if position != len(text):
        return None
    return Doc(vocab, words=words, spaces=spaces)


def make_reference_doc(
    nlp: Language,
    annotations: Mapping[str, Annotation],
    reports: Mapping[str, MergeReport],
    *,
    spans_key: str = DEFAULT_SPANS_KEY,
    incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY,
) -> Doc:
    """One gold Doc for a text, with every component's annotation of it.

    A component that has no annotation for this text leaves its part missing:
    no entities set (spaCy reads that as unknown) and no categories.
    """
    first = next(iter(annotations.values()))
    syntax = {c: a for c, a in annotations.items() if c in SYNTAX_COMPONENTS}
    # token-level values index their own answer's tokens: those tokens come first
    tokens = next((a.tokens for a in (*syntax.values(), *annotations.values()) if a.tokens), None)
    doc = doc_from_tokens(nlp.vocab, first.text, tokens) if tokens else None
    if doc is None:
        doc = nlp.make_doc(first.text)
    if syntax:
        doc = _with_syntax(doc, syntax, reports)
    for component, ann in annotations.items():
        if component in SYNTAX_COMPONENTS:
            continue
        report = reports[component]
        if component == "ner":
            _set_entities(doc, ann, report, incorrect_spans_key)
        elif component == "spancat":
            doc.spans[spans_key] = _aligned(doc, ann.spans, report)
        else:
            doc.cats.update(ann.cats)
    return doc


def _with_syntax(doc: Doc, syntax: Mapping[str, Annotation], reports: Mapping[str, MergeReport]) -> Doc:
    """The Doc again, with the tags, heads/deps and sentence starts of the token-level annotations."""
    n = len(doc)
    values: dict = {}
    for component, ann in syntax.items():
        if not ann.tokens or len(ann.tokens) != n or any(
            t.get("text") != doc[i].text for i, t in enumerate(ann.tokens) if isinstance(t, Mapping)
        ):
            reports[component].skip(TOKENS_UNUSABLE)
            continue
        if ann.tags is not None:
            values["tags"] = ann.tags
        if ann.heads is not None and ann.deps is not None:
            values["heads"], values["deps"] = ann.heads, ann.deps
        if ann.sent_starts is not None:
            values["sent_starts"] = ann.sent_starts
    if not values:
        return doc
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    return Doc(doc.vocab, words=words, spaces=spaces, **values)


def _aligned(doc: Doc, keys: Sequence[SpanKey], report: MergeReport) -> List[Span]:
    spans: List[Span] = []
    for start, end, label in keys:
        span = doc.char_span(start, end, label=label)
        if span is None:
            report.skip(MISALIGNED)
        else:
            spans.append(span)
    return spans


def _set_entities(doc: Doc, ann: Annotation, report: MergeReport, incorrect_spans_key: str) -> None:
    entities: List[Span] = []
    missing: List[Span] = []
    for start, end, label in ann.spans:
        span = doc.char_span(start, end, label=label)
        if span is not None:
            entities.append(span)
            continue
        report.skip(MISALIGNED)
        covering = doc.char_span(start, end, alignment_mode="expand")
        if covering is not None and len(covering):
            missing.append(covering)
    taken = {i for span in entities for i in range(span.start, span.end)}
    missing = [s for s in missing if not any(i in taken for i in range(s.start, s.end))]
    missing = _drop_overlaps(missing)
    doc.set_ents(entities, missing=missing, default="outside" if ann.complete else "missing")
    if ann.incorrect_spans:
        doc.spans[incorrect_spans_key] = _aligned(doc, ann.incorrect_spans, report)


def _drop_overlaps(spans: List[Span]) -> List[Span]:
    kept: List[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start >= end:
            kept.append(span)
            end = span.end
    return kept
