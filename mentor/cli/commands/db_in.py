"""``mentor db-in``: import a file of tasks or answers into a dataset."""
from __future__ import annotations

from typing import Annotated, Iterator, Optional

from wasabi import msg

from ...db import connect
from ...errors import InputError
from ...loaders import get_stream
from ...registry import Arg, Opt, recipe
from ...tasks import ANSWERS, Task


def with_default_answer(stream: Iterator[Task], answer: str, counts: dict) -> Iterator[Task]:
    """Give each task the default answer unless it already has one (Prodigy keeps existing answers)."""
    for task in stream:
        if "answer" in task:
            counts["kept"] += 1
        else:
            task["answer"] = answer
        yield task


@recipe("db-in", group="database")
def db_in(
    dataset: Annotated[str, Arg(help="Dataset to add the tasks to (created if it doesn't exist)")],
    source: Annotated[str, Arg(help="File to import: JSONL, JSON, CSV, TSV, TXT, or '-' for stdin")],
    answer: Annotated[str, Opt("--answer", help="Answer for tasks that have none: accept, reject or ignore")] = "accept",
    rehash: Annotated[bool, Opt("--rehash", help="Recompute _input_hash and _task_hash instead of keeping them")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader to use instead of the one the extension picks")] = None,
    skip_invalid: Annotated[bool, Opt("--skip-invalid", help="Skip and count bad lines instead of importing nothing")] = False,
) -> None:
    """Import tasks from a file into a dataset, all or nothing."""
    if answer not in ANSWERS:
        raise InputError(f"--answer must be one of {', '.join(ANSWERS)}, got '{answer}'")
    stream = get_stream(source, loader=loader, rehash=rehash, skip_invalid=skip_invalid)
    counts = {"kept": 0}
    db = connect()
    try:
        added = db.import_examples(dataset, with_default_answer(iter(stream), answer, counts))
    except InputError as err:
        raise InputError(f"{err.message}. Nothing was imported") from None
    total = db.count_dataset(dataset)
    msg.good(f"Imported {added} tasks into '{dataset}' ({total} in the dataset)")
    if counts["kept"]:
        msg.info(f"Found and kept the existing answer in {counts['kept']} tasks")
    if stream.skipped:
        msg.warn(f"Skipped {stream.skipped} invalid lines, e.g.: {stream.errors[0]}")  # type: ignore[attr-defined]
