"""Rules beside the model: keep a category only when a listed term occurs.

Some categories are only valid in a context a list defines: a SIDE_EFFECT
report counts only when a drug from *our* list is mentioned. Teaching that to
the classifier through its labels would mix two questions ("is this a side
effect?" and "is this drug one of ours?") and need the list's every drug in the
training data. The ``mentor_pattern_gate`` component keeps the two apart: the
text classifier learns side effects from every answer, and the gate, placed
after it, sets the gated categories to 0 in ``doc.cats`` when none of its
patterns matches. The patterns are saved with the pipeline (``to_disk``), and
the factory is registered through the ``spacy_factories`` entry point, so a
plain ``spacy.load()`` of the saved pipeline gates too.

Why a category was kept or dropped is written to ``doc.spans["mentor_gate"]``:
the group holds the matches that support the categories (empty when none
matched), and its ``attrs["gated"]`` maps each category it set to 0 to the
score the model had given it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import srsly
from spacy.language import Language
from spacy.pipeline import TextCategorizer
from spacy.tokens import Doc, Span, SpanGroup

from ..errors import Conflict, InputError
from .loading import load_pipeline
from .matcher import SpanFinder
from .patterns import Pattern, PatternsSource, load_patterns

__all__ = ["PatternGate", "make_pattern_gate", "add_pattern_gate", "FACTORY", "DEFAULT_SPANS_KEY"]

FACTORY = "mentor_pattern_gate"
DEFAULT_SPANS_KEY = "mentor_gate"
PATTERNS_FILE = "patterns.jsonl"


class PatternGate:
    """Zero the gated categories of docs in which none of the patterns matches."""

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        *,
        labels: Sequence[str],
        spans_key: str = DEFAULT_SPANS_KEY,
        case_sensitive: bool = False,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.labels = list(labels)
        self.spans_key = spans_key
        self.case_sensitive = case_sensitive
        self.patterns: List[Pattern] = []
        self._finder = SpanFinder(nlp, [], case_sensitive=case_sensitive)

    def add_patterns(self, patterns: PatternsSource) -> None:
        """Add patterns (a JSONL path or a list of dicts), checked as :func:`load_patterns` does."""
        new = load_patterns(patterns)
        offset = len(self.patterns)
        # ids must stay unique across calls; positional ids of a second file would clash
        renumbered = [
            Pattern(p.label, p.pattern, p.id if not isinstance(p.id, int) else p.id + offset, p.where) for p in new
        ]
        self.patterns = load_patterns(self.patterns + renumbered)
        self._finder = SpanFinder(self.nlp, self.patterns, case_sensitive=self.case_sensitive)

    def initialize(
        self,
        get_examples: Optional[Callable[[], Iterable[Any]]] = None,
        *,
        nlp: Optional[Language] = None,
        patterns: Optional[List[Dict[str, Any]]] = None,
    ) -> None:
        """Take patterns from ``[initialize.components.NAME]`` when the pipeline is built by ``spacy train``."""
        if patterns:
            self.patterns = []
            self.add_patterns(patterns)

    def __call__(self, doc: Doc) -> Doc:
        spans: List[Span] = []
        for pattern, start, end in self._finder.find(doc):
            span = doc[start:end]
            span.label_ = pattern.label
            spans.append(span)
        group = SpanGroup(doc, name=self.spans_key, spans=spans)
        gated: Dict[str, float] = {}
        if not spans:
            for label in self.labels:
                if label in doc.cats:
                    gated[label] = float(doc.cats[label])
                    doc.cats[label] = 0.0
        group.attrs["gated"] = gated
        doc.spans[self.spans_key] = group
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # -- serialisation: the patterns travel with the pipeline ---------------------

    def _patterns_data(self) -> List[Dict[str, Any]]:
        return [p.to_dict() for p in self.patterns]

    def _load_patterns_data(self, data: List[Dict[str, Any]]) -> None:
        self.patterns = load_patterns(data)
        self._finder = SpanFinder(self.nlp, self.patterns, case_sensitive=self.case_sensitive)

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / PATTERNS_FILE, self._patterns_data())

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "PatternGate":
        path = Path(path)
        self._load_patterns_data(list(srsly.read_jsonl(path / PATTERNS_FILE)))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        data: bytes = srsly.msgpack_dumps({"patterns": self._patterns_data()})
        return data

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "PatternGate":
        self._load_patterns_data(srsly.msgpack_loads(data)["patterns"])
        return self


@Language.factory(
    FACTORY,
    default_config={"labels": [], "spans_key": DEFAULT_SPANS_KEY, "case_sensitive": False},
    requires=["doc.cats"],
    assigns=["doc.cats", "doc.spans"],
)
def make_pattern_gate(
    nlp: Language, name: str, labels: List[str], spans_key: str, case_sensitive: bool
) -> PatternGate:
    """spaCy factory of :class:`PatternGate` (found by ``spacy.load`` through the entry point)."""
    return PatternGate(nlp, name, labels=labels, spans_key=spans_key, case_sensitive=case_sensitive)


def add_pattern_gate(
    nlp: Language,
    patterns: PatternsSource,
    labels: Sequence[str],
    *,
    name: str = FACTORY,
    spans_key: str = DEFAULT_SPANS_KEY,
    case_sensitive: bool = False,
) -> PatternGate:
    """Add a gate on ``labels`` right after the (last) text classifier that predicts them.

    Raises :class:`~mentor.errors.InputError` when there are no labels or patterns,
    or no text classifier in ``nlp`` has the labels, and
    :class:`~mentor.errors.Conflict` when a component called ``name`` exists.
    """
    labels = list(labels)
    if not labels:
        raise InputError("Give the label(s) to gate, e.g. --label SIDE_EFFECT")
    loaded = load_patterns(patterns)
    if not loaded:
        raise InputError(f"No patterns in {patterns}: the gate would drop the categories of every text")
    textcats = [(n, pipe) for n, pipe in nlp.pipeline if isinstance(pipe, TextCategorizer)]
    if not textcats:
        raise InputError("The pipeline has no text classifier (textcat or textcat_multilabel) to gate")
    known = {label for _, pipe in textcats for label in pipe.labels}
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise InputError(
            f"The text classifier doesn't predict {', '.join(unknown)}; its labels are {', '.join(sorted(known))}"
        )
    if name in nlp.pipe_names:
        raise Conflict(f"The pipeline already has a component '{name}'; remove it first or pick another name")
    after = [n for n, pipe in textcats if set(labels) & set(pipe.labels)][-1]
    gate = nlp.add_pipe(
        FACTORY,
        name=name,
        after=after,
        config={"labels": labels, "spans_key": spans_key, "case_sensitive": case_sensitive},
    )
    assert isinstance(gate, PatternGate)
    gate.add_patterns(loaded)
    return gate


def gate_saved_pipeline(
    model: Union[str, Path],
    output: Union[str, Path],
    patterns: PatternsSource,
    labels: Sequence[str],
    *,
    case_sensitive: bool = False,
) -> Tuple[Language, PatternGate]:
    """Load a saved pipeline, add the gate, and save it to ``output`` (which may be ``model``)."""
    nlp = load_pipeline(str(model))
    gate = add_pattern_gate(nlp, patterns, labels, case_sensitive=case_sensitive)
    nlp.to_disk(output)
    return nlp, gate
