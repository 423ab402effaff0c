"""``--engine local``: one ``nlp.pipe`` over every shard still to do, with ``n_process`` processes.

The shards are fed to one pipe, not one pipe a shard, so ``n_process``
workers start once and stay busy across shard boundaries. The pipe keeps
order, so its predictions fill the oldest open shard first; a shard is
written as soon as its last prediction is out.
"""
from __future__ import annotations

from collections import deque
from typing import Callable, Deque, Iterable, Iterator, List

from spacy.language import Language

from ..models.prediction import Predictor, predict_tasks
from ..tasks import Task
from .shards import Shard, ShardFolder


def run_local(
    nlp: Language,
    predictor: Predictor,
    shards: Iterable[Shard],
    folder: ShardFolder,
    on_written: Callable[[Shard], None],
    *,
    batch_size: int,
    n_process: int,
) -> None:
    """Predict and write each shard, in order, calling ``on_written`` after each."""
    opened: Deque[Shard] = deque()  # read by the pipe, not yet written
    collected: List[Task] = []

    def tasks() -> Iterator[Task]:
        for shard in shards:
            opened.append(shard)
            yield from shard.tasks

    def write_finished() -> None:
        while opened and len(collected) == len(opened[0].tasks):
            shard = opened.popleft()
            folder.write(shard.index, collected)
            collected.clear()
            on_written(shard)

    predictions = predict_tasks(
        nlp, tasks(), predictor.fields, predictor.view_id, batch_size=batch_size, n_process=n_process
    )
    for prediction in predictions:
        write_finished()  # a shard with nothing to predict ahead of this one
        collected.append(prediction)
        write_finished()
    write_finished()
