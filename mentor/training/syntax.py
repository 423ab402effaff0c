"""Token-level answers (``pos.correct``, ``dep.correct``, ``sent.correct``) as per-token values.

The three recipes store what Prodigy stores: ``pos`` answers are one-token
``spans`` labelled with the tag, ``dep`` answers are ``relations``
``{head, child, label}`` between token indices, ``sent`` answers are
one-token ``spans`` labelled ``S`` on each token that starts a sentence. This
module turns one answer into lists aligned with its ``tokens``, the form
spaCy's ``Doc(words, tags=..., heads=..., deps=..., sent_starts=...)`` takes,
with ``""``/``None`` where a token was left unannotated (spaCy reads that as
missing, not as wrong). No spaCy here: ``docs.py`` builds the Doc.

Rules for arcs: a token is a dependent of at most one head, and the arcs hold
no cycle (else the answer is refused with a reason). The root of a sentence
has no arc in the view (spaCy's root is its own head): a token with
dependents and no head becomes ``ROOT`` only when the answer is a complete
tree, i.e. every other token has a head; in a partial answer (``--label``
hid some arcs) it stays missing, since it may be the child of a hidden arc.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

from ..tasks import Task

SENT_START_LABEL = "S"
ROOT_LABEL = "ROOT"

Tags = List[str]
Arcs = Tuple[List[Optional[int]], List[Optional[str]]]
SentStarts = List[Optional[bool]]


class Unusable(ValueError):
    """An answer that can't train the component; the message is the report's reason."""


def task_tokens(task: Task) -> List[Any]:
    tokens = task.get("tokens")
    if not isinstance(tokens, list) or not tokens:
        raise Unusable("no tokens")
    return tokens


def _token_range(span: Any, tokens: Sequence[Any]) -> Optional[Tuple[int, int]]:
    """The inclusive token range of a span: its token indices, else its characters."""
    if not isinstance(span, dict):
        return None
    first, last = span.get("token_start"), span.get("token_end")
    if isinstance(first, int) and isinstance(last, int) and 0 <= first <= last < len(tokens):
        return first, last
    start, end = span.get("start"), span.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    covered = [
        i for i, t in enumerate(tokens)
        if isinstance(t, dict) and isinstance(t.get("start"), int) and isinstance(t.get("end"), int)
        and t["start"] < end and t["end"] > start
    ]
    return (covered[0], covered[-1]) if covered else None


def tags_of(task: Task) -> Tags:
    """One tag a token (``""``: not tagged) from the task's token spans."""
    tokens = task_tokens(task)
    tags = [""] * len(tokens)
    for span in task.get("spans") or []:
        found = _token_range(span, tokens)
        label = span.get("label") if isinstance(span, dict) else None
        if found is None or not isinstance(label, str) or not label:
            raise Unusable("invalid span (tokens/label)")
        if found[0] != found[1]:
            raise Unusable("a span over several tokens (not a pos.correct answer?)")
        if tags[found[0]] and tags[found[0]] != label:
            raise Unusable("a token has two tags")
        tags[found[0]] = label
    return tags


def arcs_of(task: Task) -> Arcs:
    """Heads and labels a token from the task's relations (None: missing)."""
    tokens = task_tokens(task)
    n = len(tokens)
    heads: List[Optional[int]] = [None] * n
    deps: List[Optional[str]] = [None] * n
    has_children = [False] * n
    for rel in task.get("relations") or []:
        head = rel.get("head") if isinstance(rel, dict) else None
        child = rel.get("child") if isinstance(rel, dict) else None
        label = rel.get("label") if isinstance(rel, dict) else None
        if not isinstance(head, int) or not isinstance(child, int) or not (0 <= head < n and 0 <= child < n):
            raise Unusable("relation outside the tokens")
        if not isinstance(label, str) or not label:
            raise Unusable("relation without a label")
        if heads[child] is not None and (heads[child], deps[child]) != (head, label):
            raise Unusable("a token has two heads")
        heads[child], deps[child] = head, label
        if head != child:
            has_children[head] = True
    if _has_cycle(heads):
        raise Unusable("the relations form a cycle")
    headless = [i for i in range(n) if heads[i] is None]
    if all(has_children[i] for i in headless) and headless:
        for i in headless:  # a complete tree: the tokens no arc points at are the roots
            heads[i], deps[i] = i, ROOT_LABEL
    return heads, deps


def _has_cycle(heads: Sequence[Optional[int]]) -> bool:
    for start in range(len(heads)):
        seen = set()
        i: Optional[int] = start
        while i is not None and heads[i] is not None and heads[i] != i:
            if i in seen:
                return True
            seen.add(i)
            i = heads[i]
    return False


def sent_starts_of(task: Task) -> SentStarts:
    """True where a sentence starts (the first token always), False elsewhere: the answer is complete."""
    tokens = task_tokens(task)
    starts: SentStarts = [False] * len(tokens)
    starts[0] = True
    for span in task.get("spans") or []:
        found = _token_range(span, tokens)
        if found is None:
            raise Unusable("invalid span (tokens/label)")
        if span.get("label") != SENT_START_LABEL:
            raise Unusable(f"a span not labelled {SENT_START_LABEL} (not a sent.correct answer?)")
        starts[found[0]] = True
    return starts


Values = Union[Tags, Arcs, SentStarts]
READERS = {"tagger": tags_of, "parser": arcs_of, "senter": sent_starts_of}
SYNTAX_COMPONENTS = frozenset(READERS)


def labels_of(component: str, values: Values) -> List[str]:
    """The labels a component learns from one text's values."""
    if component == "tagger":
        return [tag for tag in values if tag]  # type: ignore[misc]
    if component == "parser":
        return [dep for dep in values[1] if dep]  # type: ignore[index]
    return [SENT_START_LABEL]
