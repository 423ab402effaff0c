"""CSV and TSV sources: a ``text`` column, other columns into ``meta``."""
from __future__ import annotations

import csv
from typing import Dict, Iterator, List

from ..errors import InvalidLine, MissingField
from ..tasks import Task
from .lines import OnInvalid, Source, read_lines

# Columns that map onto task fields; everything else goes into meta.
TASK_COLUMNS = ("text", "label", "answer")


def load_csv(
    source: Source, *, delimiter: str = ",", input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield a task per row; the header names the columns (case-insensitive)."""
    numbered = read_lines(source, on_invalid, keep_ends=True)  # csv needs the ends for quoted newlines
    line_number = 0

    def lines() -> Iterator[str]:
        nonlocal line_number
        for line_number, text in numbered:
            yield text

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    columns: List[str] = [name.strip() for name in header]
    lowered = [name.lower() for name in columns]
    if input_key not in lowered:
        raise MissingField(source, 1, input_key)
    for row in reader:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            error = InvalidLine(
                source, line_number, f"expected {len(columns)} columns like the header, got {len(row)}"
            )
            if on_invalid is None:
                raise error
            on_invalid(error)
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
    return load_csv(source, delimiter="\t", input_key=input_key, on_invalid=on_invalid)
