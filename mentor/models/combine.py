"""Put a pattern matcher beside a statistical model in the loop.

Patterns get a cold model going: their matches are asked about from the first
question, while the model's own suggestions are still noise. Both kinds of
question are interleaved (neither has priority; the sorter decides), and every
answer trains both: the matcher counts accepts and rejects per pattern, and the
model learns from *all* answers, pattern tasks included, so it generalises
beyond the listed terms (and learns that a listed term in the wrong context is
not enough).
"""
from __future__ import annotations

from itertools import islice, zip_longest
from typing import Any, Callable, Hashable, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from ..errors import InputError
from ..tasks import Task
from .matcher import PatternMatcher
from .patterns import PatternsSource
from .protocols import ScoredTask, ScoringModel

__all__ = ["CombinedModel", "combine_models", "is_pattern_task", "matcher_for_labels"]


def is_pattern_task(task: Task) -> bool:
    """True for a question made by the pattern matcher (it names its pattern)."""
    if (task.get("meta") or {}).get("pattern") is not None:
        return True
    return any(isinstance(span, dict) and "pattern" in span for span in task.get("spans") or [])


def _question_key(task: Task) -> Hashable:
    """What a question asks: the text and its label, or the text and its labelled spans."""
    if "label" in task:
        return (task.get("_input_hash"), "label", task["label"])
    spans = tuple(
        (span.get("start"), span.get("end"), span.get("label")) for span in task.get("spans") or []
    )
    return (task.get("_input_hash"), "spans", spans)


class CombinedModel:
    """Interleave a model's and a matcher's questions; update both from the answers.

    Questions asking the same thing about the same text (a model suggestion
    that a pattern also found) are asked once, as the pattern's question, since
    it shows where the pattern matched.
    """

    def __init__(self, model: ScoringModel, matcher: Any, *, batch_size: int = 16) -> None:
        self.model = model
        self.matcher = matcher
        self.batch_size = batch_size

    def __call__(self, stream: Iterable[Task]) -> Iterator[ScoredTask]:
        """Yield ``(score, question)`` from both, lazily, a batch of inputs at a time."""
        tasks = iter(stream)
        while True:
            batch = list(islice(tasks, self.batch_size))
            if not batch:
                return
            from_patterns = list(self.matcher(dict(task) for task in batch))
            if self.least_confident_first and from_patterns:
                pattern_tasks = [task for _, task in from_patterns]
                from_patterns = list(zip(self._model_scores(pattern_tasks), pattern_tasks))
            seen: Set[Hashable] = {_question_key(task) for _, task in from_patterns}
            from_model = [
                (score, task) for score, task in self.model(dict(task) for task in batch)
                if _question_key(task) not in seen
            ]
            for pair in zip_longest(from_model, from_patterns):
                for item in pair:
                    if item is not None:
                        yield item

    # ---- what the teach sorter reads off the model: the model's, so patterns change no rule ----

    @property
    def least_confident_first(self) -> bool:
        """Exclusive classes: the model asks about each text's likeliest class, least sure first."""
        return bool(getattr(self.model, "least_confident_first", False))

    @property
    def has_vectors(self) -> bool:
        return bool(getattr(self.model, "has_vectors", False))

    @property
    def vectors(self) -> Optional[Callable[[Sequence[Task]], Any]]:
        """The model's text vectors (for diverse and typical questions), pattern questions' texts included."""
        return getattr(self.model, "vectors", None)

    def question_priority(self, task: Task, score: float) -> float:
        """How soon to ask, for a sorter that ranks exclusive questions one by one.

        Every question, a pattern's too, by the model's own rule on the model's
        score (see :meth:`score_tasks`); least confident first when it has none.
        """
        own = getattr(self.model, "question_priority", None)
        return own(task, score) if own is not None else 1.0 - score

    def update(self, answers: List[Task]) -> Optional[float]:
        """Count pattern answers in the matcher and train the model on every answer."""
        self.matcher.update(answers)
        return self.model.update(answers)

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """Re-score questions: the matcher scores its own, the model the rest.

        With exclusive classes the model scores a pattern's question too: its
        probability of the pattern's label for the text. The teach sorter then ranks
        it by the model's rule, as a question about that label: soon while nobody has
        said "yes" to the label (a pattern is how a class is first found), later only
        where the model doubts it. Ranked by doubt about the pattern's precision
        (0.5 at first), pattern questions outranked all of the model's (ag-news, 8
        keyword patterns a class, 3 seeds: macro F1 0.853 at 500 answers against
        0.858). Measured against plain uncertainty for every question (what
        textcat.teach --exclusive --patterns did before): 0.731 against 0.624 at
        1,000 answers on banking77, level on ag-news, behind on davidson-3class
        mid-curve (docs/active-learning.md, "Patterns beside the model").
        """
        scores: List[float] = [float(task.get("score", 0.0)) for task in tasks]
        by_source: Tuple[List[int], List[int]] = ([], [])
        for i, task in enumerate(tasks):
            by_source[0 if is_pattern_task(task) else 1].append(i)
        pattern_scorer = self._model_scores if self.least_confident_first else getattr(self.matcher, "score_tasks", None)
        for indices, scorer in zip(by_source, (pattern_scorer, getattr(self.model, "score_tasks", None))):
            if indices and scorer is not None:
                for i, score in zip(indices, scorer([tasks[i] for i in indices])):
                    scores[i] = score
        return scores

    def _model_scores(self, tasks: Sequence[Task]) -> List[float]:
        """The model's probability of each task's ``label`` (no re-aiming: a pattern's question keeps its label)."""
        predicted = self.model.predict([task["text"] for task in tasks])
        return [float(scores.get(task.get("label"), 0.0)) for task, scores in zip(tasks, predicted)]


def combine_models(model: ScoringModel, matcher: Any, *, batch_size: int = 16) -> CombinedModel:
    """Combine a model and a pattern matcher into one model for a teach loop."""
    return CombinedModel(model, matcher, batch_size=batch_size)


def matcher_for_labels(
    nlp: Any,
    patterns: PatternsSource,
    labels: Sequence[str],
    *,
    label_span: bool,
    label_task: bool,
    combine_matches: bool = True,
) -> PatternMatcher:
    """A pattern matcher over the patterns for ``labels``; raises InputError if none is left."""
    matcher = PatternMatcher(
        nlp, patterns, label_span=label_span, label_task=label_task,
        combine_matches=combine_matches, filter_labels=list(labels),
    )
    if not len(matcher):
        raise InputError(f"{patterns}: no pattern has any of the labels {', '.join(labels)}")
    return matcher
