"""``prodigy.models.textcat``: ``TextClassifier(nlp, labels, component)``."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from mentor.models.textcat import TextClassifier as _TextClassifier

__all__ = ["TextClassifier"]


class TextClassifier(_TextClassifier):
    """mentor's spaCy text classifier, taking the component name as Prodigy's third positional argument."""

    def __init__(self, nlp: Any, labels: Sequence[str], component: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(nlp, list(labels), component=component, **kwargs)
