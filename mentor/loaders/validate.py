"""Checks every loader applies to a task as it is read."""
from __future__ import annotations

from typing import Any, Optional

from ..errors import InvalidEncoding, InvalidLine, MissingField
from ..tasks import INPUT_HASH_KEYS, Task
from .lines import Source


def find_unencodable(value: Any, path: str = "") -> Optional[str]:
    """The path of the first key or string that can't be written as UTF-8, else None.

    JSON's ``\\ud800`` escapes decode to lone surrogates, which Python holds in
    a str but no UTF-8 encoder writes: such a task would fail later, when it is
    stored or sent to the app, far from the line that holds it.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(value)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = find_unencodable(key, where) or find_unencodable(item, where)
            if found:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_unencodable(item, f"{path}[{index}]")
            if found:
                return found
    return None


def may_hold_surrogates(raw: str) -> bool:
    """Whether a JSON text has a ``\\uD...`` escape, the only way a lone surrogate gets in (cheap)."""
    return "\\ud" in raw or "\\uD" in raw


def check_task(
    task: Any, source: Source, line: int, *, input_key: str = "text", raw: Optional[str] = None
) -> Task:
    """Return the task if it can be annotated and stored, else raise naming the file and line.

    ``raw`` is the JSON text the task was parsed from; when given, the deep
    UTF-8 check runs only if the text has a surrogate escape.
    """
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
    if raw is None or may_hold_surrogates(raw):
        field = find_unencodable(task)
        if field is not None:
            raise InvalidEncoding(
                source, line, f"field '{field}' holds a lone surrogate (a \\uD800-\\uDFFF escape), which isn't text UTF-8 can store"
            )
    return task
