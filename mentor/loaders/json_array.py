"""JSON sources: one array of task objects."""
from __future__ import annotations

from typing import Iterator

import srsly

from ..errors import InvalidLine
from ..tasks import Task
from .lines import STDIN, OnInvalid, Source
from .validate import check_task


def load_json(
    source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield the tasks of a JSON array.

    A JSON array must be parsed whole, so unlike JSONL this holds the file in
    memory: use JSONL for large sources. The 'line' in errors is the item's
    position in the array.
    """
    try:
        if str(source) == STDIN:
            import sys

            data = srsly.json_loads(sys.stdin.read())
        else:
            data = srsly.read_json(source)
    except UnicodeDecodeError as err:
        raise InvalidLine(source, 1, f"not valid UTF-8 (byte {err.start})") from None
    except ValueError as err:
        raise InvalidLine(source, 1, f"not valid JSON ({err})") from None
    if not isinstance(data, list):
        raise InvalidLine(source, 1, "expected a JSON array of tasks")
    for number, task in enumerate(data, start=1):
        try:
            yield check_task(task, source, number, input_key=input_key)
        except InvalidLine as error:
            if on_invalid is None:
                raise
            on_invalid(error)
