"""JSONL (and .jsonl.gz) sources: one task object a line."""
from __future__ import annotations

from typing import Iterator

import srsly

from ..errors import InvalidLine
from ..tasks import Task
from .lines import OnInvalid, Source, read_lines
from .validate import check_task


def load_jsonl(
    source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield the tasks of a JSONL file lazily; blank lines are skipped.

    A bad line raises InvalidLine, or is handed to ``on_invalid`` and skipped.
    """
    for number, line in read_lines(source, on_invalid):
        if not line.strip():
            continue
        try:
            try:
                task = srsly.json_loads(line)
            except ValueError as err:
                raise InvalidLine(source, number, f"not valid JSON ({err})") from None
            yield check_task(task, source, number, input_key=input_key, raw=line)
        except InvalidLine as error:
            if on_invalid is None:
                raise
            on_invalid(error)
