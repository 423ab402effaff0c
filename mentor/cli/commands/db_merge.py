"""``mentor db-merge``: merge datasets into a new one."""
from __future__ import annotations

from typing import Annotated, Iterator, List

from wasabi import msg

from ...db import Database, connect, validate_dataset_name
from ...db.preview import preview_add
from ...errors import DatasetNotFound, InputError
from ...registry import Arg, Opt, recipe
from ...tasks import Task, set_hashes, split_string


def merged_examples(db: Database, names: List[str], rehash: bool) -> Iterator[Task]:
    for name in names:
        for task in db.get_dataset_examples(name):
            yield set_hashes(task, overwrite=True) if rehash else task


@recipe("db-merge", group="database")
def db_merge(
    in_sets: Annotated[str, Arg(help="Comma-separated datasets to merge")],
    out_set: Annotated[str, Arg(help="Dataset to merge them into")],
    rehash: Annotated[bool, Opt("--rehash", help="Recompute the hashes of the merged tasks")] = False,
    dry: Annotated[bool, Opt("--dry", help="Say what would be merged, writing nothing")] = False,
) -> None:
    """Merge several datasets into one (duplicates of the same answer are stored once)."""
    names = split_string(in_sets)
    if not names:
        raise InputError("Name at least one dataset to merge")
    db = connect()
    for name in names:
        if name not in db:
            raise DatasetNotFound(name)
    if out_set in names:
        raise InputError(f"The output dataset '{out_set}' can't also be an input")
    if dry:
        validate_dataset_name(out_set)
        preview = preview_add(db, out_set, merged_examples(db, names, rehash))
        msg.info(
            f"Dry run: would merge {preview.new} of {preview.read} annotations from {', '.join(names)} into "
            f"'{out_set}' ({preview.repeats} already there or repeated); nothing was written"
        )
        return
    added = db.import_examples(out_set, merged_examples(db, names, rehash), meta={"merged_from": names})
    msg.good(f"Merged {added} annotations from {', '.join(names)} into '{out_set}'")
