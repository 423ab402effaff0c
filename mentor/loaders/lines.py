"""Read a text source line by line, keeping line numbers for error messages."""
from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Optional, Tuple, Union

from ..errors import InvalidLine

Source = Union[str, Path]
STDIN = "-"
OnInvalid = Optional[Callable[[InvalidLine], None]]


def open_binary(source: Source) -> BinaryIO:
    """Open a file (transparently un-gzipping ``.gz``) or stdin for binary reading."""
    if str(source) == STDIN:
        return sys.stdin.buffer
    path = Path(source)
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def read_lines(
    source: Source, on_invalid: OnInvalid = None, *, keep_ends: bool = False
) -> Iterator[Tuple[int, str]]:
    """Yield ``(line_number, text)`` for each line, decoded as UTF-8.

    Bad UTF-8 raises InvalidLine naming the line and byte, rather than the
    bare UnicodeDecodeError a text-mode file gives with no position. With
    ``on_invalid``, the error is handed to it and the line skipped instead.
    """
    handle = open_binary(source)
    try:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                error = InvalidLine(source, number, f"not valid UTF-8 (byte {err.start} of the line)")
                if on_invalid is None:
                    raise error from None
                on_invalid(error)
                continue
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]  # a BOM from Windows editors is not part of the data
            yield number, text if keep_ends else text.rstrip("\r\n")
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def count_lines(source: Source, *, skip_blank: bool = True) -> Optional[int]:
    """Count (non-blank) lines quickly by scanning bytes; None for stdin."""
    if str(source) == STDIN:
        return None
    count = 0
    with open_binary(source) as handle:
        if not skip_blank:
            for block in iter(lambda: handle.read(1 << 20), b""):
                count += block.count(b"\n")
            return count
        for line in io.BufferedReader(handle, 1 << 20):  # type: ignore[arg-type]
            if line.strip():
                count += 1
    return count
