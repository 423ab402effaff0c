"""JSON sources: one array of task objects."""
from __future__ import annotations

from typing import Any, Iterator

import srsly

from ..errors import InvalidEncoding, InvalidLine
from ..tasks import Task
from .lines import DAMAGED, OnInvalid, Source, damaged, opened
from .validate import check_task


def read_array(source: Source) -> Any:
    """Parse the whole file as JSON; a UTF-8 BOM (Windows editors write one) is dropped."""
    try:
        with opened(source) as handle:
            data = handle.read()
    except DAMAGED as err:
        raise damaged(source, 0, err) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidEncoding(source, 1, f"not valid UTF-8 (byte {err.start})") from None
    try:
        return srsly.json_loads(text)
    except ValueError as err:
        raise InvalidLine(source, 1, f"not valid JSON ({err})") from None


def load_json(
    source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield the tasks of a JSON array.

    A JSON array must be parsed whole, so unlike JSONL this holds the file in
    memory: use JSONL for large sources. The 'line' in errors is the item's
    position in the array. A file that isn't a JSON array raises whatever
    ``on_invalid`` says, since no task of it can be read.
    """
    data = read_array(source)
    if not isinstance(data, list):
        raise InvalidLine(source, 1, "expected a JSON array of tasks")
    for number, task in enumerate(data, start=1):
        try:
            yield check_task(task, source, number, input_key=input_key)
        except InvalidLine as error:
            if on_invalid is None:
                raise
            on_invalid(error)
