"""Pattern matches as annotation questions, and how far to trust each pattern.

:class:`SpanFinder` turns checked patterns into spaCy's ``PhraseMatcher`` (string
patterns) and ``Matcher`` (token patterns) and finds them in a ``Doc``; the
``mentor_pattern_gate`` component reuses it. :class:`PatternMatcher` is the model
a recipe puts in the loop: it yields ``(score, task)`` pairs like the statistical
models, and its ``update`` learns, per pattern, how often the annotator accepted
its matches.

A pattern's score is its precision estimate with a Beta prior::

    (accepts + prior_correct) / (accepts + rejects + prior_correct + prior_incorrect)

so a fresh pattern scores 0.5 (with the default priors 5/5), and a pattern whose
matches keep being rejected sinks towards 0. A sorter that prefers high scores
(``match``) or uncertain ones (the teach recipes) then shows its matches less
and less: bad patterns fade without being deleted (docs/patterns-and-rules.md).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..errors import ConfigError, InvalidTask
from ..preprocess import doc_to_tokens
from ..tasks import Task, set_hashes
from .patterns import Pattern, PatternsSource, filter_patterns, labels_of, load_patterns

__all__ = ["PatternMatcher", "SpanFinder", "Match"]

logger = logging.getLogger(__name__)

# (pattern, token start, token end exclusive)
Match = Tuple[Pattern, int, int]
PatternId = Union[str, int]


class SpanFinder:
    """Find the matches of a list of patterns in docs.

    Phrases match on ``LOWER`` unless ``case_sensitive``, then on ``ORTH``. Phrase
    patterns are tokenized with ``nlp.make_doc`` so they split like the texts do.
    """

    def __init__(self, nlp: Language, patterns: Sequence[Pattern], *, case_sensitive: bool = False) -> None:
        self.patterns: List[Pattern] = list(patterns)
        self.case_sensitive = case_sensitive
        self.needs_pipeline = any(p.needs_pipeline for p in self.patterns)
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._tokens = Matcher(nlp.vocab)
        self._by_key: Dict[int, Pattern] = {}
        for index, pattern in enumerate(self.patterns):
            # one key per pattern, so every match says which pattern made it
            key = f"mentor_pattern_{index}"
            self._by_key[nlp.vocab.strings.add(key)] = pattern
            if isinstance(pattern.pattern, str):
                matcher = self._orth if case_sensitive else self._lower
                matcher.add(key, [nlp.make_doc(pattern.pattern)])
                continue
            literal = _literal_words(pattern.pattern)
            if literal is not None:
                # the Matcher tries every pattern at every token; a phrase index does not, which
                # makes a 1,000-line list of {"lower": word} patterns ~50x faster
                attr, words = literal
                matcher = self._lower if attr == "LOWER" else self._orth
                matcher.add(key, [Doc(nlp.vocab, words=words)])
            else:
                self._tokens.add(key, [pattern.pattern])
        self._active = [m for m in (self._lower, self._orth, self._tokens) if len(m)]

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, doc: Doc) -> List[Match]:
        """All matches in ``doc``, ordered by position; the same span and label is kept once."""
        found: List[Match] = []
        seen = set()
        raw = [match for matcher in self._active for match in matcher(doc)]
        raw.sort(key=lambda m: (m[1], -m[2]))
        for key, start, end in raw:
            pattern = self._by_key[key]
            if (start, end, pattern.label) in seen:
                continue
            seen.add((start, end, pattern.label))
            found.append((pattern, start, end))
        return found


def _literal_words(pattern: List[Dict[str, Any]]) -> Optional[Tuple[str, List[str]]]:
    """``("LOWER"|"ORTH", words)`` if a token pattern only spells out words, else None."""
    attrs, words = set(), []
    for token in pattern:
        if len(token) != 1:
            return None
        (key, value), = token.items()
        key = key.upper()
        if not isinstance(value, str) or not value:
            return None
        if key == "LOWER" and value == value.lower():
            attrs.add("LOWER")
        elif key in ("ORTH", "TEXT"):
            attrs.add("ORTH")
        else:
            return None
        words.append(value)
    if len(attrs) != 1:
        return None
    return attrs.pop(), words


def _without_overlaps(matches: List[Match]) -> List[Match]:
    # the ner view can't draw overlapping spans: keep the longest, then the earliest
    kept: List[Match] = []
    taken: Set[int] = set()
    for match in sorted(matches, key=lambda m: (-(m[2] - m[1]), m[1])):
        tokens = set(range(match[1], match[2]))
        if tokens & taken:
            continue
        kept.append(match)
        taken |= tokens
    return sorted(kept, key=lambda m: m[1])


class PatternMatcher:
    """Turn pattern matches into scored tasks, and learn each pattern's precision.

    nlp: used to tokenize (and, only for patterns on POS, LEMMA, DEP... , to run the pipeline).
    patterns: a patterns JSONL path or a list of ``{"label", "pattern", "id"?}`` dicts.
    label_span: put the pattern's label on each span (the ``ner`` view).
    label_task: put the label on the task (the ``classification`` view).
    combine_matches: one task per input holding all its matches (per label when
        ``label_task``); otherwise one task per match.
    all_examples: yield inputs without matches too, scored 0.
    prior_correct / prior_incorrect: pseudo-counts of the precision estimate.
    filter_labels: use only the patterns with these labels.
    case_sensitive: match phrase patterns on the exact text instead of lower case.

    Raises :class:`~mentor.models.patterns.InvalidPattern` for a bad pattern.
    """

    def __init__(
        self,
        nlp: Language,
        patterns: PatternsSource,
        *,
        label_span: bool = True,
        label_task: bool = False,
        combine_matches: bool = True,
        all_examples: bool = False,
        prior_correct: float = 5.0,
        prior_incorrect: float = 5.0,
        filter_labels: Optional[List[str]] = None,
        case_sensitive: bool = False,
        batch_size: int = 64,
    ) -> None:
        if prior_correct < 0 or prior_incorrect < 0 or prior_correct + prior_incorrect <= 0:
            raise ConfigError(
                f"prior_correct and prior_incorrect must be >= 0 with a positive sum, "
                f"got {prior_correct} and {prior_incorrect}"
            )
        self.nlp = nlp
        self.label_span = label_span
        self.label_task = label_task
        self.combine_matches = combine_matches
        self.all_examples = all_examples
        self.prior_correct = float(prior_correct)
        self.prior_incorrect = float(prior_incorrect)
        self.batch_size = batch_size
        self.patterns: List[Pattern] = filter_patterns(load_patterns(patterns), filter_labels)
        self.finder = SpanFinder(nlp, self.patterns, case_sensitive=case_sensitive)
        self._ids = {p.id for p in self.patterns}
        self.accepts: Dict[PatternId, int] = {p.id: 0 for p in self.patterns}
        self.rejects: Dict[PatternId, int] = {p.id: 0 for p in self.patterns}

    @property
    def labels(self) -> List[str]:
        """The labels of the patterns in use, in file order."""
        return labels_of(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    # -- scores ---------------------------------------------------------------

    def pattern_score(self, pattern_id: PatternId) -> float:
        """The current precision estimate of one pattern."""
        accepts, rejects = self.accepts.get(pattern_id, 0), self.rejects.get(pattern_id, 0)
        return (accepts + self.prior_correct) / (accepts + rejects + self.prior_correct + self.prior_incorrect)

    def score(self, task: Task) -> float:
        """Score a task this matcher made, from its patterns' current estimates.

        A task holding several patterns' matches scores as its best pattern; a task
        with none scores 0. Sorters that keep a pool call this to re-score it after
        :meth:`update`.
        """
        ids = self._task_pattern_ids(task)
        return max((self.pattern_score(i) for i in ids), default=0.0)

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """The current score of each task, in order (``RescoringModel`` for the pool sorters)."""
        return [self.score(task) for task in tasks]

    # -- the stream -----------------------------------------------------------

    def __call__(self, stream: Iterable[Task]) -> Iterator[Tuple[float, Task]]:
        """Lazily yield ``(score, task)`` for the matches in each task of ``stream``.

        Tasks need a ``text``; raises :class:`~mentor.errors.InvalidTask` otherwise.
        Yielded tasks are new dicts with ``spans``, ``tokens``, ``meta.pattern`` and
        ``meta.score``; the input tasks are not changed.
        """
        for doc, task in self._docs(stream):
            matches = self.finder.find(doc)
            if not matches:
                if self.all_examples:
                    yield 0.0, self._make_task(task, doc, [])
                continue
            for group in self._group(matches):
                made = self._make_task(task, doc, group)
                yield made["score"], made

    def _docs(self, stream: Iterable[Task]) -> Iterator[Tuple[Doc, Task]]:
        checked = (self._check_task(task) for task in stream)
        if self.finder.needs_pipeline:
            pairs = ((task["text"], task) for task in checked)
            yield from self.nlp.pipe(pairs, as_tuples=True, batch_size=self.batch_size)
        else:
            # the tokenizer is all phrase and token-text patterns need: skip the pipeline
            for task in checked:
                yield self.nlp.make_doc(task["text"]), task

    @staticmethod
    def _check_task(task: Task) -> Task:
        text = task.get("text") if isinstance(task, dict) else None
        if not isinstance(text, str):
            where = f"task {task.get('_input_hash')}" if isinstance(task, dict) and "_input_hash" in task else None
            raise InvalidTask("text", "is missing or not a string; patterns match on text", where)
        return task

    def _group(self, matches: List[Match]) -> List[List[Match]]:
        if not self.combine_matches:
            return [[match] for match in matches]
        if self.label_task:
            by_label: Dict[str, List[Match]] = {}
            for match in matches:
                by_label.setdefault(match[0].label, []).append(match)
            return [_without_overlaps(group) for group in by_label.values()]
        return [_without_overlaps(matches)]

    def _make_task(self, task: Task, doc: Doc, matches: List[Match]) -> Task:
        spans = []
        for pattern, start, end in matches:
            span = doc[start:end]
            entry: Dict[str, Any] = {
                "start": span.start_char,
                "end": span.end_char,
                "text": span.text,
                "token_start": start,
                "token_end": end - 1,  # inclusive, as Prodigy's spans are
                "pattern": pattern.id,
            }
            if self.label_span:
                entry["label"] = pattern.label
            spans.append(entry)
        made = {key: value for key, value in task.items() if key != "_task_hash"}
        made["tokens"] = doc_to_tokens(doc)
        made["spans"] = spans
        meta = dict(task.get("meta") or {})
        if matches:
            ids = list(dict.fromkeys(pattern.id for pattern, _, _ in matches))
            score = max(self.pattern_score(i) for i in ids)
            meta["pattern"] = ", ".join(str(i) for i in ids)
            if self.label_task:
                made["label"] = matches[0][0].label
        else:
            score = 0.0
            if self.label_task and len(self.labels) == 1:
                made["label"] = self.labels[0]
        meta["score"] = score
        made["meta"] = meta
        made["score"] = score
        return set_hashes(made)

    # -- learning -------------------------------------------------------------

    def update(self, answers: Iterable[Task]) -> None:
        """Count accepts and rejects for the patterns behind answered pattern tasks.

        Ignored answers, answers to tasks without pattern spans (model suggestions)
        and ids of patterns this matcher doesn't hold change nothing.
        """
        for answer in answers:
            verdict = answer.get("answer")
            if verdict not in ("accept", "reject"):
                continue
            counts = self.accepts if verdict == "accept" else self.rejects
            for pattern_id in self._task_pattern_ids(answer):
                counts[pattern_id] += 1

    def _task_pattern_ids(self, task: Task) -> List[PatternId]:
        ids: List[PatternId] = []
        for span in task.get("spans") or []:
            pattern_id = span.get("pattern") if isinstance(span, dict) else None
            if pattern_id in self._ids and pattern_id not in ids:
                ids.append(pattern_id)
        return ids

    def pattern_stats(self) -> List[Dict[str, Any]]:
        """Per pattern: id, label, pattern, accepts, rejects and score, e.g. for an end-of-session table."""
        return [
            {
                "id": p.id,
                "label": p.label,
                "pattern": p.pattern,
                "accept": self.accepts[p.id],
                "reject": self.rejects[p.id],
                "score": self.pattern_score(p.id),
            }
            for p in self.patterns
        ]

