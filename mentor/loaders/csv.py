"""CSV and TSV sources: a ``text`` column, other columns into ``meta``."""
from __future__ import annotations

import csv
from typing import Dict, Iterator, List, Optional

from ..errors import CellTooLarge, ColumnCountMismatch, InvalidLine, MissingField
from ..tasks import Task
from .lines import STDIN, OnInvalid, Source, read_lines

# Columns that map onto task fields; everything else goes into meta.
TASK_COLUMNS = ("text", "label", "answer")


class _Numbered:
    """The lines of a source for csv.reader, remembering the number of the last one read."""

    def __init__(self, source: Source, on_invalid: OnInvalid) -> None:
        # csv needs the line ends to read quoted cells that span lines
        self._lines = read_lines(source, on_invalid, keep_ends=True)
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for self.line, text in self._lines:
            yield text


def _row_error(source: Source, line: int, err: csv.Error) -> InvalidLine:
    if "field larger than field limit" in str(err):
        limit = csv.field_size_limit()
        return CellTooLarge(source, line, f"a cell is longer than {limit:,} characters, the most a CSV cell may hold")
    return InvalidLine(source, line, f"not a valid CSV row ({err})")


def _columns(header: List[str], source: Source, input_key: str) -> List[str]:
    columns = [name.strip() for name in header]
    if input_key not in (name.lower() for name in columns):
        raise MissingField(source, 1, input_key)
    return columns


def _read_header(reader: Iterator[List[str]], source: Source, input_key: str) -> Optional[List[str]]:
    """The header's column names, None for an empty file; MissingField without the input column."""
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise _row_error(source, 1, err) from None
    return None if header is None else _columns(header, source, input_key)


def load_csv(
    source: Source, *, delimiter: str = ",", input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield a task per row; the header names the columns (case-insensitive).

    A row that can't be read (a cell over csv's size limit, a wrong number of
    cells) raises InvalidLine naming the row's first line, or is handed to
    ``on_invalid`` and skipped.
    """
    lines = _Numbered(source, on_invalid)
    reader = csv.reader(iter(lines), delimiter=delimiter)
    columns = _read_header(reader, source, input_key)
    if columns is None:
        return
    lowered = [name.lower() for name in columns]
    while True:
        first_line = lines.line + 1
        try:
            row = next(reader)
            if row and len(row) != len(columns) and any(cell.strip() for cell in row):
                raise ColumnCountMismatch(
                    source, first_line, f"expected {len(columns)} columns like the header, got {len(row)}"
                )
        except StopIteration:
            return
        except (csv.Error, InvalidLine) as err:
            error = _row_error(source, first_line, err) if isinstance(err, csv.Error) else err
            if on_invalid is None:
                raise error from None
            on_invalid(error)
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        task: Task = {}
        meta: Dict[str, str] = {}
        for name, low, value in zip(columns, lowered, row):
            if low in TASK_COLUMNS or low == input_key:
                task[low] = value
            else:
                meta[name] = value
        if meta:
            task["meta"] = meta
        yield task


def load_tsv(source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None) -> Iterator[Task]:
    """Yield a task per row of a tab-separated file, as ``load_csv`` does."""
    return load_csv(source, delimiter="\t", input_key=input_key, on_invalid=on_invalid)


def check_header(source: Source, *, delimiter: str = ",", input_key: str = "text") -> None:
    """Raise MissingField now if a CSV/TSV file (not stdin) lacks the input column.

    ``get_stream`` calls it when a stream is opened, so a file without a text
    column stops the recipe at start rather than failing on its first batch.
    """
    if str(source) != STDIN:
        _read_header(csv.reader(iter(_Numbered(source, None)), delimiter=delimiter), source, input_key)
