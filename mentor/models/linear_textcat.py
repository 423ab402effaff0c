"""The default text classifier in the teach loop: embeddings + TF-IDF under a logistic regression.

Why this and not a spaCy textcat: the model in the loop has two jobs, to learn
from very few answers and to say honestly how sure it is, so the sorter can
ask about what it doesn't know. A frozen sentence encoder carries most of the
first job (docs/active-learning.md: 0.5x random's labels to 90 % where spaCy's
bag-of-words needed 0.9x), TF-IDF n-grams keep the model improving past where
embeddings plateau, and a logistic regression refitted on every answer so far
gives calibrated probabilities at each step. The answers still train a real
spaCy pipeline afterwards with ``mentor train``.

Same interface as :class:`~mentor.models.textcat.TextClassifier`: ``model(stream)``
yields ``(score, question)``, ``update(answers)`` learns and returns the loss,
``score_tasks`` re-scores pooled questions, ``predict`` gives every label's score.

For exclusive classes it asks one question per text, about the text's likeliest
class: a "yes" settles the text, and every class the model believes in gets
asked about (:meth:`LinearTextClassifier.question_labels`).
"""
from __future__ import annotations

import copy
import inspect
import logging
import threading
import weakref
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy
from scipy import sparse

from ..errors import InputError
from ..tasks import EXPLORED_KEY, Task, rehash_task
from .cats import answers_to_cats, label_question, predict_in_batches
from .features import FeatureStore, RawFeatures, TextFeaturizer
from .linear_head import MaskedLogisticRegression, PartialSoftmaxRegression
from .protocols import ScoredTask

__all__ = ["LinearTextClassifier", "DEFAULT_L2", "label_text"]

logger = logging.getLogger(__name__)

# 1/C: chosen across the five corpora of bench/al_quality.py (full-data score and early curve)
DEFAULT_L2 = 0.25


class BackgroundFit:
    """Run ``fit`` in a thread whenever asked, once for however many requests came in meanwhile.

    A bound method is held weakly (as the rehearsal's worker holds its model): the thread
    must not keep a classifier nobody uses any more alive; once it is gone, the thread ends.
    """

    def __init__(self, fit: Callable[[], None]) -> None:
        self._fit: Callable[[], Optional[Callable[[], None]]] = (
            weakref.WeakMethod(fit) if inspect.ismethod(fit) else lambda: fit
        )
        self._wanted = threading.Condition()
        self._pending = 0  # requests not yet covered by a finished fit
        self._thread: Optional[threading.Thread] = None

    def request(self) -> None:
        with self._wanted:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mentor-fit", daemon=True)
                self._thread.start()
            self._wanted.notify_all()

    def wait(self, timeout: Optional[float] = None) -> bool:
        with self._wanted:
            return self._wanted.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        while True:
            with self._wanted:
                if not self._wanted.wait_for(lambda: self._pending > 0, timeout=1.0):
                    if self._fit() is None:
                        return
                    continue
                covered = self._pending
            fit = self._fit()
            if fit is None:
                return
            try:
                fit()
            except Exception:  # a failed fit keeps the last good weights; the next answer tries again
                logger.exception("Refitting the text classifier failed")
            del fit
            with self._wanted:
                self._pending -= covered
                self._wanted.notify_all()


def label_text(label: str) -> str:
    """A label's name as words: ``SCI_TECH`` -> ``sci tech``."""
    return " ".join(label.replace("_", " ").replace("-", " ").lower().split()) or label


class LinearTextClassifier:
    """Score texts per label with a logistic regression over text features; refit on every update.

    labels: the labels to ask about.
    featurizer: turns texts into feature rows (embeddings and/or TF-IDF).
    exclusive: the labels are mutually exclusive classes.
    l2: regularisation (1/C in scikit-learn's terms).
    recalibrate: after each fit, set independent labels' biases on the answers to questions
        the sorter drew at random (:meth:`MaskedLogisticRegression.recalibrate`).
    """

    def __init__(
        self,
        labels: Sequence[str],
        featurizer: TextFeaturizer,
        *,
        exclusive: bool = False,
        l2: float = DEFAULT_L2,
        balanced: bool = True,
        batch_size: int = 32,
        max_iter: int = 100,
        label_seeds: bool = True,
        fit_in_background: bool = False,
        recalibrate: bool = True,
    ) -> None:
        if not labels:
            raise InputError("A text classifier needs at least one label (--label)")
        if exclusive and len(labels) < 2:
            raise InputError("Exclusive classes need at least two labels: use a multi-label classifier")
        self.labels: List[str] = list(dict.fromkeys(labels))
        self.exclusive = exclusive
        self.featurizer = featurizer
        self.batch_size = batch_size
        self.store = FeatureStore(featurizer)
        # exclusive classes: one softmax, so a "no" to one class moves its mass to the others
        head_class = PartialSoftmaxRegression if exclusive else MaskedLogisticRegression
        self.head = head_class(len(self.labels), l2=l2, balanced=balanced, max_iter=max_iter)
        self._index = {label: i for i, label in enumerate(self.labels)}
        # everything answered so far: one entry per text (answers on one text merge)
        self._rows: Dict[str, int] = {}
        self._texts: List[str] = []
        self._raw: Optional[RawFeatures] = None
        self._targets = numpy.zeros((0, len(self.labels)))
        self._known = numpy.zeros((0, len(self.labels)), dtype=bool)
        # per label, whether some answer said "yes" to it; kept up to date by _add, since the
        # pool asks question_priority for every question it pushes
        self._has_yes = numpy.zeros(len(self.labels), bool)
        # per text and label, whether the sorter drew that question at random: a fair sample
        # to calibrate the label on (a text may be drawn for one label and chosen for another)
        self.recalibrate = recalibrate and not exclusive
        self._drawn_at_random = numpy.zeros((0, len(self.labels)), dtype=bool)
        self._lock = threading.RLock()
        self.n_updates = 0
        self._asked: Dict[str, int] = {label: 0 for label in self.labels}
        # the teach recipes refit in a thread: the answer is acknowledged and the next questions
        # served at once, scored by the last finished fit; ``on_fitted`` (the pool's rescore) runs
        # after each fit. A simulation fits in step, so it is reproducible.
        self.fit_in_background = fit_in_background
        self.on_fitted: Optional[Callable[[], None]] = None
        self._fitter = BackgroundFit(self._fit)
        # the label's name, as a text, stands in for a "yes" until the first real one
        self.label_seeds = label_seeds and featurizer.embedder is not None
        if self.label_seeds and self.exclusive:
            self._fit()  # K named classes are already a (weak) zero-shot classifier

    @property
    def n_answered(self) -> int:
        """Texts with at least one known label."""
        return len(self._texts)

    # ---- scoring -------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str]) -> numpy.ndarray:
        """One row per text, one column per label (in ``labels`` order)."""
        if not texts:
            return numpy.zeros((0, len(self.labels)))
        rows = self.featurizer.rows(self.store.get(texts))
        with self._lock:
            probs = self.head.predict_proba(rows)
        if self.exclusive:
            probs = probs / numpy.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
        return probs

    @property
    def least_confident_first(self) -> bool:
        """For exclusive classes the sorter serves the texts whose likeliest class is least likely."""
        return self.exclusive

    @property
    def has_vectors(self) -> bool:
        return self.featurizer.embedder is not None

    def vectors(self, tasks: Sequence[Task]) -> numpy.ndarray:
        """The unit sentence vectors of the tasks' texts (for diverse batches)."""
        raw = self.store.get([task["text"] for task in tasks])
        assert raw.dense is not None, "a model without an encoder has no vectors"
        return raw.dense

    def predict(self, texts: Sequence[str]) -> List[Dict[str, float]]:
        """Return the score of every label for each text."""
        probs = self.predict_proba(texts)
        return [{label: float(row[i]) for i, label in enumerate(self.labels)} for row in probs]

    def predict_tasks(self, stream: Iterable[Task]) -> Iterator[Tuple[Task, Dict[str, float]]]:
        """Yield each task with the scores of all labels, lazily, a batch at a time."""
        return predict_in_batches(self.predict, stream, self.batch_size)

    def question_labels(self, scores: Dict[str, float]) -> List[str]:
        """The labels to ask about for one text: all of them, or for exclusive classes the most informative."""
        if not self.exclusive:
            return self.labels
        # the likeliest class: a yes settles the text, and every class the model believes in
        # gets asked about (the class nearest even odds kept asking about one or two classes:
        # ag-news stayed at macro F1 0.59 after 500 answers where random order reached 0.86)
        return [max(self.labels, key=lambda label: (scores[label], -self._asked[label]))]

    def __call__(self, stream: Iterable[Task]) -> Iterator[ScoredTask]:
        """Yield ``(score, question)`` per text and asked label, lazily, in batches."""
        for task, cats in self.predict_tasks(stream):
            for label in self.question_labels(cats):
                self._asked[label] += 1
                yield cats[label], label_question(task, label, cats[label])

    def score_tasks(self, tasks: Sequence[Task]) -> List[float]:
        """The current score of each question's ``label`` (for re-scoring a pool).

        With exclusive classes a question about a class someone has said "yes" to is
        first re-aimed at its text's likeliest class now (``label`` and task hash
        changed in place). The class asked about was the likeliest when the text was
        pulled; after a few answers it often is not, and least confidence ranks
        "1 - its score" highest, so the pool served first the questions the model
        already knew to be "no" (ag-news). A question about a class nobody has
        confirmed keeps its class: it is how that class gets found (banking77, 77
        classes, fell to random order's level when every question was re-aimed).
        Re-aiming those too once the model gives a confirmed class even odds cured
        teach's slow start on davidson-3class (macro F1 at 50 answers 0.297 -> 0.396,
        random order 0.407) but cost its lead later (0.586 -> 0.550 at 2,000, random
        0.553): the rare class was never confirmed (docs/active-learning.md).
        """
        probs = self.predict_proba([task["text"] for task in tasks])
        confirmed = self._has_yes if self.exclusive else None
        scores: List[float] = []
        for task, row in zip(tasks, probs):
            asked = task.get("label")
            if asked not in self._index:
                scores.append(0.0)
                continue
            if confirmed is not None and confirmed[self._index[asked]]:
                likeliest = self.question_labels({label: float(row[i]) for i, label in enumerate(self.labels)})[0]
                if likeliest != asked:
                    self._asked[asked] -= 1
                    self._asked[likeliest] += 1
                    task["label"] = asked = likeliest
                    rehash_task(task)
            scores.append(float(row[self._index[asked]]))
        return scores

    def question_priority(self, task: Task, score: float) -> float:
        """How soon the teach pool should ask an exclusive question (``ScoredPool(question_priority=)``).

        Least confidence (``1 - score``) for a question about a class someone has said
        "yes" to, and for every question while nobody has said "yes" to anything. A
        question about a class nobody has confirmed looks for that class's first "yes":
        the likelier the text is to be in it, the sooner, at ``K * score`` (chance, 1/K,
        and above ranks with the most uncertain). Least confidence ranked those first
        the texts *least* like the class: on davidson-3class teach asked "HATE?" 36
        times in its first 50 answers for one "yes", below the class's 6 %.
        """
        confirmed = self._has_yes
        asked = self._index.get(task.get("label"))  # type: ignore[arg-type]
        if asked is None or confirmed[asked] or not confirmed.any():
            return 1.0 - score
        return min(1.0, len(self.labels) * score)

    # ---- learning ------------------------------------------------------------------------

    def answers_to_cats(self, answers: Iterable[Task]) -> Dict[str, Dict[str, float]]:
        return answers_to_cats(answers, self.labels, exclusive=self.exclusive)

    def _add(self, by_text: Dict[str, Dict[str, float]], drawn_at_random: Iterable[Tuple[str, str]] = ()) -> List[int]:
        """Merge new answers into the stored targets; return the rows they touched."""
        touched: List[int] = []
        new_rows = []
        for text, cats in by_text.items():
            row = self._rows.get(text)
            if row is None:
                row = len(self._texts)
                self._rows[text] = row
                self._texts.append(text)
                new_rows.append(row)
            touched.append(row)
        if new_rows:
            fresh = self.store.get([self._texts[row] for row in new_rows])
            self._raw = fresh if self._raw is None else RawFeatures.stack([self._raw, fresh])
            grow = len(new_rows)
            self._targets = numpy.vstack([self._targets, numpy.zeros((grow, len(self.labels)))])
            self._known = numpy.vstack([self._known, numpy.zeros((grow, len(self.labels)), dtype=bool)])
            self._drawn_at_random = numpy.vstack([self._drawn_at_random, numpy.zeros((grow, len(self.labels)), dtype=bool)])
        for text, label in drawn_at_random:
            if text in self._rows and label in self._index:
                self._drawn_at_random[self._rows[text], self._index[label]] = True
        for text, cats in by_text.items():
            row = self._rows[text]
            for label, value in cats.items():
                self._targets[row, self._index[label]] = value
                self._known[row, self._index[label]] = True
        self._has_yes = ((self._targets >= 0.5) & self._known).any(axis=0)
        return touched

    def _batch_loss(self, rows: sparse.csr_matrix, index: List[int], touched: List[int]) -> float:
        """Log loss of the current model on the new answers, before learning from them."""
        probs = numpy.clip(self.head.predict_proba(rows[index]), 1e-7, 1 - 1e-7)
        y, mask = self._targets[touched], self._known[touched]
        losses = -(y * numpy.log(probs) + (1 - y) * numpy.log(1 - probs))
        return float((losses * mask).sum() / max(mask.sum(), 1))

    def update(self, answers: List[Task]) -> Optional[float]:
        """Refit on every answer so far; return the log loss on the new ones before the refit."""
        by_text = self.answers_to_cats(answers)
        if not by_text:
            return None
        drawn_at_random = [
            (answer["text"], answer["label"]) for answer in answers
            if answer.get(EXPLORED_KEY) and "text" in answer and isinstance(answer.get("label"), str)
        ]
        with self._lock:
            touched = self._add(by_text, drawn_at_random)
            assert self._raw is not None
            loss = self._batch_loss(self.featurizer.rows(self._raw.take(touched)), list(range(len(touched))), touched)
            self.n_updates += 1
        if self.fit_in_background:
            self._fitter.request()
        else:
            self._fit()
        return loss

    def wait_for_fit(self, timeout: Optional[float] = None) -> bool:
        """Block until every answer so far is in the weights (background fitting only)."""
        return self._fitter.wait(timeout) if self.fit_in_background else True

    def _seed_rows(self) -> Tuple[List[str], numpy.ndarray, numpy.ndarray]:
        """Pseudo-answers: each label's name as a text that has the label, for labels without a real yes."""
        texts, targets, known = [], [], []
        answered = len(self._texts) > 0
        has_yes = self._has_yes
        has_no = ((self._targets < 0.5) & self._known).any(axis=0) if answered else numpy.zeros(len(self.labels), bool)
        for k, label in enumerate(self.labels):
            # an independent label needs a real "no" first: a lone "yes" would make everything a yes
            if not self.label_seeds or (has_yes[k] and not self.exclusive) or not (self.exclusive or has_no[k]):
                continue
            row = numpy.zeros(len(self.labels))
            row[k] = 1.0
            texts.append(label_text(label))
            targets.append(row)
            known.append(numpy.ones(len(self.labels), bool) if self.exclusive else row.astype(bool))
        return texts, numpy.asarray(targets).reshape(-1, len(self.labels)), numpy.asarray(known, bool).reshape(-1, len(self.labels))

    def _fit(self) -> None:
        """Refit a copy of the head on everything answered, then swap it in (readers never see half a fit)."""
        with self._lock:
            seeds, seed_targets, seed_known = self._seed_rows()
            parts = ([self._raw] if self._raw is not None else []) + ([self.store.get(seeds)] if seeds else [])
            if not parts:
                return
            raw = RawFeatures.stack(parts)
            targets = numpy.vstack([self._targets, seed_targets])
            known = numpy.vstack([self._known, seed_known])
            drawn = self._drawn_at_random & self._known
            sample = numpy.flatnonzero(drawn.any(axis=1)) if self.recalibrate else numpy.zeros(0, dtype=int)
            head = copy.copy(self.head)
        rows = self.featurizer.rows(raw)
        head.fit(rows, targets, known)
        if len(sample):
            head.recalibrate(rows[sample], targets[sample], drawn[sample])
        with self._lock:
            self.head = head
        if self.on_fitted is not None:
            self.on_fitted()
