"""``mentor db-in``: import a file of tasks or answers into a dataset."""
from __future__ import annotations

from typing import Annotated, Optional

from wasabi import msg

from .. import messages
from ...core.importing import import_file
from ...db import connect
from ...registry import Arg, Opt, recipe


@recipe("db-in", group="database")
def db_in(
    dataset: Annotated[str, Arg(help="Dataset to add the tasks to (created if it doesn't exist)")],
    source: Annotated[str, Arg(help="File to import: JSONL, JSON, CSV, TSV, TXT (.gz too), or '-' for stdin")],
    answer: Annotated[str, Opt("--answer", help="Answer for tasks that have none: accept, reject or ignore")] = "accept",
    rehash: Annotated[bool, Opt("--rehash", help="Recompute _input_hash and _task_hash instead of keeping them")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader to use instead of the one the extension picks")] = None,
    skip_invalid: Annotated[bool, Opt("--skip-invalid", help="Skip bad lines with a warning and import the rest, instead of importing nothing")] = False,
    dry: Annotated[bool, Opt("--dry", help="Read and check the file and say what would be imported, writing nothing")] = False,
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
    result = import_file(
        connect, dataset, source, answer=answer, rehash=rehash, loader=loader, skip_invalid=skip_invalid, dry=dry
    )
    if result.removed_stale:
        msg.info(f"Removed {result.removed_stale} rows an interrupted import had left (they were never visible)")
    added, total = result.added, result.total
    if dry:
        msg.info(f"Dry run: would import {added} tasks into '{dataset}' ({total} in the dataset after); nothing was written")
    else:
        msg.good(f"Imported {added} tasks into '{dataset}' ({total} in the dataset)")
    if result.kept:
        msg.info(f"Found and kept the existing answer in {result.kept} tasks")
    if result.foreign:
        msg.info(
            f"{'Would keep' if dry else 'Kept'} the file's hashes on {result.foreign} tasks that mentor hashes "
            "differently, with mentor's beside them: a recipe leaves them out (--exclude, or served into this "
            "dataset) by either (--rehash replaces them)"
        )
    if result.skipped:
        messages.warn(f"Skipped {result.skipped} invalid lines of {source} (warnings above name the first ones)")
