"""Earlier answers trained again after each update, off the annotator's path.

A model that learns from one small batch of answers at a time drifts toward the
latest batch; training a uniform sample of earlier answers along with each batch
holds it (``ner.teach``, CoNLL-2003 replay, F1 at 1,000 answers: 0.47 → 0.57 on
2 seeds, 0.52 → 0.54 on 3). That costs twice the update itself again, and the
annotator's next questions waited for it. :class:`Rehearsal` keeps the sample and, in the
background, trains it once the model has been left alone for ``quiet``
seconds (the next questions are scored first), a chunk at a time under the
model's lock, so a scoring that comes meanwhile waits for one chunk at most.
Ten answers take an annotator seconds; a rehearsal takes a fifth of one, so it
is done before the next batch comes. ``background=False`` trains it at once
(replays, tests).
"""
from __future__ import annotations

import logging
import random
import threading
import time
import weakref
from typing import Any, Callable, Generic, Iterable, List, Optional, TypeVar

__all__ = ["Rehearsal", "Reservoir", "REHEARSE_MEMORY", "REHEARSE_CHUNK", "REHEARSE_QUIET"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# answered items kept to rehearse from: a uniform sample of all of them (reservoir sampling)
REHEARSE_MEMORY = 5000
# items trained per step in the background: the longest the next scoring waits is one step
REHEARSE_CHUNK = 10
# seconds the model must be left alone before the background rehearsal trains: the next
# questions, asked for right after the answers, are scored before it
REHEARSE_QUIET = 0.1


class Reservoir(Generic[T]):
    """A uniform random sample of at most ``size`` of all the items ever added (reservoir sampling).

    Answers go on for thousands; the sample stays bounded and every answer,
    the first as the latest, has the same chance to be in it.
    """

    def __init__(self, size: int = REHEARSE_MEMORY, *, rng: Optional[random.Random] = None) -> None:
        self.size = size
        self.items: List[T] = []
        self.n_seen = 0
        self._rng = rng or random.Random()

    def __len__(self) -> int:
        return len(self.items)

    def add(self, items: Iterable[T]) -> None:
        for item in items:
            self.n_seen += 1
            if len(self.items) < self.size:
                self.items.append(item)
            else:
                slot = self._rng.randrange(self.n_seen)
                if slot < self.size:
                    self.items[slot] = item

    def sample(self, n: int) -> List[T]:
        """Up to ``n`` of the kept items, drawn without replacement."""
        if n <= 0 or not self.items:
            return []
        return self._rng.sample(self.items, min(n, len(self.items)))


class Rehearsal(Generic[T]):
    """A reservoir of answered items and a trainer that replays a sample of them.

    train: trains a list of items (takes the model's lock itself).
    size: items replayed after each update (0: none).
    background: replay in a daemon thread (True) or at once, before :meth:`after` returns.
    quiet: in the background, train only once :meth:`touch` has not been called for this long.
    """

    def __init__(
        self,
        train: Callable[[List[T]], object],
        size: int,
        *,
        background: bool = True,
        seed: Optional[int] = None,
        memory: int = REHEARSE_MEMORY,
        chunk: int = REHEARSE_CHUNK,
        quiet: float = REHEARSE_QUIET,
    ) -> None:
        self.size = size
        self.background = background
        self.chunk = max(1, chunk)
        self.quiet = quiet
        self._last_touch = time.monotonic()
        self._train = train
        self.reservoir: Reservoir[T] = Reservoir(memory, rng=random.Random(seed))
        self._pending: List[T] = []
        self._busy = False
        self._error: Optional[BaseException] = None
        self._changed = threading.Condition()
        self._worker: Optional[threading.Thread] = None

    @property
    def kept(self) -> int:
        """How many answered items the reservoir holds."""
        return len(self.reservoir)

    def touch(self) -> None:
        """The model is in use for the annotator (scoring, an update): hold the rehearsal back."""
        self._last_touch = time.monotonic()

    def after(self, items: List[T]) -> None:
        """Called once an update trained ``items``: queue a sample of the earlier ones, keep these.

        The sample is drawn before ``items`` join, so a batch is never replayed
        straight after it trained. A sample still waiting from the last update is
        replaced, not added to: the background work never exceeds one rehearsal.
        """
        self._raise_error()
        if self.size <= 0 or not items:
            return
        earlier = self.reservoir.sample(self.size)
        self.reservoir.add(items)
        if not earlier:
            return
        if not self.background:
            for start in range(0, len(earlier), self.chunk):
                self._train(earlier[start : start + self.chunk])
            return
        with self._changed:
            self._pending = earlier
            if self._worker is None:
                self._worker = threading.Thread(
                    target=Rehearsal._run, args=(weakref.ref(self),), name="mentor-rehearsal", daemon=True,
                )
                self._worker.start()
            self._changed.notify_all()

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the queued rehearsal has trained; False if ``timeout`` ran out first."""
        with self._changed:
            done = self._changed.wait_for(lambda: not self._pending and not self._busy, timeout=timeout)
        self._raise_error()
        return done

    @staticmethod
    def _run(ref: "weakref.ReferenceType[Rehearsal[Any]]") -> None:
        """The worker's loop. It holds the rehearsal weakly between steps: a model nobody
        uses any more is collected, and its thread ends within a second."""
        while True:
            rehearsal = ref()
            if rehearsal is None:
                return
            pause = rehearsal._step()
            del rehearsal
            time.sleep(pause)

    def _step(self) -> float:
        """Train the next chunk when one is due and the model was left alone; return the pause before the next."""
        with self._changed:
            if not self._changed.wait_for(lambda: bool(self._pending), timeout=1.0):
                return 0.0
            wait = self.quiet - (time.monotonic() - self._last_touch)
            if wait > 0:
                return wait
            step, self._pending = self._pending[: self.chunk], self._pending[self.chunk :]
            self._busy = True
        try:
            self._train(step)
        except BaseException as error:  # handed to the next caller, who raises it
            logger.exception("rehearsing earlier answers failed")
            with self._changed:
                self._error, self._pending = error, []
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()
        return 0.001  # let a scorer waiting for the model's lock take it between steps

    def _raise_error(self) -> None:
        with self._changed:
            error, self._error = self._error, None
        if error is not None:
            raise error
