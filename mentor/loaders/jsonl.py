"""JSONL (and .jsonl.gz) sources: one task object a line."""
from __future__ import annotations

from typing import Any, Callable, Iterator, TypeVar

import srsly

from ..errors import InvalidLine
from ..tasks import Task
from .lines import OnInvalid, Source, read_lines
from .validate import check_task

T = TypeVar("T")


def read_json_lines(source: Source, check: Callable[[Any, Source, int, str], T], on_invalid: OnInvalid = None) -> Iterator[T]:
    """Yield ``check(value, source, line_number, raw_line)`` for each JSON line; blank lines are skipped.

    A line that isn't JSON, or that ``check`` refuses (InvalidLine), raises, or
    is handed to ``on_invalid`` and skipped.
    """
    for number, line in read_lines(source, on_invalid):
        if not line.strip():
            continue
        try:
            try:
                value = srsly.json_loads(line)
            except ValueError as err:
                raise InvalidLine(source, number, f"not valid JSON ({err})") from None
            yield check(value, source, number, line)
        except InvalidLine as error:
            if on_invalid is None:
                raise
            on_invalid(error)


def load_jsonl(
    source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None
) -> Iterator[Task]:
    """Yield the tasks of a JSONL file lazily; blank lines are skipped.

    A bad line raises InvalidLine, or is handed to ``on_invalid`` and skipped.
    """

    def check(task: Any, where: Source, number: int, raw: str) -> Task:
        return check_task(task, where, number, input_key=input_key, raw=raw)

    return read_json_lines(source, check, on_invalid)
