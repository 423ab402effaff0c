"""Read labelled examples for a simulation, whatever shape the labels come in.

A simulation needs, for each text, the gold answer to every question the
teach loop may ask: "is LABEL right for this text?". Four shapes are read:

- binary answers, as textcat.teach stores them: ``{"text", "label", "answer"}``;
  ``accept`` makes the label 1, ``reject`` 0, ``ignore`` is skipped;
- one class per text: ``{"text", "label"}`` without ``answer``; classes are
  exclusive, so every other class seen in the data is 0 for that text;
- spaCy-style ``{"text", "cats": {"A": 1.0, "B": 0.0}}``;
- choice answers: ``{"text", "options": [...], "accept": [ids], "answer": "accept"}``.

Answers about the same text are merged; a label nobody answered for a text
stays unknown, and the oracle ignores questions about it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..errors import InputError
from ..tasks import Task

__all__ = ["Labelled", "read_labelled", "split_eval", "label_counts", "default_labels"]


@dataclass
class Labelled:
    """One text and what is known about its labels (1.0 yes, 0.0 no, absent unknown)."""

    text: str
    cats: Dict[str, float] = field(default_factory=dict)


def read_labelled(rows: Iterable[Task], *, where: str = "data") -> Tuple[List[Labelled], bool]:
    """Merge rows into one :class:`Labelled` per text; return them and whether classes are exclusive.

    Raises InputError when a row has no text or no label in any known shape, or
    when nothing labelled is found.
    """
    by_text: Dict[str, Dict[str, float]] = {}
    classes: Dict[str, str] = {}  # text -> class, for the one-class-per-text shape
    for number, row in enumerate(rows, start=1):
        text = row.get("text")
        if not isinstance(text, str):
            raise InputError(f"{where}: example {number} has no 'text'")
        answer = row.get("answer")
        if answer == "ignore":
            continue
        cats = by_text.setdefault(text, {})
        if isinstance(row.get("cats"), dict):
            cats.update({str(k): float(v) for k, v in row["cats"].items()})
        elif "options" in row and "accept" in row:
            if answer not in (None, "accept"):
                continue
            chosen = {str(v) for v in row.get("accept") or []}
            for option in row["options"]:
                label = str(option.get("id"))
                cats[label] = 1.0 if label in chosen else 0.0
        elif isinstance(row.get("label"), str):
            if answer in ("accept", "reject"):
                cats[row["label"]] = 1.0 if answer == "accept" else 0.0
            elif answer is None:
                classes[text] = row["label"]
            else:
                raise InputError(f"{where}: example {number} has an unknown answer '{answer}'")
        else:
            raise InputError(
                f"{where}: example {number} has no labels: expected 'label' (+ 'answer'), 'cats' or 'options'/'accept'"
            )
    exclusive = bool(classes) and len(classes) == len(by_text)
    if classes:
        all_classes = sorted(set(classes.values()))
        for text, label in classes.items():
            cats = by_text[text]
            for other in all_classes:
                cats.setdefault(other, 1.0 if other == label else 0.0)
    examples = [Labelled(text, cats) for text, cats in by_text.items() if cats]
    if not examples:
        raise InputError(f"{where}: no labelled examples found")
    return examples, exclusive


def split_eval(
    examples: Sequence[Labelled], fraction: float, *, seed: int = 0
) -> Tuple[List[Labelled], List[Labelled]]:
    """Hold out ``fraction`` of the examples for evaluation (the same split for every run)."""
    if not 0.0 < fraction < 1.0:
        raise InputError(f"--eval-split must be between 0 and 1, got {fraction}")
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)
    n_eval = max(1, int(round(len(shuffled) * fraction)))
    if n_eval >= len(shuffled):
        raise InputError(f"Too few examples ({len(shuffled)}) to hold out {fraction:.0%} for evaluation")
    return shuffled[n_eval:], shuffled[:n_eval]


def label_counts(examples: Iterable[Labelled]) -> Dict[str, Tuple[int, int]]:
    """Per label: (number of positives, number of examples where it is known)."""
    counts: Dict[str, List[int]] = {}
    for example in examples:
        for label, value in example.cats.items():
            entry = counts.setdefault(label, [0, 0])
            entry[0] += int(value >= 0.5)
            entry[1] += 1
    return {label: (pos, known) for label, (pos, known) in sorted(counts.items())}


def default_labels(examples: Sequence[Labelled], exclusive: bool, labels: Optional[Sequence[str]] = None) -> List[str]:
    """The labels to teach: those given, else the rarer class of two, else every label.

    With two exclusive classes one question says it all ("SPAM?" answers
    "HAM?"), so only the rarer one is asked about, as a user of textcat.teach
    would do on an imbalanced binary task.
    """
    counts = label_counts(examples)
    if labels:
        unknown = [label for label in labels if label not in counts]
        if unknown:
            raise InputError(f"Label(s) not in the data: {', '.join(unknown)} (found: {', '.join(counts)})")
        return list(labels)
    if exclusive and len(counts) == 2:
        return [min(counts, key=lambda label: (counts[label][0], label))]
    return list(counts)
