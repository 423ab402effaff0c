"""Read a text source line by line, keeping line numbers for error messages."""
from __future__ import annotations

import gzip
import io
import sys
import zlib
from pathlib import Path
from contextlib import contextmanager
from typing import BinaryIO, Callable, Iterator, Optional, Tuple, Union

from ..errors import InvalidEncoding, InvalidLine, NotGzip, TruncatedSource

Source = Union[str, Path]
STDIN = "-"
OnInvalid = Optional[Callable[[InvalidLine], None]]

GZIP_MAGIC = b"\x1f\x8b"
# What gzip raises part-way through a damaged file: cut short (EOFError), bad
# deflate data (zlib.error), a bad CRC or trailing garbage (BadGzipFile).
DAMAGED = (EOFError, zlib.error, gzip.BadGzipFile)


def is_gzip_name(source: Source) -> bool:
    return str(source) != STDIN and Path(source).suffix.lower() == ".gz"


def check_gzip(source: Source) -> None:
    """Raise NotGzip for a ``.gz`` file that doesn't start like gzip data.

    Called when a stream is opened, so a misnamed file fails the recipe at start
    with one line instead of failing every request that reads it.
    """
    if not is_gzip_name(source) or Path(source).is_dir():
        return
    with open(source, "rb") as handle:
        if handle.read(2) != GZIP_MAGIC:
            raise NotGzip(source)


def open_binary(source: Source) -> BinaryIO:
    """Open a file (transparently un-gzipping ``.gz``) or stdin for binary reading."""
    if str(source) == STDIN:
        return sys.stdin.buffer
    path = Path(source)
    if is_gzip_name(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


@contextmanager
def opened(source: Source) -> Iterator[BinaryIO]:
    """``open_binary`` as a context manager that closes files but leaves stdin open."""
    handle = open_binary(source)
    try:
        yield handle
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def damaged(source: Source, last_line: int, err: Exception) -> TruncatedSource:
    """The error for a compressed file that can't be read past ``last_line``."""
    detail = str(err) or err.__class__.__name__
    return TruncatedSource(
        source, last_line + 1, f"the compressed data ends early or is damaged ({detail}): nothing after line {last_line} can be read"
    )


def read_lines(
    source: Source, on_invalid: OnInvalid = None, *, keep_ends: bool = False
) -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, text)`` for each line, decoded as UTF-8.

    Bad UTF-8 raises InvalidEncoding naming the line and byte, rather than the
    bare UnicodeDecodeError a text-mode file gives with no position. A ``.gz``
    cut short or damaged raises TruncatedSource after the last good line. With
    ``on_invalid``, either error is handed to it instead: a bad line is then
    skipped, and a damaged file ends the lines read so far.
    """
    number = 0
    with opened(source) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    error = InvalidEncoding(source, number, f"not valid UTF-8 (byte {err.start} of the line)")
                    if on_invalid is None:
                        raise error from None
                    on_invalid(error)
                    continue
                if number == 1 and text.startswith("\ufeff"):
                    text = text[1:]  # a BOM from Windows editors is not part of the data
                yield number, text if keep_ends else text.rstrip("\r\n")
        except DAMAGED as err:
            # the line being read when the data ran out was never yielded: number is the last good one
            truncated = damaged(source, number, err)
            if on_invalid is None:
                raise truncated from None
            on_invalid(truncated)


def count_lines(source: Source, *, skip_blank: bool = True) -> Optional[int]:
    """Count (non-blank) lines quickly by scanning bytes; None for stdin.

    A damaged ``.gz`` counts the lines that can be read, as the loaders serve them.
    """
    if str(source) == STDIN:
        return None
    count = 0
    with opened(source) as handle:
        try:
            if not skip_blank:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    count += block.count(b"\n")
                return count
            for line in io.BufferedReader(handle, 1 << 20):  # type: ignore[arg-type]
                if line.strip():
                    count += 1
        except DAMAGED:
            pass
    return count
