"""``mentor predict``: pre-label or score a large source with a pipeline, into resumable shards."""
from __future__ import annotations

from typing import Annotated, Optional

from wasabi import msg

from .. import messages
from ...db import connect, validate_dataset_name
from ...predict.run import ENGINES, SHARD_SIZE, PredictOptions, predict
from ...registry import Arg, Opt, recipe
from ...tasks import split_string


@recipe("predict", group="training")
def predict_command(
    pipeline: Annotated[str, Arg(help="Pipeline with ner, spancat and/or textcat (folder, package or blank:LANG)")],
    source: Annotated[str, Arg(help="File to predict: JSONL, JSON, CSV, TSV, TXT (.gz too)")],
    out: Annotated[str, Arg(help="Folder for the shards (shard-000000.jsonl, ...) and manifest.json; a re-run resumes it")],
    engine: Annotated[str, Opt("--engine", "-e", help=f"Where to run the pipeline: {', '.join(ENGINES)}")] = "local",
    n_process: Annotated[int, Opt("--n-process", "-n", min=1, help="Processes for --engine local (nlp.pipe's n_process)")] = 1,
    workers: Annotated[int, Opt("--workers", "-w", min=1, help="Ray actors for --engine ray, one CPU each")] = 2,
    address: Annotated[Optional[str], Opt("--address", help="Ray cluster to join (ray://HOST:10001 or HOST:6379); default: start a local one")] = None,
    shard_size: Annotated[int, Opt("--shard-size", min=1, help="Records a shard: the unit written at once and resumed")] = SHARD_SIZE,
    batch_size: Annotated[int, Opt("--batch-size", "-b", min=1, help="Texts a batch through nlp.pipe")] = 64,
    labels: Annotated[Optional[str], Opt("--labels", "--label", "-l", help="Comma-separated labels to keep (default: all)")] = None,
    threshold: Annotated[float, Opt("--threshold", "-t", help="A multi-label classifier accepts labels scoring at least this")] = 0.5,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    dataset: Annotated[Optional[str], Opt("--dataset", "-d", help="Also import the finished shards into this dataset (as db-in does)")] = None,
) -> None:
    """Run a pipeline over a source and write its predictions as tasks, in shards that a re-run resumes.

    Each task is the source record with the model's tokens and spans
    (entities, span groups) and, for a text classifier, its options, accept
    and cats (the score of each label), in the view a person would correct it
    in. The source is cut into shards of --shard-size records, each written
    whole or not at all, so an interrupted run (Ctrl-C, kill -9) run again
    predicts each record exactly once. --engine ray spreads the shards over
    Ray actors (pip install 'mentor[ray]').
    """
    if dataset is not None:
        validate_dataset_name(dataset)
    options = PredictOptions(
        engine=engine, shard_size=shard_size, batch_size=batch_size, n_process=n_process, workers=workers,
        address=address, labels=split_string(labels) or None, threshold=threshold, loader=loader,
    )
    try:
        report = predict(pipeline, source, out, options)
    except KeyboardInterrupt:
        messages.warn(f"Interrupted: the finished shards in {out} are kept; run the same command to resume")
        raise
    rate = report.predicted / report.seconds if report.seconds else 0.0
    msg.good(
        f"Predicted {report.predicted} texts into {report.written} shards of {report.out} "
        f"({rate:,.0f} texts/s, {', '.join(report.components or [])})"
    )
    if report.resumed:
        msg.info(f"Kept {report.resumed} shards an earlier run had finished")
    if report.no_text:
        messages.warn(f"Skipped {report.no_text} records of {source} without a 'text'")
    if report.bad_lines:
        messages.warn(f"Skipped {report.bad_lines} invalid lines of {source} (warnings above name the first ones)")
    if dataset is not None:
        from ...predict.dataset import import_shards
        from ...predict.shards import ShardFolder

        imported = import_shards(connect, dataset, ShardFolder(report.out))
        msg.good(f"Imported {imported.added} predictions into '{dataset}' ({imported.total} in the dataset)")
