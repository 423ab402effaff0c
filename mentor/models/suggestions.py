"""Pre-annotators: something that reads texts and suggests spans or categories, with scores.

The ``*.llm.*`` recipes don't care what makes the suggestions: a backend is a
factory registered with :func:`mentor.registry.suggester` that takes a
:class:`SuggestRequest` and the settings and returns a :class:`Suggester`. Two
ship with mentor: ``openai`` (any OpenAI-compatible chat-completions endpoint,
:mod:`mentor.models.llm_openai`) and ``zero-shot`` (label descriptions against
the packaged MiniLM, :mod:`mentor.models.zero_shot`). Suggested spans carry
character offsets; :func:`snap_spans` fits them to a pipeline's tokens.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Mapping, Optional, Protocol, Sequence

from ..config import Settings
from ..errors import InvalidLabelDescription
from ..registry import get_suggester

__all__ = [
    "Kind", "SuggestRequest", "Suggestion", "Suggester", "load_suggester", "parse_descriptions",
    "snap_spans", "find_mentions",
]

Kind = Literal["ner", "spans", "textcat"]
BUILTIN_BACKENDS = ("mentor.models.llm_openai", "mentor.models.zero_shot")


@dataclass(frozen=True)
class SuggestRequest:
    """What to suggest: the kind of annotation, the labels and what each one means.

    ``exclusive``: for textcat, one category a text. ``nlp``: the recipe's
    pipeline, for backends that need tokens or noun chunks (zero-shot spans).
    """

    kind: Kind
    labels: Sequence[str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    exclusive: bool = False
    nlp: Any = None

    def describe(self, label: str) -> str:
        """The label with its description, as a prompt or an encoder reads it."""
        description = self.descriptions.get(label)
        return f"{label}: {description}" if description else label


@dataclass
class Suggestion:
    """One text's suggestions.

    spans: ``{start, end, label, score, text}`` by character offset (may overlap).
    cats: label -> score in [0, 1], for textcat.
    llm_io: what was sent and received (``prompt``, ``response``, ``backend``,
        ``model``, ``cached``), shown in the app's ``llm_io`` block.
    error: why this text got no suggestions (a bad response): the recipes skip
        it with a warning, and nothing of it is cached.
    """

    spans: List[Dict[str, Any]] = field(default_factory=list)
    cats: Dict[str, float] = field(default_factory=dict)
    llm_io: Optional[Dict[str, Any]] = None
    error: Optional[str] = None


class Suggester(Protocol):
    """Suggests annotations for a batch of texts, one :class:`Suggestion` each, in order."""

    name: str

    def suggest(self, texts: Sequence[str]) -> List[Suggestion]:
        ...


def load_suggester(backend: str, request: SuggestRequest, settings: Settings) -> Suggester:
    """Build the registered backend ``backend`` (the built-ins are imported first, so they register)."""
    for module in BUILTIN_BACKENDS:
        importlib.import_module(module)
    return get_suggester(backend)(request, settings)


def parse_descriptions(entries: Sequence[str], labels: Sequence[str]) -> Dict[str, str]:
    """``["PERSON=a named person", ...]`` -> label -> description; every label must be in ``labels``."""
    found: Dict[str, str] = {}
    for entry in entries:
        label, sep, text = entry.partition("=")
        label, text = label.strip(), text.strip()
        if not sep or not label or not text:
            raise InvalidLabelDescription(f"--description '{entry}': expected LABEL=what the label means")
        if label not in labels:
            raise InvalidLabelDescription(f"--description '{entry}': '{label}' is not one of --label {','.join(labels)}")
        found[label] = text
    return found


def find_mentions(text: str, mention: str) -> List[tuple]:
    """Every (start, end) where ``mention`` occurs in ``text``, as whole words where it can.

    Exact matches first; when there are none, case and runs of whitespace are
    ignored (models often re-case a name or join a line break). Matches inside a
    longer word ("Al" in "Also") are left out.
    """
    mention = mention.strip()
    if not mention:
        return []
    pattern = r"\s+".join(re.escape(part) for part in mention.split())
    for flags in (0, re.IGNORECASE):
        found = [
            (m.start(), m.end())
            for m in re.finditer(pattern, text, flags)
            if not (m.start() > 0 and text[m.start() - 1].isalnum() and mention[0].isalnum())
            and not (m.end() < len(text) and text[m.end()].isalnum() and mention[-1].isalnum())
        ]
        if found:
            return found
    return []


def snap_spans(doc: Any, spans: Sequence[Dict[str, Any]], *, overlapping: bool) -> List[Dict[str, Any]]:
    """Fit character spans to the Doc's tokens (expanding to whole tokens) in task form.

    For NER (``overlapping=False``) spans may not overlap: the higher score
    wins, then the longer span. Duplicates of a (start, end, label) are merged.
    """
    from ..preprocess import span_to_dict

    snapped: Dict[tuple, Dict[str, Any]] = {}
    for span in spans:
        piece = doc.char_span(span["start"], span["end"], label=span["label"], alignment_mode="expand")
        if piece is None or not len(piece):
            continue
        entry = span_to_dict(piece, score=span.get("score"))
        key = (entry["start"], entry["end"], entry["label"])
        if key not in snapped or (entry.get("score") or 0) > (snapped[key].get("score") or 0):
            snapped[key] = entry
    ordered = sorted(snapped.values(), key=lambda s: (s["start"], s["end"]))
    if overlapping:
        return ordered
    kept: List[Dict[str, Any]] = []
    taken: set = set()
    for entry in sorted(ordered, key=lambda s: (-(s.get("score") if s.get("score") is not None else 1.0),
                                                s["start"] - s["end"], s["start"])):
        tokens = set(range(entry["token_start"], entry["token_end"] + 1))
        if tokens & taken:
            continue
        taken |= tokens
        kept.append(entry)
    return sorted(kept, key=lambda s: s["start"])
