"""The best entity annotation consistent with binary answers, from a model's beam candidates.

Shared by the silver rounds of ``mentor train`` (training/silver.py) and the
recognizer in the annotation loop (models/ner.py), which completes each batch
of yes/no answers the same way before it learns from them: trained on the
answers alone, with every other token missing, a beam NER hears mostly "no"
and learns to propose nothing (``mentor simulate --ner``: entity F1 0.52 after
200 gold sentences fell to 0.19 over 1,000 ner.teach answers).
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple

from spacy.tokens import Doc, Span

TokenSpan = Tuple[int, int, str]  # token start, token end (exclusive), label
DEFAULT_INCORRECT_SPANS_KEY = "incorrect_spans"


Lexicon = Dict[str, List[Tuple[Tuple[str, ...], str]]]  # first word -> (words, label)


def accepted_lexicon(references: Iterable[Doc], *, incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY) -> Lexicon:
    """The accepted entities' words and labels, indexed by first word, less any ever rejected with that label."""
    accepted: Set[Tuple[Tuple[str, ...], str]] = set()
    rejected: Set[Tuple[Tuple[str, ...], str]] = set()
    for doc in references:
        accepted.update((tuple(t.text for t in e), e.label_) for e in doc.ents)
        rejected.update((tuple(t.text for t in s), s.label_) for s in doc.spans.get(incorrect_spans_key, []))
    lexicon: Lexicon = {}
    for words, label in sorted(accepted - rejected, key=lambda item: (-len(item[0]), item)):
        lexicon.setdefault(words[0], []).append((words, label))
    return lexicon


def lexicon_entities(
    reference: Doc, lexicon: Lexicon, *, incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY
) -> List[TokenSpan]:
    """Where the accepted entities' words recur in ``reference``: free tokens, not rejected there, longest first."""
    rejected = {(s.start, s.end, s.label_) for s in reference.spans.get(incorrect_spans_key, [])}
    taken: Set[int] = {i for e in reference.ents for i in range(e.start, e.end)}
    words = [t.text for t in reference]
    found: List[TokenSpan] = []
    for start, word in enumerate(words):
        for entry, label in lexicon.get(word, ()):
            end = start + len(entry)
            if tuple(words[start:end]) != entry or (start, end, label) in rejected:
                continue
            if not any(i in taken for i in range(start, end)):
                found.append((start, end, label))
                taken.update(range(start, end))
            break
    return found


def merge_candidates(
    current: Mapping[TokenSpan, float], earlier: Iterable[Mapping[TokenSpan, float]], *, cap: float
) -> Dict[TokenSpan, float]:
    """The current model's candidates, plus the earlier rounds' ones capped at ``cap``.

    An earlier model's candidate keeps its tokens missing but, capped under
    the confidence threshold, is never added as an entity: only the current
    model, trained on the most complete annotation, adds entities.
    """
    merged = dict(current)
    for found in earlier:
        for key, p in found.items():
            merged[key] = max(merged.get(key, 0.0), min(p, cap))
    return merged


def silver_doc(
    reference: Doc,
    candidates: Mapping[TokenSpan, float],
    *,
    uncertain: float,
    confident: Optional[float],
    lexicon: Optional[Lexicon] = None,
    outside: bool = True,
    incorrect_spans_key: str = DEFAULT_INCORRECT_SPANS_KEY,
) -> Doc:
    """A copy of ``reference`` whose entity annotation is complete but for the uncertain tokens.

    ``candidates`` are the model's entity candidates on the reference's tokens
    with their beam probabilities. Accepted entities stay, and so do the
    ``lexicon``'s words where they recur (``lexicon_entities``); a candidate that was
    rejected or overlaps a kept entity is dropped; one at or above
    ``confident`` (None: never) becomes an entity; one at or above
    ``uncertain`` leaves its tokens missing, as do rejected spans; all other
    tokens are outside (missing with ``outside=False``).
    """
    rejected = {(s.start, s.end, s.label_) for s in reference.spans.get(incorrect_spans_key, [])}
    entities: List[TokenSpan] = [(e.start, e.end, e.label_) for e in reference.ents]
    if lexicon:
        entities += lexicon_entities(reference, lexicon, incorrect_spans_key=incorrect_spans_key)
    taken: Set[int] = {i for start, end, _ in entities for i in range(start, end)}
    missing: Set[int] = {i for start, end, _ in rejected for i in range(start, end)}
    for (start, end, label), p in sorted(candidates.items(), key=lambda item: (-item[1], item[0])):
        if (start, end, label) in rejected or any(i in taken for i in range(start, end)):
            continue
        if confident is not None and p >= confident:
            entities.append((start, end, label))
            taken.update(range(start, end))
        elif p >= uncertain:
            missing.update(range(start, end))
    doc = reference.copy()
    doc.set_ents(
        [Span(doc, start, end, label=label) for start, end, label in entities],
        missing=[Span(doc, i, i + 1) for i in sorted(missing - taken)],
        default="outside" if outside else "missing",
    )
    return doc
