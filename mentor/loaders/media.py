"""Audio and video sources: a folder of media files, or JSONL naming them.

A task carries its media by reference (``{"audio": path}`` or ``{"video": path}``,
as Prodigy stores it once the base64 is removed), and the server sends the file
when the browser asks for it (``GET /media?path=...``). Recordings run to
hundreds of megabytes, so inlining them as base64 in every task (and every
stored answer) is only done when asked for (``keep_base64``).

The server sends only files a task it made names: :class:`MediaFiles` is that
allow-list, filled as the stream yields tasks, so a request can't reach any
other file however its path is spelt (``..``, links, absolute paths).
"""
from __future__ import annotations

import base64
import mimetypes
import threading
from pathlib import Path
from typing import Any, Iterator, Optional, Set

from ..errors import InvalidLine, MediaFileMissing, MediaOutsideSource, NoMediaFiles, SourceNotFound
from ..tasks import Task
from .jsonl import read_json_lines
from .lines import Source, count_lines
from .skips import SkipReport
from .stream import Stream
from .validate import check_task

MEDIA_SUFFIXES = (".wav", ".mp3", ".m4a", ".ogg", ".oga", ".flac", ".aac", ".webm", ".mp4", ".m4v", ".ogv", ".mov")
KINDS = ("audio", "video")
# values the browser loads itself: nothing for the server to send
_URL_PREFIXES = ("http://", "https://", "data:", "blob:")


def is_url(value: str) -> bool:
    return value.lower().startswith(_URL_PREFIXES)


class MediaFiles:
    """The local files the server may send: exactly those the stream's tasks named."""

    def __init__(self) -> None:
        self._allowed: Set[Path] = set()
        self._lock = threading.Lock()

    def allow(self, path: Path) -> None:
        with self._lock:
            self._allowed.add(path.resolve())

    def find(self, requested: str) -> Optional[Path]:
        """The file a task named as ``requested``, or None when no task named it (or it is gone)."""
        try:
            path = Path(requested).resolve()
        except (OSError, ValueError):  # a NUL byte, a loop of links
            return None
        with self._lock:
            allowed = path in self._allowed
        return path if allowed and path.is_file() else None


def media_files(folder: Path) -> list:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in MEDIA_SUFFIXES and p.is_file())


def data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def get_media_stream(
    source: Source,
    media: MediaFiles,
    *,
    kind: str = "audio",
    keep_base64: bool = False,
    fetch_media: bool = False,
) -> Stream:
    """A lazy stream of ``{kind: path, "path", "meta": {"file"}}`` tasks from a folder or a JSONL file.

    A folder gives a task per media file, sorted by name. JSONL tasks name
    their media under ``kind``: a URL (``http(s)://``, ``data:``) is left to the
    browser; a local path (relative to the JSONL's folder) must lie inside
    the JSONL's folder, or anywhere with ``fetch_media``, and exist, else the
    line is skipped with a warning (M240, M241). ``keep_base64`` puts the file
    in the task as a data URI instead of sending it on request.
    """
    path = Path(source)
    if not path.exists():
        raise SourceNotFound(source)
    report = SkipReport(str(source))
    if path.is_dir() and not media_files(path):
        raise NoMediaFiles(path, ", ".join(s.lstrip(".") for s in MEDIA_SUFFIXES))
    root = None if fetch_media else path.resolve().parent

    def factory() -> Iterator[Task]:
        from . import hash_tasks  # the package imports this module

        report.reset()
        if path.is_dir():
            tasks = _folder_tasks(path, media, kind, keep_base64)
        else:
            tasks = _jsonl_tasks(source, media, kind, keep_base64, root, report)
        yield from hash_tasks(tasks, dedup=True)
        report.finish()

    def count() -> Optional[int]:
        return len(media_files(path)) if path.is_dir() else count_lines(source)

    return Stream(factory, source=str(source), count=count, skips=report)


def _folder_tasks(folder: Path, media: MediaFiles, kind: str, keep_base64: bool) -> Iterator[Task]:
    for path in media_files(folder):
        yield {kind: _reference(path, media, keep_base64), "path": str(path), "meta": {"file": path.name}}


def _reference(path: Path, media: MediaFiles, keep_base64: bool) -> str:
    """What the task holds for a local file: the file itself (base64), or its path, now servable."""
    if keep_base64:
        return data_uri(path)
    media.allow(path)
    return str(path)  # as given for a folder; absolute for a JSONL line, so the server finds it from anywhere


def _jsonl_tasks(
    source: Source, media: MediaFiles, kind: str, keep_base64: bool, root: Optional[Path], report: SkipReport
) -> Iterator[Task]:
    base = Path(source).resolve().parent

    def check(value: Any, where: Source, line: int, raw: str) -> Task:
        task = check_task(value, where, line, input_key=kind, raw=raw)
        value = task.get(kind)
        if not isinstance(value, str):
            raise InvalidLine(source, line, f"field '{kind}' is missing (a path or URL of the {kind})")
        if not is_url(value):
            path = _local_file(value, base, source, line, root)
            task.setdefault("path", value)
            task[kind] = _reference(path, media, keep_base64)
        return task

    return read_json_lines(source, check, report)


def _local_file(value: str, base: Path, source: Source, line: int, root: Optional[Path]) -> Path:
    """The file a JSONL line names, relative to the JSONL's folder, if the server may send it."""
    path = (base / value).resolve()
    if root is not None and not path.is_relative_to(root):
        raise MediaOutsideSource(
            source, line, f"'{value}' is outside the source's folder {root}: move it there, or pass --fetch-media"
        )
    if not path.is_file():
        raise MediaFileMissing(source, line, f"'{value}' is not a file")
    if path.suffix.lower() not in MEDIA_SUFFIXES:
        raise MediaFileMissing(source, line, f"'{value}' is not audio or video ({', '.join(MEDIA_SUFFIXES)})")
    return path
