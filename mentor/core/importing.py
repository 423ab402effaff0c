"""Import a file of tasks or answers into a dataset: what ``mentor db-in`` and the server's import share.

One code path, so a file the command line refuses is refused over HTTP with
the same error and code, and one it imports is imported the same way: the
loader named (or picked by extension) validates each line, tasks without an
answer get the default one, and ``Database.import_examples`` stages the rows
and publishes them in one step, so the first bad line stores nothing (unless
``skip_invalid``). The caller prints or returns the :class:`ImportResult`.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Union

from ..db import Database, validate_dataset_name
from ..db.preview import preview_add
from ..errors import EmptySource, InputError, InvalidChoice, SourceIsFolder
from ..loaders import STDIN, get_stream
from ..tasks import ANSWERS, OWN_HASHES_FIELD, Task


@dataclass
class ImportResult:
    """What an import did: tasks added, the dataset's count after, answers kept, bad lines skipped."""

    dataset: str
    added: int
    total: int
    kept: int = 0
    skipped: int = 0
    skipped_lines: List[str] = field(default_factory=list)
    removed_stale: int = 0
    foreign: int = 0  # tasks whose hashes mentor doesn't reproduce: kept, mentor's stored beside them


def prepared(stream: Iterator[Task], answer: str, counts: Dict[str, int], *, own_hashes: bool) -> Iterator[Task]:
    """Give each task the default answer unless it has one (Prodigy keeps existing answers), counting those that had one.

    With ``own_hashes``, also count the tasks the loader gave mentor's hashes
    beside the file's, moving that field last: exclusion reads it from the end
    of the stored JSON (mentor.core.keys). One generator for both, as it runs
    once a line of a million-line import.
    """
    for task in stream:
        if "answer" in task:
            counts["kept"] += 1
        else:
            task["answer"] = answer
        if own_hashes:
            own = task.pop(OWN_HASHES_FIELD, None)
            if own is not None:
                task[OWN_HASHES_FIELD] = own
                counts["foreign"] += 1
        yield task


def check_answer(answer: str, option: str = "--answer") -> str:
    if answer not in ANSWERS:
        raise InvalidChoice(option, answer, ANSWERS)
    return answer


def import_file(
    database: Union[Database, Callable[[], Database]],
    dataset: str,
    source: str,
    *,
    answer: str = "accept",
    rehash: bool = False,
    loader: Optional[str] = None,
    skip_invalid: bool = False,
    answer_option: str = "--answer",
    shown_as: Optional[str] = None,
    dry: bool = False,
) -> ImportResult:
    """Import ``source`` into ``dataset``, all or nothing; raise the InputError of the first bad line.

    ``dry`` reads and checks the whole source the same way and counts what
    would be added (answers the dataset doesn't hold yet), writing nothing.

    ``shown_as`` replaces the file's path in error messages and skipped lines
    (the server names an uploaded body ``upload``, not its temporary file).
    Errors say "Nothing was imported" when nothing was. ``database`` may be a
    function that opens it: the command line then opens none for a bad option
    or a missing file.
    """
    check_answer(answer, answer_option)
    if source != STDIN and Path(source).is_dir() and loader != "images":
        raise SourceIsFolder(source)
    # the database hashes what the file left unhashed as it stores it, serialising each value once
    stream = get_stream(
        source, loader=loader, rehash=rehash, skip_invalid=skip_invalid, own_hashes=not rehash, hash_unhashed=False
    )
    counts = {"kept": 0, "foreign": 0}
    tasks = prepared(iter(stream), answer, counts, own_hashes=not rehash)
    db = database if isinstance(database, Database) else database()
    validate_dataset_name(dataset)
    removed = 0 if dry else db.remove_stale_imports()
    total = 0
    try:
        first = next(tasks, None)  # an empty source fails before a dataset is made for it
        if first is None:
            raise EmptySource(source, stream.skipped)
        if dry:
            preview = preview_add(db, dataset, itertools.chain([first], tasks))
            added = preview.new
            total = (db.count_dataset(dataset) if preview.exists else 0) + added
        else:
            added = db.import_examples(dataset, itertools.chain([first], tasks))
    except InputError as err:
        err.message = f"{_shown(err.message, source, shown_as)}. Nothing was imported"
        if shown_as is not None and getattr(err, "path", None) == str(source):
            err.path = shown_as  # type: ignore[attr-defined]
        raise
    return ImportResult(
        dataset=dataset,
        added=added,
        total=total if dry else db.count_dataset(dataset),
        kept=counts["kept"],
        skipped=stream.skipped,
        skipped_lines=[_shown(error.message, source, shown_as) for error in stream.errors],
        removed_stale=removed,
        foreign=counts["foreign"],
    )


def _shown(message: str, source: str, shown_as: Optional[str]) -> str:
    return message.replace(str(source), shown_as) if shown_as is not None else message
