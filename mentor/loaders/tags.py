"""Token tags (IOB1, IOB2, BILUO/IOBES) to token spans and back: what CoNLL files and ``.iob`` lines hold.

The schemes differ only in how an entity starts and ends, so one reader takes
them all: ``B``/``U``/``S`` start one, ``I`` continues the open entity of the same
label (or starts one, as IOB1 writes it), ``L``/``E`` end it. Exports are IOB2,
what CoNLL-2003 and ``spacy convert`` expect.
"""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

TokenSpan = Tuple[int, int, str]  # first token, last token (inclusive), label

TAG = re.compile(r"^(?:O|([BIELUS])-(.+))$")


class TagError(ValueError):
    """A tag sequence that names no spans: ``index`` is the token it broke at."""

    def __init__(self, index: int, problem: str) -> None:
        self.index = index
        super().__init__(problem)


def tags_to_spans(tags: Sequence[str]) -> List[TokenSpan]:
    """The entities a sentence's tags mark, as token spans; raises TagError for a tag no scheme allows."""
    spans: List[TokenSpan] = []
    open_start: Optional[int] = None
    open_label = ""
    for index, tag in enumerate(tags):
        match = TAG.match(tag)
        if match is None:
            raise TagError(index, f"tag '{tag}' is none of O, B-, I-, L-, E-, U-, S- followed by a label")
        prefix, label = match.group(1), match.group(2) or ""
        continues = open_start is not None and label == open_label and prefix in ("I", "L", "E")
        if open_start is not None and not continues:
            spans.append((open_start, index - 1, open_label))
            open_start = None
        if prefix is None:
            continue
        if prefix in ("L", "E") and not continues:
            raise TagError(index, f"tag '{tag}' ends an entity that no B-{label} or I-{label} began")
        if open_start is None:
            open_start, open_label = index, label
        if prefix in ("L", "E", "U", "S"):
            spans.append((open_start, index, label))
            open_start = None
    if open_start is not None:
        spans.append((open_start, len(tags) - 1, open_label))
    return spans


def spans_to_iob(length: int, spans: Sequence[TokenSpan]) -> List[str]:
    """IOB2 tags for ``length`` tokens; raises TagError where two spans share a token (IOB can't say that)."""
    tags = ["O"] * length
    for start, end, label in sorted(spans):
        for index in range(start, end + 1):
            if tags[index] != "O":
                raise TagError(index, f"spans overlap at token {index}: CoNLL gives a token one entity")
            tags[index] = ("B-" if index == start else "I-") + label
    return tags
