"""``mentor db-in``: import a file of tasks or answers into a dataset."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Dict, Iterator, Optional

from wasabi import msg

from .. import messages
from ...db import connect
from ...errors import EmptySource, InputError, InvalidChoice, SourceIsFolder
from ...loaders import STDIN, get_stream
from ...registry import Arg, Opt, recipe
from ...tasks import ANSWERS, Task


def with_default_answer(stream: Iterator[Task], answer: str, counts: Dict[str, int]) -> Iterator[Task]:
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
    source: Annotated[str, Arg(help="File to import: JSONL, JSON, CSV, TSV, TXT (.gz too), or '-' for stdin")],
    answer: Annotated[str, Opt("--answer", help="Answer for tasks that have none: accept, reject or ignore")] = "accept",
    rehash: Annotated[bool, Opt("--rehash", help="Recompute _input_hash and _task_hash instead of keeping them")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader to use instead of the one the extension picks")] = None,
    skip_invalid: Annotated[bool, Opt("--skip-invalid", help="Skip bad lines with a warning and import the rest, instead of importing nothing")] = False,
) -> None:
    """Import tasks from a file into a dataset, all or nothing.

    The first bad line stops the import with one error naming file and line,
    and nothing of the file is stored; --skip-invalid imports the valid lines
    instead and warns about the others. Rows are written in short transactions
    into a hidden staging area, so a server writing the same database keeps
    answering while a large file loads, and appear in the dataset in one step
    at the end: a killed import leaves nothing visible, and the next one
    removes what it left.
    """
    if answer not in ANSWERS:
        raise InvalidChoice("--answer", answer, ANSWERS)
    if source != STDIN and Path(source).is_dir() and loader != "images":
        raise SourceIsFolder(source)
    stream = get_stream(source, loader=loader, rehash=rehash, skip_invalid=skip_invalid)
    counts = {"kept": 0}
    tasks = with_default_answer(iter(stream), answer, counts)
    db = connect()
    removed = db.remove_stale_imports()
    if removed:
        msg.info(f"Removed {removed} rows an interrupted import had left (they were never visible)")
    try:
        first = next(tasks, None)  # an empty source fails before a dataset is made for it
        if first is None:
            raise EmptySource(source, stream.skipped)
        added = db.import_examples(dataset, itertools.chain([first], tasks))
    except InputError as err:
        err.message = f"{err.message}. Nothing was imported"
        raise
    total = db.count_dataset(dataset)
    msg.good(f"Imported {added} tasks into '{dataset}' ({total} in the dataset)")
    if counts["kept"]:
        msg.info(f"Found and kept the existing answer in {counts['kept']} tasks")
    if stream.skipped:
        messages.warn(f"Skipped {stream.skipped} invalid lines of {source} (warnings above name the first ones)")
