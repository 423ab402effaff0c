"""Prompts that ask a chat model for JSON, and a forgiving reader of what comes back.

Models wrap JSON in code fences, add a sentence before it, re-case a label or
return a bare list; all of that is read. What can't be read (no JSON at all, a
span that isn't in the text, a label nobody asked for) is dropped and said:
:func:`parse_response` raises :class:`~mentor.errors.LlmBadResponse` only when
nothing usable came back, so one bad answer costs one text. Spans are asked for
as the exact words, never as offsets (models count characters badly), and
found in the text by :func:`mentor.models.suggestions.find_mentions`.
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..errors import LlmBadResponse
from .suggestions import SuggestRequest, Suggestion, find_mentions

__all__ = ["build_messages", "parse_response", "extract_json", "PROMPT_VERSION"]

# part of the cache key: a changed prompt must not be answered from the old prompt's cache
PROMPT_VERSION = "1"

SYSTEM = (
    "You are a careful annotator of texts for machine learning. "
    "Answer with one JSON object and nothing else."
)

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def _label_lines(request: SuggestRequest) -> str:
    return "\n".join(f"- {request.describe(label)}" for label in request.labels)


def _span_prompt(request: SuggestRequest, text: str) -> str:
    what = "named entities" if request.kind == "ner" else "spans (they may overlap)"
    return (
        f"Find all {what} of these labels in the text.\n\nLabels:\n{_label_lines(request)}\n\n"
        'Answer in this JSON form: {"spans": [{"text": "words copied exactly from the text", '
        '"label": "LABEL", "score": 0.9}]}\n'
        "The score is how sure you are, from 0 to 1. Use only the labels above. "
        'If there are none, answer {"spans": []}.\n\n'
        f"Text:\n{text}"
    )


def _textcat_prompt(request: SuggestRequest, text: str) -> str:
    how = (
        "Pick the one label that fits the text best."
        if request.exclusive
        else "Pick every label that applies to the text (none is a valid answer)."
    )
    return (
        f"Classify the text. {how}\n\nLabels:\n{_label_lines(request)}\n\n"
        'Answer in this JSON form: {"categories": [{"label": "LABEL", "score": 0.9}]}\n'
        "List the labels you pick, each with how sure you are, from 0 to 1. Use only the labels above.\n\n"
        f"Text:\n{text}"
    )


def build_messages(request: SuggestRequest, text: str) -> List[Dict[str, str]]:
    """The chat messages for one text: a short system message and the task with the text last."""
    prompt = _textcat_prompt(request, text) if request.kind == "textcat" else _span_prompt(request, text)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


def extract_json(content: str) -> Any:
    """The JSON in a model's reply: the whole reply, a fenced block, or the outermost {...} or [...]."""
    candidates = [content.strip()]
    candidates += [m.group(1).strip() for m in _FENCE.finditer(content)]
    for open_, close in (("{", "}"), ("[", "]")):
        start, end = content.find(open_), content.rfind(close)
        if 0 <= start < end:
            candidates.append(content[start:end + 1])
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise LlmBadResponse(f"the reply holds no JSON: {content.strip()[:80]!r}")


def _score(value: Any) -> Optional[float]:
    """A score in [0, 1], or None when the model gave none (or a non-number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number != number:  # NaN
        return None
    return min(1.0, max(0.0, number / 100 if 1 < number <= 100 else number))


def _items(data: Any, key: str) -> List[Any]:
    """The list under ``key`` (or the alternatives models use), or the reply itself when it is a list."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for name in (key, "entities", "labels", "results", "annotations"):
            if isinstance(data.get(name), list):
                return data[name]
        if key == "categories" and data and all(isinstance(v, (int, float)) for v in data.values()):
            return [{"label": label, "score": score} for label, score in data.items()]  # {"POS": 0.9}
    raise LlmBadResponse(f"expected a JSON object with a '{key}' list, got {json.dumps(data)[:80]}")


def _label_of(item: Dict[str, Any], labels: Dict[str, str]) -> Optional[str]:
    raw = item.get("label", item.get("type", item.get("category")))
    return labels.get(str(raw).strip().upper()) if raw is not None else None


def _parse_spans(items: List[Any], request: SuggestRequest, text: str) -> Tuple[List[Dict[str, Any]], List[str]]:
    labels = {label.upper(): label for label in request.labels}
    spans: List[Dict[str, Any]] = []
    dropped: List[str] = []
    for item in items:
        if not isinstance(item, dict):
            dropped.append(f"not an object: {json.dumps(item)[:40]}")
            continue
        label = _label_of(item, labels)
        words = item.get("text", item.get("span", item.get("entity")))
        if label is None or not isinstance(words, str):
            dropped.append(f"no known label or no text: {json.dumps(item)[:60]}")
            continue
        found = find_mentions(text, words)
        if not found:
            dropped.append(f"'{words[:40]}' is not in the text")
        score = _score(item.get("score", item.get("confidence")))
        for start, end in found:
            spans.append({"start": start, "end": end, "label": label, "score": score, "text": text[start:end]})
    return spans, dropped


def _parse_cats(items: List[Any], request: SuggestRequest) -> Tuple[Dict[str, float], List[str]]:
    labels = {label.upper(): label for label in request.labels}
    cats = {label: 0.0 for label in request.labels}
    dropped: List[str] = []
    for item in items:
        if isinstance(item, str):  # ["POS"]
            item = {"label": item}
        label = _label_of(item, labels) if isinstance(item, dict) else None
        if label is None:
            dropped.append(f"no known label: {json.dumps(item)[:60]}")
            continue
        score = _score(item.get("score", item.get("confidence")))
        cats[label] = max(cats[label], 1.0 if score is None else score)
    return cats, dropped


def parse_response(content: str, request: SuggestRequest, text: str) -> Tuple[Suggestion, List[str]]:
    """Read one reply: the suggestion and a note for each item left out (unknown label, span not in text).

    Raises LlmBadResponse when the reply holds no JSON or not the list asked for.
    """
    data = extract_json(content)
    if request.kind == "textcat":
        cats, dropped = _parse_cats(_items(data, "categories"), request)
        return Suggestion(cats=cats), dropped
    spans, dropped = _parse_spans(_items(data, "spans"), request, text)
    return Suggestion(spans=spans), dropped
