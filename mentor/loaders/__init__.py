"""Loaders: a source path in, a lazy stream of tasks out.

``get_stream`` picks the loader from the file extension (or ``--loader``),
validates each task as it is read (errors name the file and line), sets the
hashes, and returns a :class:`Stream`. Loaders never touch the database.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Union

from ..errors import InvalidLine, SourceNotFound, UnknownLoader
from ..tasks import Task, set_hashes
from .csv import load_csv, load_tsv
from .images import count_images, load_images
from .json_array import load_json
from .jsonl import load_jsonl
from .lines import STDIN, count_lines
from .stream import Stream
from .txt import load_txt

__all__ = ["get_stream", "Stream", "LOADERS", "get_loader_name", "STDIN"]

logger = logging.getLogger(__name__)

Loader = Callable[..., Iterator[Task]]

LOADERS: Dict[str, Loader] = {
    "jsonl": load_jsonl,
    "json": load_json,
    "csv": load_csv,
    "tsv": load_tsv,
    "txt": load_txt,
    "images": load_images,
}

_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
}


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
    if name in ("jsonl", "txt"):
        return lambda: count_lines(source)
    if name in ("csv", "tsv"):
        # one header line; multi-line quoted cells make this an estimate
        return lambda: max(0, (count_lines(source) or 1) - 1) if str(source) != STDIN else None
    return lambda: None if str(source) == STDIN else sum(1 for _ in load_json(source))


def get_stream(
    source: Union[str, Path],
    *,
    loader: Optional[str] = None,
    rehash: bool = False,
    dedup: bool = False,
    skip_invalid: bool = False,
    input_key: str = "text",
) -> Stream:
    """Open a source as a lazy stream of hashed tasks.

    Raises SourceNotFound or UnknownLoader at once; a bad line raises
    InvalidLine/MissingField when the stream reaches it, unless
    ``skip_invalid`` is set, in which case it is skipped and counted in
    ``stream.skipped`` (first errors in ``stream.errors``).
    """
    if str(source) != STDIN and not Path(source).exists():
        raise SourceNotFound(source)
    name = get_loader_name(source, loader)
    load = LOADERS[name]
    errors: List[InvalidLine] = []

    def skip(error: InvalidLine) -> None:
        stream.skipped += 1
        if len(errors) < 20:
            errors.append(error)

    options = {} if name == "images" else {"input_key": input_key}
    if skip_invalid and name != "images":
        options["on_invalid"] = skip

    def factory() -> Iterator[Task]:
        stream.skipped = 0
        errors.clear()
        seen = set()
        for task in load(source, **options):
            set_hashes(task, overwrite=rehash)
            if dedup:
                if task["_task_hash"] in seen:
                    continue
                seen.add(task["_task_hash"])
            yield task

    stream = Stream(factory, source=str(source), count=_counter(source, name))
    stream.errors = errors  # type: ignore[attr-defined]
    return stream
