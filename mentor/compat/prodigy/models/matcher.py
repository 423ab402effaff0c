"""``prodigy.models.matcher``: a ``PatternMatcher`` built first and given patterns after.

Prodigy's matcher is constructed without patterns, then filled with
``from_disk(path)`` or ``add_patterns(patterns)``; mentor's takes the patterns
when it is made. This one keeps the settings and the patterns, and builds
mentor's matcher (again) when patterns are added: the precision counts of
patterns added earlier are carried over.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from mentor.models.matcher import PatternMatcher as _PatternMatcher
from mentor.models.patterns import load_patterns
from mentor.tasks import Task

__all__ = ["PatternMatcher"]


class PatternMatcher:
    """Prodigy's matcher: ``PatternMatcher(nlp, ...).from_disk(path)``; calls yield ``(score, task)``."""

    def __init__(
        self,
        nlp: Any,
        prior_correct: float = 2.0,
        prior_incorrect: float = 2.0,
        label_span: bool = True,
        label_task: bool = False,
        filter_labels: Optional[Sequence[str]] = None,
        combine_matches: bool = False,
        all_examples: bool = False,
        task_hash_keys: Optional[Sequence[str]] = None,
        **_ignored: Any,
    ) -> None:
        self.nlp = nlp
        self._options: Dict[str, Any] = {
            "prior_correct": prior_correct, "prior_incorrect": prior_incorrect, "label_span": label_span,
            "label_task": label_task, "filter_labels": list(filter_labels) if filter_labels else None,
            "combine_matches": combine_matches, "all_examples": all_examples,
        }
        self._patterns: List[Any] = []  # dicts, or mentor's checked Pattern objects from a file
        self._matcher: Optional[_PatternMatcher] = None

    def add_patterns(self, patterns: Iterable[Dict[str, Any]]) -> "PatternMatcher":
        """Add pattern dicts (``{"label", "pattern"}``); raises InvalidPattern for a bad one."""
        self._patterns.extend(patterns)
        previous = self._matcher
        self._matcher = _PatternMatcher(self.nlp, list(self._patterns), **self._options)
        if previous is not None:
            for counts in ("accepts", "rejects"):
                getattr(self._matcher, counts).update(
                    {k: v for k, v in getattr(previous, counts).items() if k in getattr(self._matcher, counts)}
                )
        return self

    def from_disk(self, path: Union[str, Path], **_ignored: Any) -> "PatternMatcher":
        """Add the patterns of a JSONL file."""
        return self.add_patterns(load_patterns(Path(path)))

    @property
    def matcher(self) -> _PatternMatcher:
        if self._matcher is None:
            self.add_patterns([])
        assert self._matcher is not None
        return self._matcher

    def __call__(self, stream: Iterable[Task]) -> Iterator[Tuple[float, Task]]:
        return self.matcher(stream)

    def update(self, answers: Iterable[Task], **_ignored: Any) -> None:
        self.matcher.update(answers)

    def __len__(self) -> int:
        return len(self._patterns)

    def __getattr__(self, name: str) -> Any:
        # score_tasks, labels, pattern_stats ...: mentor's matcher answers them
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.matcher, name)
