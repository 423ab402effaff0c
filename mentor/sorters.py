"""Order a scored stream so the most useful question comes first, dropping none.

Prodigy's sorters filter a stream on the fly: they keep a running mean of the
uncertainty and let through only what beats it, so about half the stream is
thrown away and "No tasks available" appears long before the file ends. Here a
sorter is a bounded *pool*:

1. Fill the pool with up to ``pool_size`` scored questions from the stream.
2. Serve the question of highest priority (ties: the one that arrived first).
3. Pull ``scan`` new questions for each one served (one by default), so the
   pool stays full; what a fuller pool can't hold, its least useful questions,
   goes to a *reserve*. A pool that only replaces what it serves sees barely more
   of the stream than it serves: after a few hundred answers nearly every text is
   asked in arrival order, which on a rare class (5.8 % positive) is random order.
4. When the model has learnt (:meth:`ScoredPool.rescore`), score the pool's
   questions again before the next one is served (all of them, or with
   ``rescore_limit`` the best ones and a window rotating through the rest): a
   question that was dull before the update may be the most uncertain after it.
   Questions scored by the current model are served before those still holding
   an older model's score, so a stale score never wins: a cold model scores
   every text 0.5, and without this rule those stale "most uncertain" scores
   would be served, in arrival order, until the whole pool had been re-scored.
5. When the stream ends, the reserve flows back into the pool (oldest first,
   re-scored), then what is left is served, best first.

Every question of a finite stream comes out exactly once while the reserve holds
what was set aside (``reserve_size`` questions; beyond it the oldest set aside
are let go, as Prodigy's sorters let questions go: they stay unanswered, so a
later session meets them again), and memory is bounded by ``pool_size`` plus
``reserve_size`` whatever the length of the stream. See docs/active-learning.md.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections import deque
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .tasks import EXPLORED_KEY, Task

__all__ = [
    "ScoredPool", "prefer_uncertain", "prefer_high_scores", "prefer_low_scores",
    "uncertainty", "least_confidence", "teach_sorter", "DEFAULT_POOL_SIZE", "DEFAULT_RESCORE_LIMIT", "NER_RESCORE_LIMIT", "DEFAULT_EXPLORE", "DEFAULT_DIVERSITY",
    "DEFAULT_DENSITY", "DEFAULT_POWER", "DEFAULT_POWER_EXCLUSIVE", "DEFAULT_SCAN", "DEFAULT_SCAN_EXCLUSIVE",
    "DEFAULT_RESERVE_SIZE",
]

logger = logging.getLogger(__name__)

DEFAULT_POOL_SIZE = 512
# re-scoring costs a model pass per pooled question; 64 keeps an update of the
# teach loop near raw spaCy's cost while every question is refreshed every few updates
DEFAULT_RESCORE_LIMIT: Optional[int] = 64
# ner.teach's (and its replay's, `mentor simulate --ner`): each re-scored question is a beam
# parse of its sentence, so 64 would double the update's cost; 16 or 64 instead of 32 moved
# teach's F1 at 1,000 CoNLL answers by less than the seed spread
NER_RESCORE_LIMIT = 32
# the most questions a pool lacks before it is topped up (an eighth of it, for smaller pools)
REFILL_MAX = 16
# questions set aside by a pool that pulls more than it serves (``scan`` > 1), to come back when
# the stream ends: a finite corpus of this size still has every text asked once
DEFAULT_RESERVE_SIZE = 20_000
# new questions over which ScoredPool.positive_share is a running mean
RARITY_WINDOW = 200

# share of teach questions served at random from the pool: on sst2 pure uncertainty
# fell below random order (0.781 vs 0.795 at 500 answers); 0.2-0.3 costs sms-spam nothing.
# 0.1 was measured on 2026-12-04 (docs/active-learning.md, "How many at random"): ahead at 500
# answers on 5 seeds, not on 3, and 300 teach answers on davidson-hate then trained a worse
# classifier than 300 random ones (8 seeds: F1 0.067 vs 0.083); not kept
DEFAULT_EXPLORE = 0.2
# weight of likeness to the batch so far against uncertainty (bench/al_quality.py)
DEFAULT_DIVERSITY = 0.0
# exponent of the density weight for exclusive classes (least confidence first): the least
# confident texts of a cold model are outliers, and a "no" about one teaches little. ag-news
# (4 classes) at 100/200/250 answers, 2 seeds: least confidence alone 0.476/0.675/0.756,
# weighted by density 0.693/0.810/0.829, random 0.696/0.835/0.840; banking77 (77 classes) at
# 250/500: 0.593/0.638, weighted 0.521/0.590, random 0.491/0.518. An exponent of 2 or 4 was
# better on ag-news early and worse on banking77; 1 is the least bad on both.
DEFAULT_DENSITY = 1.0
# questions drawn with probability priority ** power (ScoredPool._pop_sampled) instead of the
# best first; 0 = best first. Exclusive classes (3 seeds, macro F1, bench/al_quality.py): ag-news
# at 50/100/150/200 answers, best first + 20 % explored 0.576/0.731/0.741/0.816, power 2
# 0.640/0.691/0.804/0.837, random 0.632/0.664/0.770/0.836 (power 1: 0.611 at 50, power 3 or 4:
# 0.803-0.811 at 200); banking77 at 250/500 0.540/0.599, power 2 0.534/0.599, random 0.490/0.515.
# Binary questions stay best first: sms-spam at 50/100 answers 0.890/0.916 best first, 0.743/0.884
# at power 2, and sst2 and davidson-hate moved less than their seed spread.
DEFAULT_POWER = 0.0
DEFAULT_POWER_EXCLUSIVE = 2.0
# new questions the teach pool pulls for each one it serves (ScoredPool's ``scan``), for yes/no
# questions scaled by how rare the label looks (scan_by_rarity). bench/al_quality.py, teach, 3 seeds,
# F1 at 500 / 1,000 answers: sms-spam 0.920 / 0.921 without, 0.934 / 0.939 with; davidson-hate
# 0.212 / 0.316 without, 0.274 / 0.341 with (random order 0.200 / 0.313); sst2 (scan stays ~1) 0.790 /
# 0.799, random 0.790 / 0.798. Exclusive classes were mixed, so they keep 1: a fixed 4 gave ag-news
# 0.872 / 0.881 (1: 0.866 / 0.871) and banking77 0.578 at 500 (1: 0.598).
DEFAULT_SCAN = 4.0
DEFAULT_SCAN_EXCLUSIVE = 1.0
# explored questions drawn among the set-aside ones too: with the pool kept to the model's doubts,
# a question from the pool alone is no random one. Measured: within the seed spread of exploring the
# pool (sms-spam 0.936 / 0.939 at 500 / 1,000; davidson-hate 0.260 / 0.338), kept for what exploring is for
DEFAULT_EXPLORE_SET_ASIDE = True
DENSITY_NEIGHBOURS = 10

PriorityFn = Callable[[float], float]
# a priority that depends on the question as well as its score (``ScoredPool(question_priority=)``)
QuestionPriorityFn = Callable[[Task, float], float]
# (stale: 0 for the current model's score, 1 for an older one's; -priority; arrival number; task)
Entry = Tuple[int, float, int, Task]
Rescorer = Callable[[Sequence[Task]], List[float]]
# unit vectors of questions (the model's text embeddings), for diverse batches
Vectorizer = Callable[[Sequence[Task]], Any]


def uncertainty(score: float, bias: float = 0.0) -> float:
    """Return 1 at ``0.5 + bias`` falling to 0 at 0 and 1: ``1 - |score - centre| * 2``."""
    centre = 0.5 + bias
    return max(0.0, min(1.0, 1.0 - abs(score - centre) * 2.0))


def least_confidence(score: float) -> float:
    """``1 - score``: for a question about a text's likeliest class, the less sure, the sooner."""
    return 1.0 - score


def _set_score(task: Task, score: float) -> None:
    task["score"] = float(score)
    meta = dict(task.get("meta") or {})
    meta["score"] = round(float(score), 3)
    task["meta"] = meta


class ScoredPool:
    """A bounded pool of scored questions that serves the best one first.

    It is an iterator of tasks, with ``priority`` (and ``score``) set on each,
    so it can be handed to the controller as a recipe's stream. ``rescorer``
    (usually ``model.score_tasks``) gives new scores for pooled questions;
    call :meth:`rescore` after each model update. The re-scoring is lazy: it
    runs when the next question is asked for, once however many updates came
    in between. ``rescore_limit`` caps how many pooled questions are re-scored
    per update: half of it the best ones, half a window rotating through the
    rest; None re-scores the whole pool every time. ``question_priority``, when
    given, replaces ``priority`` with a function of the question and its score:
    a model may rank two questions with the same score differently (for exclusive
    classes, a question looking for a class's first "yes" ranks by how likely
    that class is, the others by how unsure the model is).
    """

    def __init__(
        self,
        scored: Iterable[Tuple[float, Task]],
        priority: PriorityFn,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        rescorer: Optional[Rescorer] = None,
        rescore_limit: Optional[int] = None,
        explore: float = 0.0,
        warmup: int = 0,
        seed: int = 0,
        background: bool = False,
        first_ready: int = 32,
        first_wait: float = 2.0,
        vectorizer: Optional[Vectorizer] = None,
        diversity: float = 0.0,
        diversity_window: int = 32,
        density: float = 0.0,
        power: float = 0.0,
        scan: float = 1.0,
        scan_by_rarity: bool = False,
        explore_set_aside: bool = False,
        reserve_size: int = DEFAULT_RESERVE_SIZE,
        lookahead_pause: float = 0.1,
        question_priority: Optional[QuestionPriorityFn] = None,
    ) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        if scan < 1.0:
            raise ValueError("scan must be at least 1 (new questions pulled per question served)")
        if not 0.0 <= explore <= 1.0:
            raise ValueError("explore must be between 0 and 1")
        self.explore = explore
        self.warmup = warmup
        self.power = power
        self._vectorizer = vectorizer if diversity > 0 or density > 0 else None
        self.diversity = diversity
        self.density = density if vectorizer is not None else 0.0
        self._weights: Dict[int, float] = {}  # arrival number -> density weight (see _weigh_by_density)
        self._unweighed = 0  # questions pushed since the weights were last worked out
        self.diversity_window = diversity_window
        self._recent: List[Any] = []  # vectors of the questions served since the last update
        self._rng = random.Random(seed)
        self._source = iter(scored)
        self._priority = priority
        self._question_priority = question_priority
        self.pool_size = pool_size
        # questions the pool may lack before it is topped up: what it pulls is re-scored in one call
        # (ner.teach: one beam parse for the batch, not one per question served)
        self._refill = max(1, min(REFILL_MAX, pool_size // 8))
        self._rescorer = rescorer
        self.rescore_limit = rescore_limit
        # entries: (stale, -priority, arrival number, task); a min-heap serves the
        # current model's scores first (stale 0), the highest priority first among them
        self._heap: List[Entry] = []
        self._counter = itertools.count()
        self._exhausted = False
        self._stale = False
        self._lock = threading.RLock()
        self._ready = threading.Condition(self._lock)
        self._background = background
        self._filler: Optional[threading.Thread] = None
        self._error: Optional[BaseException] = None
        self._generation = 0  # counts model updates, so a score made during one is known stale
        self.first_ready = first_ready
        self.first_wait = first_wait
        self._window_after = -1  # arrival number where the rotating re-score window resumes
        self.n_served = 0
        self.n_rescored = 0
        self.scan = scan
        self.scan_by_rarity = scan_by_rarity
        self.explore_set_aside = explore_set_aside
        self.lookahead_pause = lookahead_pause  # background: look ahead once the reader paused this long
        self._last_served = time.monotonic()
        self.positive_share = 0.5  # running share of new questions scored >= 0.5 (see scan_now)
        self._ahead = 0.0  # questions to pull beyond a full pool (scan - 1 per question served)
        # questions set aside for a fuller pool, oldest first; they come back when the stream ends
        self._reserve: "deque[Task]" = deque(maxlen=max(0, reserve_size))
        self.n_set_aside = 0

    def __iter__(self) -> Iterator[Task]:
        return self

    def __next__(self) -> Task:
        with self._lock:
            if self._stale:
                self._rescore_now()
            if self._background:
                self._wait_for_questions()
            else:
                self._fill()
            if not self._heap:
                raise StopIteration
            if self.density and self._unweighed > 0.1 * len(self._heap):
                self._weigh_by_density()
            if self.n_served < self.warmup or (self.explore and self._rng.random() < self.explore):
                # now and then a random question, so a poor model can't narrow what it sees
                _, neg_priority, _, task = self._explored()
                task[EXPLORED_KEY] = True
            elif self.diversity and self._recent:
                _, neg_priority, _, task = self._pop_diverse()
            elif self.power:
                _, neg_priority, _, task = self._pop_sampled()
            else:
                _, neg_priority, _, task = heapq.heappop(self._heap)
            if self.diversity:
                self._recent.append(self._vectorizer([task])[0])  # type: ignore[misc]
            task["priority"] = round(-neg_priority, 4)
            self.n_served += 1
            self._ahead += self.scan_now - 1.0
            self._last_served = time.monotonic()
            if self._background:
                self._ready.notify_all()
            return task

    @property
    def scan_now(self) -> float:
        """New questions pulled per question served: ``scan``, or with ``scan_by_rarity``
        ``0.5 / share`` of the texts the model now scores yes, between 1 and ``scan``.

        Looking further ahead finds a rare label's texts (sms-spam, 13 % positive: F1 0.920
        -> 0.930 at 500 answers with 4 texts looked at a question) but, on a balanced label,
        skews what is asked towards the model's doubts (sst2: 0.788 -> 0.783), so it scales
        with how rare the label looks to the model.
        """
        if not self.scan_by_rarity:
            return self.scan
        return max(1.0, min(self.scan, 0.5 / max(min(self.positive_share, 1.0 - self.positive_share), 1e-3)))

    @property
    def size(self) -> int:
        """The number of questions waiting in the pool now.

        Deliberately not ``__len__``: the controller would read it as the
        length of the whole stream.
        """
        return len(self._heap)

    @property
    def exhausted(self) -> bool:
        """True once the upstream stream has ended (the pool may still hold questions)."""
        return self._exhausted

    def _pop_diverse(self) -> Entry:
        """Among the best ``diversity_window`` questions, the one that best trades priority
        against likeness to what was served since the last update: a batch of ten near
        copies of one uncertain text teaches the model one thing, not ten."""
        import numpy

        best = heapq.nsmallest(self.diversity_window, self._heap)
        if best[0][0] != 0:  # nothing current to choose among
            entry = heapq.heappop(self._heap)
            return entry
        best = [entry for entry in best if entry[0] == 0]
        vectors = numpy.asarray(self._vectorizer([entry[3] for entry in best]))  # type: ignore[misc]
        likeness = (vectors @ numpy.asarray(self._recent).T).max(axis=1)
        adjusted = [-entry[1] - self.diversity * max(0.0, float(sim)) for entry, sim in zip(best, likeness)]
        chosen = best[max(range(len(best)), key=lambda i: (adjusted[i], -best[i][2]))]
        return self._take(next(i for i, entry in enumerate(self._heap) if entry[2] == chosen[2]))

    def _pop_sampled(self) -> Entry:
        """A current question drawn with probability proportional to ``priority ** power``.

        Taking the ten best of the pool every batch asks ten near copies of one
        doubt and follows the model's blind spots; drawing in proportion to the
        priority (stochastic "power" acquisition, Kirsch et al., 2023) keeps the
        most useful questions likeliest while the batch stays varied.
        """
        current = [i for i, entry in enumerate(self._heap) if entry[0] == 0] or list(range(len(self._heap)))
        weights = [max(-self._heap[i][1], 1e-9) ** self.power for i in current]
        return self._take(self._rng.choices(current, weights=weights)[0])

    def _explored(self) -> Entry:
        """A question at random among all that are waiting, set aside ones included.

        A pool that looks ahead keeps the model's doubts and sets the rest aside, so a
        question drawn from the pool alone would no longer be a random one.
        """
        index = self._rng.randrange(len(self._heap) + (len(self._reserve) if self.explore_set_aside else 0))
        if index < len(self._heap):
            return self._take(index)
        task = self._reserve[index - len(self._heap)]
        del self._reserve[index - len(self._heap)]
        [(score, task)] = self._rescored([(float(task.get("score", 0.5)), task)])
        _set_score(task, score)
        return (0, -self._priority_of(task, score), next(self._counter), task)

    def _take(self, index: int) -> Entry:
        """Remove and return the pooled entry at ``index`` (not the heap's best), keeping the heap."""
        self._heap[index], self._heap[-1] = self._heap[-1], self._heap[index]
        entry = self._heap.pop()
        heapq.heapify(self._heap)
        return entry

    def rescore(self) -> None:
        """Mark the pool's scores as out of date; they are renewed before the next question."""
        with self._lock:
            self._recent = []
            self._generation += 1
            if self._rescorer is not None:
                self._stale = True

    # ---- filling in the background ---------------------------------------------------------
    # Scoring a new text can be slow (a sentence encoder: tens of milliseconds on a CPU).
    # With ``background=True`` a thread keeps the pool topped up, and the annotator is
    # served from what is pooled: only the very first question waits, for at most
    # ``first_wait`` seconds or until ``first_ready`` questions are in.

    def _wait_for_questions(self) -> None:
        if self._filler is None:
            self._filler = threading.Thread(target=self._fill_forever, name="mentor-pool-fill", daemon=True)
            self._filler.start()
            want = min(self.first_ready, self.pool_size)
            self._ready.wait_for(lambda: len(self._heap) >= want or self._exhausted, timeout=self.first_wait)
        self._ready.wait_for(lambda: bool(self._heap) or self._exhausted)
        if self._exhausted and len(self._heap) < self.pool_size and self._reserve:
            self._push_all(self._from_reserve(self.pool_size - len(self._heap)))
        if self._error is not None and not self._heap:
            error, self._error = self._error, None
            raise error

    def _fill_forever(self) -> None:
        try:
            while True:
                with self._ready:
                    self._wait_for_room()
                    generation = self._generation
                try:
                    score, task = next(self._source)  # outside the lock: this is the slow part
                except StopIteration:
                    break
                if generation and self._rescorer is not None:
                    score = self._rescorer([task])[0]  # see _fill: the source may hold old scores
                with self._ready:
                    if len(self._heap) >= self.pool_size:
                        self._ahead -= 1.0
                    self._push(score, task, stale=generation != self._generation)
                    self._set_aside()
                    self._ready.notify_all()
        except BaseException as error:  # handed to the reader, who raises it
            with self._ready:
                self._error = error
        with self._ready:
            self._exhausted = True
            self._ready.notify_all()

    def _wait_for_room(self) -> None:
        """Until the pool lacks a question, or owes a look-ahead and the reader has paused.

        Looking ahead scores texts the annotator won't see soon: with an encoder that is
        seconds of CPU that would slow the next batch (bench/al_loop.py --cold-cache:
        p50 11 -> 205 ms when it ran at once), so it runs while the annotator reads.
        """
        while len(self._heap) >= self.pool_size:
            if self._ahead < 1.0:
                self._ready.wait()
                continue
            idle = time.monotonic() - self._last_served
            if idle >= self.lookahead_pause:
                return
            self._ready.wait(self.lookahead_pause - idle)

    def pooled(self) -> List[Task]:
        """The questions waiting, best first (a copy of the order; the tasks are shared)."""
        with self._lock:
            return [entry[3] for entry in sorted(self._heap)]

    def _push(self, score: float, task: Task, *, stale: bool = False) -> None:
        _set_score(task, score)
        if self._generation:  # an untrained model's 0.5 says nothing of how rare the label is
            self.positive_share += (float(score >= 0.5) - self.positive_share) / RARITY_WINDOW
        arrival = next(self._counter)
        self._unweighed += 1
        heapq.heappush(self._heap, (int(stale), -self._weighted(float(score), arrival, task), arrival, task))

    def _priority_of(self, task: Task, score: float) -> float:
        if self._question_priority is not None:
            return self._question_priority(task, score)
        return self._priority(score)

    def _weighted(self, score: float, arrival: int, task: Task) -> float:
        return self._priority_of(task, score) * self._weights.get(arrival, 1.0)

    def _weigh_by_density(self) -> None:
        """Weigh each pooled question by how typical its text is of the pool.

        Density is the mean cosine likeness to the text's nearest neighbours in
        the pool, turned into a rank so the weight, ``(0.5 + rank) ** density``,
        runs from 0.5 to 1.5 whatever the encoder. Information density (Settles
        and Craven, 2008): among equally uncertain texts, ask about the one that
        stands for many. Runs when a tenth of the pool has no weight yet: one
        matrix product over the pool (512 texts: a few milliseconds).
        """
        import numpy

        self._unweighed = 0
        if len(self._heap) < 2:
            return
        vectors = numpy.asarray(self._vectorizer([entry[3] for entry in self._heap]), dtype="float32")  # type: ignore[misc]
        likeness = vectors @ vectors.T
        numpy.fill_diagonal(likeness, -numpy.inf)
        k = min(DENSITY_NEIGHBOURS, len(self._heap) - 1)
        density = numpy.sort(likeness, axis=1)[:, -k:].mean(axis=1)
        ranks = density.argsort().argsort() / (len(density) - 1)
        weights = (0.5 + ranks) ** self.density
        self._weights = {entry[2]: float(weight) for entry, weight in zip(self._heap, weights)}
        self._heap = [
            (stale, -self._weighted(float(task["score"]), arrival, task), arrival, task)
            for stale, _, arrival, task in self._heap
        ]
        heapq.heapify(self._heap)

    def _fill(self) -> None:
        missing = self.pool_size - len(self._heap)
        ahead = int(self._ahead) if not self._exhausted else 0
        if self._heap and missing < self._refill and ahead < self._refill:
            return  # topped up a batch at a time: re-scoring pulled questions one by one cost a call each
        pulled: List[Tuple[float, Task]] = []
        while not self._exhausted and len(pulled) < max(0, missing) + ahead:
            try:
                pulled.append(next(self._source))
            except StopIteration:
                self._exhausted = True
                break
        self._ahead -= max(0, len(pulled) - max(0, missing))
        if self._exhausted:
            self._ahead = 0.0
            pulled.extend(self._from_reserve(missing - len(pulled)))
        self._push_all(pulled)
        self._set_aside()

    def _push_all(self, pulled: List[Tuple[float, Task]]) -> None:
        for score, task in self._rescored(pulled):
            self._push(score, task)

    def _rescored(self, pulled: List[Tuple[float, Task]]) -> List[Tuple[float, Task]]:
        """``pulled`` with the current model's scores, once it has been updated.

        A model scores its input a batch at a time and hands the questions out one by
        one, so what comes out now may have been scored before the last update: score
        it again, or a cold model's 0.5 ("most uncertain") would jump the queue.
        """
        if not pulled or not self._generation or self._rescorer is None:
            return pulled
        scores = self._rescorer([task for _, task in pulled])
        return [(score, task) for score, (_, task) in zip(scores, pulled)]

    def _set_aside(self) -> None:
        """Move the least useful questions of an over-full pool to the reserve."""
        extra = len(self._heap) - self.pool_size
        if extra <= 0:
            return
        worst = heapq.nlargest(extra, self._heap, key=lambda entry: (entry[1], entry[2]))
        gone = {entry[2] for entry in worst}
        self._heap = [entry for entry in self._heap if entry[2] not in gone]
        heapq.heapify(self._heap)
        for entry in worst:
            self._weights.pop(entry[2], None)
            self._reserve.append(entry[3])
        self.n_set_aside += extra

    def _from_reserve(self, n: int) -> List[Tuple[float, Task]]:
        """Up to ``n`` questions set aside earlier, oldest first, with their last scores."""
        taken: List[Tuple[float, Task]] = []
        while self._reserve and len(taken) < n:
            task = self._reserve.popleft()
            taken.append((float(task.get("score", 0.5)), task))
        return taken

    def _rescore_now(self) -> None:
        self._stale = False
        if self._rescorer is None or not self._heap:
            return
        by_priority = sorted(self._heap, key=lambda entry: (entry[1], entry[2]))
        todo, keep = self._pick_for_rescore(by_priority)
        scores = self._rescorer([entry[3] for entry in todo])
        if len(scores) != len(todo):
            raise ValueError(f"rescorer returned {len(scores)} scores for {len(todo)} tasks")
        heap: List[Entry] = [(1, neg, arrival, task) for _, neg, arrival, task in keep]
        for (_, _, arrival, task), score in zip(todo, scores):
            _set_score(task, score)
            heap.append((0, -self._weighted(float(score), arrival, task), arrival, task))
        heapq.heapify(heap)
        self._heap = heap
        self.n_rescored += len(todo)

    def _pick_for_rescore(self, entries: List[Entry]) -> Tuple[List[Entry], List[Entry]]:
        """Split the pool (best first) into what to re-score now and what to leave.

        With a ``rescore_limit``, half of it goes to the best questions (the next
        to be served must not be stale) and half to a window that moves through
        the rest in arrival order, so every question is refreshed every few updates.
        """
        limit = self.rescore_limit
        if limit is None or limit >= len(entries):
            return entries, []
        n_top = (limit + 1) // 2
        todo, rest = entries[:n_top], entries[n_top:]
        rest.sort(key=lambda entry: entry[2])
        after = [entry for entry in rest if entry[2] > self._window_after]
        window = (after + [entry for entry in rest if entry[2] <= self._window_after])[: limit - n_top]
        if window:
            self._window_after = window[-1][2]
        chosen = {entry[2] for entry in window}
        return todo + window, [entry for entry in rest if entry[2] not in chosen]


def prefer_uncertain(
    scored: Iterable[Tuple[float, Task]],
    *,
    bias: float = 0.0,
    pool_size: int = DEFAULT_POOL_SIZE,
    rescorer: Optional[Rescorer] = None,
    rescore_limit: Optional[int] = DEFAULT_RESCORE_LIMIT,
    explore: float = 0.0,
    warmup: int = 0,
) -> ScoredPool:
    """Serve the questions whose score is closest to ``0.5 + bias`` first.

    ``explore``: the share of questions served at random from the pool instead;
    ``warmup``: serve the first this many at random (a cold model knows nothing).
    """
    return ScoredPool(
        scored, lambda score: uncertainty(score, bias), pool_size=pool_size,
        rescorer=rescorer, rescore_limit=rescore_limit, explore=explore, warmup=warmup,
    )


def prefer_high_scores(
    scored: Iterable[Tuple[float, Task]],
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    rescorer: Optional[Rescorer] = None,
    rescore_limit: Optional[int] = DEFAULT_RESCORE_LIMIT,
) -> ScoredPool:
    """Serve the questions with the highest score first (priority = score)."""
    return ScoredPool(
        scored, lambda score: score, pool_size=pool_size, rescorer=rescorer,
        rescore_limit=rescore_limit,
    )


def prefer_low_scores(
    scored: Iterable[Tuple[float, Task]],
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    rescorer: Optional[Rescorer] = None,
    rescore_limit: Optional[int] = DEFAULT_RESCORE_LIMIT,
) -> ScoredPool:
    """Serve the questions with the lowest score first (priority = 1 - score)."""
    return ScoredPool(
        scored, lambda score: 1.0 - score, pool_size=pool_size, rescorer=rescorer,
        rescore_limit=rescore_limit,
    )


def teach_sorter(
    scored: Iterable[Tuple[float, Task]],
    model: Any,
    *,
    pool_size: int = DEFAULT_POOL_SIZE,
    rescore_limit: Optional[int] = DEFAULT_RESCORE_LIMIT,
    explore: Optional[float] = None,
    warmup: int = 0,
    seed: int = 0,
    background: bool = False,
    diversity: Optional[float] = None,
    density: Optional[float] = None,
    power: Optional[float] = None,
    scan: Optional[float] = None,
    scan_by_rarity: Optional[bool] = None,
    explore_set_aside: Optional[bool] = None,
) -> ScoredPool:
    """The order the teach recipes serve questions in; ``mentor simulate`` replays the same.

    Uncertainty first, re-scored by ``model.score_tasks`` after each update, with
    ``explore`` (default :data:`DEFAULT_EXPLORE`) of the questions drawn at random.
    ``background``: score new texts in a thread (the recipes; a simulation stays
    in step, so it is reproducible). ``diversity`` (default :data:`DEFAULT_DIVERSITY`)
    weighs likeness to the questions already in this batch against uncertainty,
    when the model has text vectors (``model.vectors``). ``density`` (default
    :data:`DEFAULT_DENSITY` for exclusive classes, else 0) weighs each question by
    how typical its text is of the pool (:meth:`ScoredPool._weigh_by_density`).
    ``power`` (default :data:`DEFAULT_POWER_EXCLUSIVE` for exclusive classes, else
    :data:`DEFAULT_POWER`) draws each question with odds ``priority ** power``
    rather than taking the best (:meth:`ScoredPool._pop_sampled`); with it,
    ``explore`` defaults to 0. ``scan`` (default :data:`DEFAULT_SCAN`): new texts
    looked at for each question served, the rest set aside for later;
    ``scan_by_rarity`` (default: for binary questions) scales it down as the
    label looks less rare (:attr:`ScoredPool.scan_now`).
    """
    diversity = DEFAULT_DIVERSITY if diversity is None else diversity
    vectorizer = getattr(model, "vectors", None)
    # one question per text about its likeliest class (exclusive classes): least confident first
    least_confident_first = getattr(model, "least_confident_first", False)
    priority: PriorityFn = least_confidence if least_confident_first else uncertainty
    if density is None:
        density = DEFAULT_DENSITY if least_confident_first else 0.0
    if power is None:
        power = DEFAULT_POWER_EXCLUSIVE if least_confident_first else DEFAULT_POWER
    if explore is None:  # drawing by power is its own exploration
        explore = 0.0 if power else DEFAULT_EXPLORE
    has_vectors = vectorizer is not None and model.has_vectors
    return ScoredPool(
        scored, priority, rescorer=model.score_tasks, pool_size=pool_size, rescore_limit=rescore_limit,
        question_priority=getattr(model, "question_priority", None) if least_confident_first else None,
        explore=explore, warmup=warmup, seed=seed, background=background,
        vectorizer=vectorizer if has_vectors and (diversity or density) else None,
        diversity=diversity, density=density, power=power,
        scan=(DEFAULT_SCAN_EXCLUSIVE if least_confident_first else DEFAULT_SCAN) if scan is None else scan,
        scan_by_rarity=not least_confident_first if scan_by_rarity is None else scan_by_rarity,
        explore_set_aside=DEFAULT_EXPLORE_SET_ASIDE if explore_set_aside is None else explore_set_aside,
    )
