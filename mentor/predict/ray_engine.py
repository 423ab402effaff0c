"""``--engine ray``: shards handed to Ray actors, each holding the pipeline loaded once.

Without ``--address`` ``ray.init`` starts a local cluster of ``workers`` CPUs
for this run and stops it at the end; with one, the run joins that cluster
(whose nodes need mentor, the pipeline at the same path and OUT on storage
they all write, such as NFS). Each of the ``workers`` actors predicts a whole
shard at a time and writes it itself, atomically as the local engine does,
so the predictions never travel back through the driver, which only reads
the source and hands out shards: with two workers on two cores, a driver
that also serialised every prediction took a good part of a core from them.
The driver keeps two shards queued per actor, so none waits between shards
while the source is read no faster than the actors predict. Shards finish
in any order; each is its own file. A worker's failure stops the run with
PredictWorkerFailed; the shards written before it stay.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from pathlib import Path
from typing import Any, Callable, Deque, Dict, Iterable, List, Optional, Sequence, Tuple

from ..errors import PredictWorkerFailed, RayNotInstalled
from ..tasks import Task
from .shards import Shard, ShardFolder

QUEUED_PER_WORKER = 2


def import_ray() -> Any:
    """Ray, or RayNotInstalled: it is an optional extra."""
    try:
        import ray
    except ImportError:
        raise RayNotInstalled() from None
    return ray


class ShardWorker:
    """A Ray actor's state: the pipeline and what it predicts, loaded once per worker process."""

    def __init__(
        self, pipeline: str, labels: Optional[Sequence[str]], threshold: float, batch_size: int, out: str
    ) -> None:
        from ..models.loading import load_pipeline
        from ..models.prediction import pipeline_predictor

        self.nlp = load_pipeline(pipeline)
        self.predictor = pipeline_predictor(self.nlp, labels, threshold=threshold)
        self.batch_size = batch_size
        self.folder = ShardFolder(Path(out))

    def predict(self, index: int, tasks: List[Task]) -> int:
        """Predict and write shard ``index``; return the lines written."""
        from ..models.prediction import predict_tasks

        fields, view_id = self.predictor.fields, self.predictor.view_id
        return self.folder.write(index, predict_tasks(self.nlp, tasks, fields, view_id, batch_size=self.batch_size))


def run_ray(
    pipeline: str,
    shards: Iterable[Shard],
    folder: ShardFolder,
    on_written: Callable[[Shard], None],
    *,
    labels: Optional[Sequence[str]],
    threshold: float,
    batch_size: int,
    workers: int,
    address: Optional[str],
) -> None:
    """Predict the shards on ``workers`` Ray actors and write each as it is done."""
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        # Ray starts workers at niceness 15; on a busy machine they then lose their cores to anything
        # else, while --engine local runs at the user's priority. RAY_worker_niceness set by the user wins.
        os.environ.setdefault("RAY_worker_niceness", "0")
        ray.init(
            address=address,
            num_cpus=workers if address is None else None,
            include_dashboard=False,
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
    try:
        actor_class = ray.remote(num_cpus=1)(ShardWorker)
        out = str(folder.path.resolve())
        actors = [actor_class.remote(pipeline, labels, threshold, batch_size, out) for _ in range(workers)]
        free: Deque[Any] = deque(actor for _ in range(QUEUED_PER_WORKER) for actor in actors)
        running: Dict[Any, Tuple[Shard, Any]] = {}
        pending = iter(shards)

        def submit() -> None:
            while free:
                shard = next(pending, None)
                if shard is None:
                    return
                if not shard.tasks:  # nothing to predict: written here, no round trip
                    folder.write(shard.index, [])
                    on_written(shard)
                    continue
                actor = free.popleft()
                running[actor.predict.remote(shard.index, shard.tasks)] = (shard, actor)

        submit()
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            shard, actor = running.pop(ready[0])
            try:
                ray.get(ready[0])
            except ray.exceptions.RayError as err:
                raise PredictWorkerFailed(shard.index, _first_line(err)) from None
            on_written(shard)
            free.append(actor)
            submit()
    finally:
        if started:
            ray.shutdown()


def _first_line(err: BaseException) -> str:
    cause = getattr(err, "cause", None)
    text = str(cause if cause is not None else err).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__
