"""Loaders: a source path in, a lazy stream of tasks out.

``get_stream`` picks the loader from the file extension (or ``--loader``),
validates each task as it is read (errors name the file and line), sets the
hashes, and returns a :class:`Stream`. Loaders never touch the database.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Set, Union

from ..errors import InvalidLine, InvalidSource, SourceIsFolder, SourceNotFound, UnknownLoader
from ..tasks import Task, mark_own_hashes, set_hashes, task_key
from .conll import load_conll, load_iob
from .csv import check_header, load_csv, load_tsv
from .docbin import load_docbin
from .images import count_images, load_images
from .json_array import load_json
from .jsonl import load_jsonl
from .lines import STDIN, check_gzip, count_lines
from .skips import SkipReport
from .stream import Stream
from .txt import load_txt

__all__ = ["get_stream", "hash_tasks", "Stream", "LOADERS", "get_loader_name", "STDIN"]

logger = logging.getLogger(__name__)

Loader = Callable[..., Iterator[Task]]

LOADERS: Dict[str, Loader] = {
    "jsonl": load_jsonl,
    "json": load_json,
    "csv": load_csv,
    "tsv": load_tsv,
    "txt": load_txt,
    "images": load_images,
    "conll": load_conll,
    "iob": load_iob,
    "spacy": load_docbin,
}

_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
    ".conll": "conll",
    ".iob": "iob",
    ".spacy": "spacy",
}
# read whole or by sentence: no cheap count of their tasks
_UNCOUNTED = ("conll", "iob", "spacy")


def get_loader_name(source: Union[str, Path], loader: Optional[str] = None) -> str:
    """The loader for a source: the one named, else from the extension (jsonl for stdin)."""
    if loader:
        if loader not in LOADERS:
            raise UnknownLoader(f"Unknown loader '{loader}': choose from {', '.join(LOADERS)}")
        return loader
    if str(source) == STDIN:
        return "jsonl"
    path = Path(source)
    if path.is_dir():
        return "images"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise UnknownLoader(
        f"Can't tell how to read '{source}' from its extension: use --loader with one of {', '.join(LOADERS)}"
    )


def _counter(source: Union[str, Path], name: str) -> Callable[[], Optional[int]]:
    if name == "images":
        return lambda: count_images(source)
    if name in _UNCOUNTED:
        return lambda: None
    if name in ("jsonl", "txt"):
        return lambda: count_lines(source)
    if name in ("csv", "tsv"):
        # one header line; multi-line quoted cells make this an estimate
        return lambda: max(0, (count_lines(source) or 1) - 1) if str(source) != STDIN else None
    return lambda: None if str(source) == STDIN else _count_json(source)


def _count_json(source: Union[str, Path]) -> Optional[int]:
    """The valid tasks of a JSON array, or None when the file can't be read as one."""
    try:
        return sum(1 for _ in load_json(source, on_invalid=lambda error: None))
    except InvalidLine:
        return None


def check_source(source: Union[str, Path], name: str, input_key: str) -> None:
    """Fail now on what would fail every read: a folder for a file loader, a .gz that isn't
    gzip, a CSV without its text column. A recipe then stops at start with one line."""
    if str(source) == STDIN:
        return
    if name == "images":
        return
    if Path(source).is_dir():
        raise SourceIsFolder(source)
    check_gzip(source)
    if name in ("csv", "tsv"):
        check_header(source, delimiter="," if name == "csv" else "\t", input_key=input_key)


def hash_tasks(
    tasks: Iterable[Task],
    *,
    rehash: bool = False,
    dedup: bool = False,
    own_hashes: bool = False,
    hash_unhashed: bool = True,
) -> Iterator[Task]:
    """Set each task's hashes (recomputed with ``rehash``); ``dedup`` drops a task seen before, lazily.

    ``own_hashes``: a task that came with hashes also gets mentor's beside them where they differ
    (:func:`~mentor.tasks.mark_own_hashes`). ``hash_unhashed=False`` passes a task without
    hashes on as it is (see :func:`get_stream`).
    """
    seen: Set[int] = set()
    leave = not hash_unhashed and not rehash and not dedup
    for task in tasks:
        has_hashes = "_input_hash" in task or "_task_hash" in task
        if leave and not has_hashes:
            yield task
            continue
        hashed = own_hashes and not rehash and has_hashes
        set_hashes(task, overwrite=rehash)
        if hashed:
            mark_own_hashes(task)
        if dedup:
            # the task hash and the text: two texts whose 32-bit hashes collide are both kept
            key = task_key(task)
            if key in seen:
                continue
            seen.add(key)
        yield task


def get_stream(
    source: Union[str, Path],
    *,
    loader: Optional[str] = None,
    rehash: bool = False,
    dedup: bool = False,
    skip_invalid: bool = True,
    input_key: str = "text",
    own_hashes: bool = False,
    hash_unhashed: bool = True,
) -> Stream:
    """Open a source as a lazy stream of hashed tasks.

    Raises SourceNotFound, UnknownLoader, SourceIsFolder, NotGzip or (CSV
    without the text column) MissingField at once. A bad line is skipped,
    logged as a warning naming file and line (the first few; then a count),
    and counted in ``stream.skipped`` with the first errors in
    ``stream.errors``: one bad record never costs the valid ones around it.
    A ``.gz`` cut short keeps the tasks read before the damage, with one
    warning. With ``skip_invalid=False`` the first bad line raises
    InvalidLine/MissingField when the stream reaches it (``db-in``'s all or
    nothing). ``dedup`` drops a task only when an earlier one had the same
    ``_task_hash`` and the same input (:func:`~mentor.tasks.task_key`).
    ``own_hashes`` (imports) adds mentor's hashes beside a file's own where
    they differ (:func:`~mentor.tasks.mark_own_hashes`); tasks the file left
    unhashed are hashed once, as always. ``hash_unhashed=False`` (imports)
    leaves those for the database, which hashes them as it stores them
    (:func:`~mentor.tasks.hash_for_storage`: the same hashes, each value
    serialised once for both hashes and the content key).
    """
    if str(source) != STDIN and not Path(source).exists():
        raise SourceNotFound(source)
    name = get_loader_name(source, loader)
    check_source(source, name, input_key)
    load = LOADERS[name]
    report = SkipReport(str(source))
    options: Dict[str, Any] = {} if name == "images" else {"input_key": input_key}
    if skip_invalid and name != "images":
        options["on_invalid"] = report

    def factory() -> Iterator[Task]:
        report.reset()
        tasks = load(source, **options)
        yield from hash_tasks(tasks, rehash=rehash, dedup=dedup, own_hashes=own_hashes, hash_unhashed=hash_unhashed)
        report.finish()

    def validate() -> None:
        found = SkipReport(str(source), warn=False)
        checked = dict(options, on_invalid=found)
        for _ in load(source, **checked):
            pass
        if found.count:
            raise InvalidSource(str(source), found.count, found.errors[0])

    # stdin can be read once only; images have no lines to check
    validator = validate if str(source) != STDIN and name != "images" else None
    stream = Stream(factory, source=str(source), count=_counter(source, name), skips=report, validate=validator)
    return stream
