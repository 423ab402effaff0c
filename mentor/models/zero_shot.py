"""The ``zero-shot`` suggester: label descriptions against texts in the packaged MiniLM's space.

Offline and free, and much weaker than a chat model: it measures how close a
text (or a candidate phrase) lies to "LABEL: description" in the space of a
sentence encoder trained for similarity, not for classification or NER.

- textcat: each label's score is the cosine similarity of text and label;
  for exclusive labels a softmax over them (temperature 0.05), so the scores
  sum to 1 and the top one is pre-selected. Good enough to pre-select the
  obvious category of a short text; it knows nothing of negation or sarcasm.
- ner / spans: the candidates are the pipeline's own entities and noun
  chunks when it has them, otherwise runs of capitalised words (all a blank
  pipeline offers); a candidate gets the label it is closest to when the
  similarity reaches ``threshold``. It finds names and noun phrases, and
  it misses lower-case mentions, and boundaries are the candidates'.
  Treat it as a highlighter to speed up manual work, not as a model.

Vectors go through :class:`~mentor.models.embeddings.CachedEmbedder` (the
teach loop's cache file), so a text is encoded once.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence, Tuple

import numpy

from ..config import Settings
from ..errors import ZeroShotUnavailable
from ..registry import suggester
from .embeddings import CachedEmbedder, SentenceEmbedder, TextEmbedder, has_sentence_transformers, minilm_path
from .suggestions import SuggestRequest, Suggestion

__all__ = ["ZeroShotSuggester", "make_zero_shot_suggester", "SPAN_THRESHOLD"]

SPAN_THRESHOLD = 0.2
TEMPERATURE = 0.05


def _softmax(values: numpy.ndarray) -> numpy.ndarray:
    shifted = numpy.exp((values - values.max()) / TEMPERATURE)
    return shifted / shifted.sum()


def _capitalised_runs(doc: Any) -> List[Tuple[int, int]]:
    """Token ranges of consecutive capitalised words: a blank pipeline's only guess at names."""
    runs: List[Tuple[int, int]] = []
    start = None
    for token in doc:
        if token.text[:1].isupper() and token.is_alpha:
            start = token.i if start is None else start
            continue
        if start is not None:
            runs.append((start, token.i))
            start = None
    if start is not None:
        runs.append((start, len(doc)))
    return runs


def candidate_spans(doc: Any) -> List[Tuple[int, int]]:
    """Token ranges to score: entities and noun chunks when the pipeline makes them, else capitalised runs."""
    found = {(ent.start, ent.end) for ent in doc.ents}
    if doc.has_annotation("DEP"):
        found |= {(chunk.start, chunk.end) for chunk in doc.noun_chunks}
    if not found:
        found = set(_capitalised_runs(doc))
    # "The", "In": capitalised, but nothing a label describes
    return sorted((start, end) for start, end in found if not all(token.is_stop for token in doc[start:end]))


class ZeroShotSuggester:
    """Scores texts or candidate phrases against the labels' descriptions with a sentence encoder."""

    name = "zero-shot"

    def __init__(self, request: SuggestRequest, embedder: TextEmbedder, *, threshold: float = SPAN_THRESHOLD) -> None:
        if request.kind != "textcat" and request.nlp is None:
            raise ValueError("zero-shot spans need the recipe's pipeline (request.nlp) for candidates")
        self.request = request
        self.embedder = embedder
        self.threshold = threshold
        self.prompt = "\n".join(request.describe(label) for label in request.labels)
        self._labels = embedder.embed([request.describe(label) for label in request.labels])

    def _io(self, scores: Dict[str, Any]) -> Dict[str, Any]:
        return {"backend": self.name, "model": getattr(self.embedder, "name", "minilm"), "prompt": self.prompt,
                "response": json.dumps(scores, ensure_ascii=False, indent=1), "cached": False}

    def suggest(self, texts: Sequence[str]) -> List[Suggestion]:
        if not texts:
            return []
        if self.request.kind == "textcat":
            return self._categories(texts)
        return [self._spans(text) for text in texts]

    def _categories(self, texts: Sequence[str]) -> List[Suggestion]:
        similarity = self.embedder.embed(list(texts)) @ self._labels.T
        suggestions = []
        for row in similarity:
            values = _softmax(row) if self.request.exclusive else numpy.clip(row, 0.0, 1.0)
            cats = {label: round(float(v), 4) for label, v in zip(self.request.labels, values)}
            suggestions.append(Suggestion(cats=cats, llm_io=self._io(cats)))
        return suggestions

    def _spans(self, text: str) -> Suggestion:
        doc = self.request.nlp(text)
        ranges = candidate_spans(doc)
        spans: List[Dict[str, Any]] = []
        scored: Dict[str, Any] = {}
        if ranges:
            phrases = [doc[start:end] for start, end in ranges]
            similarity = self.embedder.embed([phrase.text for phrase in phrases]) @ self._labels.T
            for phrase, row in zip(phrases, similarity):
                best = int(row.argmax())
                score = float(row[best])
                scored[phrase.text] = {self.request.labels[best]: round(score, 4)}
                if score >= self.threshold:
                    spans.append({"start": phrase.start_char, "end": phrase.end_char, "text": phrase.text,
                                  "label": self.request.labels[best], "score": round(min(1.0, score), 4)})
        return Suggestion(spans=spans, llm_io=self._io(scored))


@suggester("zero-shot")
def make_zero_shot_suggester(request: SuggestRequest, settings: Settings) -> ZeroShotSuggester:
    """The ``zero-shot`` backend on the packaged MiniLM, vectors cached in the teach loop's file."""
    if not has_sentence_transformers() or minilm_path() is None:
        raise ZeroShotUnavailable()
    embedder = CachedEmbedder(SentenceEmbedder(), path=settings.embeddings_cache)
    return ZeroShotSuggester(request, embedder)
