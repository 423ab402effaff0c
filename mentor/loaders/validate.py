"""Checks every loader applies to a task as it is read."""
from __future__ import annotations

from typing import Any

from ..errors import InvalidLine, MissingField
from ..tasks import INPUT_HASH_KEYS, Task
from .lines import Source


def check_task(task: Any, source: Source, line: int, *, input_key: str = "text") -> Task:
    """Return the task if it can be annotated, else raise naming the file and line."""
    if not isinstance(task, dict):
        raise InvalidLine(source, line, f"expected a JSON object, got {type(task).__name__}")
    if input_key not in task and not any(key in task for key in INPUT_HASH_KEYS):
        raise MissingField(source, line, input_key)
    value = task.get(input_key)
    if input_key in task and not isinstance(value, str):
        raise InvalidLine(source, line, f"field '{input_key}' must be a string, got {type(value).__name__}")
    meta = task.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise InvalidLine(source, line, "field 'meta' must be an object")
    answer = task.get("answer")
    if answer is not None and answer not in ("accept", "reject", "ignore"):
        raise InvalidLine(source, line, f"field 'answer' must be accept, reject or ignore, got {answer!r}")
    return task
