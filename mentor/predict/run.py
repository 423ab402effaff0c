"""``mentor predict``'s work: a source through a pipeline into a folder of shards, resumable.

The pipeline is loaded here first, whatever the engine, so a wrong pipeline,
component or label fails before anything is written, and the manifest names
what the pipeline is. The source is read once more per run (records of the
finished shards are read and dropped, not predicted), cut by
:func:`~mentor.predict.shards.cut`, and the shards still missing go to the
engine.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from ..errors import InvalidChoice, PredictSourceNotFile
from ..loaders import STDIN, get_loader_name, get_stream
from .progress import progress_bar
from .shards import Shard, ShardFolder, cut, source_identity

ENGINES = ("local", "ray")
SHARD_SIZE = 2000


@dataclass
class PredictOptions:
    """How to predict: what changes the output (labels, threshold, shard size, loader) and what only the speed."""

    engine: str = "local"
    shard_size: int = SHARD_SIZE
    batch_size: int = 64
    n_process: int = 1
    workers: int = 2
    address: Optional[str] = None
    labels: Optional[List[str]] = None
    threshold: float = 0.5
    loader: Optional[str] = None


@dataclass
class PredictReport:
    """What a run did: shards written now and found done, records predicted, records without text, bad lines."""

    out: Path
    written: int = 0
    resumed: int = 0
    predicted: int = 0
    no_text: int = 0
    bad_lines: int = 0
    seconds: float = 0.0
    components: Optional[List[str]] = None


def pipeline_identity(name: str, nlp: Any) -> Dict[str, Any]:
    """The pipeline as the manifest records it: where it was loaded from and what it is."""
    where = str(Path(name).resolve()) if Path(name).exists() else name
    meta = nlp.meta
    return {
        "path": where,
        "name": f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}",
        "version": meta.get("version"),
        "components": list(nlp.pipe_names),
    }


def predict(pipeline: str, source: str, out: str, options: PredictOptions) -> PredictReport:
    """Write the pipeline's predictions for every record of ``source`` into ``out``, skipping finished shards.

    Raises PredictSourceNotFile for stdin, InvalidChoice for an unknown
    engine, RayNotInstalled, the loaders' and the pipeline's errors before
    anything is written, PredictionsMismatch for a folder of another run.
    """
    from ..models.loading import load_pipeline
    from ..models.prediction import pipeline_predictor

    if options.engine not in ENGINES:
        raise InvalidChoice("--engine", options.engine, ENGINES)
    if source == STDIN:
        raise PredictSourceNotFile()
    if options.engine == "ray":
        from .ray_engine import import_ray

        import_ray()  # missing Ray is said before the pipeline loads
    stream = get_stream(source, loader=options.loader)
    nlp = load_pipeline(pipeline)
    predictor = pipeline_predictor(nlp, options.labels, threshold=options.threshold)
    identity = pipeline_identity(pipeline, nlp)
    manifest = {
        "source": source_identity(source),
        "loader": get_loader_name(source, options.loader),
        "pipeline": identity,
        "shard_size": options.shard_size,
        "labels": options.labels,
        "threshold": options.threshold,
    }
    folder = ShardFolder.open(out, manifest)
    report = PredictReport(folder.path, components=predictor.components)
    total = stream.total
    done_before = sum(1 for _ in folder.shards()) * options.shard_size
    started = time.perf_counter()
    with progress_bar("predict", total, done=min(done_before, total or done_before)) as advance:

        def on_written(shard: Shard) -> None:
            report.written += 1
            report.predicted += len(shard.tasks)
            report.no_text += shard.no_text
            advance(shard.records)

        def to_do() -> Iterator[Shard]:
            for shard in cut(stream, options.shard_size):
                if folder.is_done(shard.index):
                    report.resumed += 1
                else:
                    yield shard

        if options.engine == "local":
            from .local import run_local

            run_local(
                nlp, predictor, to_do(), folder, on_written, batch_size=options.batch_size, n_process=options.n_process
            )
        else:
            from .ray_engine import run_ray

            run_ray(
                identity["path"], to_do(), folder, on_written, labels=options.labels, threshold=options.threshold,
                batch_size=options.batch_size, workers=options.workers, address=options.address,
            )
    report.seconds = time.perf_counter() - started
    report.bad_lines = stream.skipped
    return report
