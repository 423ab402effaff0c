"""Errors a user can cause when measuring agreement (M140-M149 are the metrics')."""
from __future__ import annotations

from typing import Mapping, Sequence

from ..errors import InputError, NotFound


def _listed(names: Sequence[str], most: int = 10) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "") if names else "none"


class NoAnnotators(InputError):
    """No answer says who gave it (no ``_session_id``): there is nobody to compare."""

    code = "M140"

    def __init__(self, source: str, answers: int) -> None:
        self.source, self.answers = source, answers
        what = f"none of its {answers:,} answers names" if answers else "it holds no answers, so none names"
        super().__init__(
            f"Can't measure agreement in '{source}': {what} an annotator (_session_id). Annotate with "
            "named sessions (?session=NAME), or import answers that carry _session_id. Nothing was measured"
        )


class NothingToCompare(InputError):
    """No item was answered by two annotators or more."""

    code = "M141"

    def __init__(self, source: str, annotators: int, single: int) -> None:
        self.source, self.annotators, self.single = source, annotators, single
        super().__init__(
            f"Can't measure agreement in '{source}': no item was answered by two annotators or more "
            f"({annotators} annotator{'s' if annotators != 1 else ''}, {single:,} item{'s' if single != 1 else ''} "
            "answered once). Serve the same tasks to several sessions (feed_overlap), or pick other --annotators"
        )


class _UnknownNames(NotFound):
    """An option names something the dataset doesn't hold; the message lists what it does hold."""

    option, problem, plural = "", "", ""

    def __init__(self, source: str, names: Sequence[str], known: Sequence[str]) -> None:
        self.source, self.names, self.known = source, list(names), list(known)
        super().__init__(
            f"{self.option}: {', '.join(repr(n) for n in names)} {self.problem} '{source}'; "
            f"its {self.plural} are {_listed(list(known))}"
        )


class UnknownAnnotator(_UnknownNames):
    """``--annotators`` names someone who answered nothing in the dataset."""

    code = "M142"
    option, problem, plural = "--annotators", "answered nothing in", "annotators"


class UnknownLabel(_UnknownNames):
    """``--labels`` names a label no answer or option in the dataset has."""

    code = "M143"
    option, problem, plural = "--labels", "is not a label in", "labels"


class MixedViews(InputError):
    """The answers come from several annotation views, which can't be compared with one measure."""

    code = "M144"

    def __init__(self, source: str, views: Mapping[str, int]) -> None:
        self.source, self.views = source, dict(views)
        counts = ", ".join(f"{view}: {count:,}" for view, count in sorted(views.items(), key=lambda kv: -kv[1]))
        super().__init__(
            f"'{source}' holds answers from several views ({counts}): agreement compares answers of one kind. "
            "Keep one kind in a dataset (db-out, filter, db-in) and measure that. Nothing was measured"
        )


class NotExclusive(InputError):
    """``multiclass`` was asked for, but answers accept several options."""

    code = "M145"

    def __init__(self, source: str, answers: int) -> None:
        self.source, self.answers = source, answers
        super().__init__(
            f"{answers:,} answer{'s' if answers != 1 else ''} in '{source}' accept several options, so the labels "
            "are not exclusive: use 'multilabel'. Nothing was measured"
        )
