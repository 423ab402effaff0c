"""``prodigy.components.loaders``: read files as Prodigy's loaders do.

Prodigy's ``JSONL`` only parses: it neither checks tasks nor sets hashes, and
recipes rely on that to read any JSON lines (patterns, pre-annotated data). So
this one parses too, skipping (with a warning naming file and line) only the
lines that are not JSON, so one bad line never costs the lines around it. The
other loaders are mentor's own, which check each task the same way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Union

import srsly

from mentor.errors import InvalidLine
from mentor.loaders import LOADERS
from mentor.loaders.lines import read_lines
from mentor.loaders.media import MediaFiles, get_media_stream
from mentor.loaders.skips import SkipReport

from .stream import get_stream

__all__ = ["JSONL", "JSON", "CSV", "TXT", "Images", "Audio", "Video", "get_stream"]

Source = Union[str, Path]


def JSONL(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802 - Prodigy's name
    """Yield each line's JSON value, unchecked; a line that is no JSON is skipped with a warning."""
    report = SkipReport(str(path))
    for number, line in read_lines(path, report):
        if not line.strip():
            continue
        try:
            yield srsly.json_loads(line)
        except ValueError as err:
            report(InvalidLine(path, number, f"not valid JSON ({err})"))
    report.finish()


def JSON(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """The tasks of a JSON array file (mentor's loader: each one checked)."""
    return LOADERS["json"](path)


def CSV(path: Source, *, delimiter: str = ",", **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """The rows of a CSV (or, with ``delimiter="\\t"``, TSV) file with a ``text`` column."""
    return LOADERS["tsv" if delimiter == "\t" else "csv"](path)


def TXT(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """One ``{"text": line}`` task a non-empty line."""
    return LOADERS["txt"](path)


def Images(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """One ``{"image": data URI, "path", "meta": {"file"}}`` task an image of a folder, by name."""
    return LOADERS["images"](path)


def Audio(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """One ``{"audio": data URI, "path", "meta": {"file"}}`` task an audio file of a folder, by name.

    Base64 inside the task, as Prodigy's loader gives it: a custom recipe's
    components name no files for the server to send (mentor's own
    ``audio.manual`` sends them by path instead).
    """
    return iter(get_media_stream(path, MediaFiles(), kind="audio", keep_base64=True))


def Video(path: Source, **_ignored: Any) -> Iterator[Any]:  # noqa: N802
    """As :func:`Audio`, under ``video``."""
    return iter(get_media_stream(path, MediaFiles(), kind="video", keep_base64=True))
