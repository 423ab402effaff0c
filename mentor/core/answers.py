"""Check the shape of an answer before anything of it is stored or learnt from.

An answer comes from a browser or a script, not from a loader that already
checked it: a wrong type stored here breaks later commands (``progress`` on a
timestamp of 1e300, ``print-dataset`` on a number as text) or the model update
after the answer was stored (``"options": "x"`` in ``textcat.teach``). Each check
raises :class:`~mentor.errors.InvalidAnswer` naming the field, the answer's
place in the batch and its task, so the web app can hand that one answer back.
"""
from __future__ import annotations

import math
from typing import Any, Optional

from ..errors import InvalidAnswer
from ..tasks import ANSWERS, Task

MAX_HASH = 2**63 - 1
# unix seconds from 1970 to 2100: what a clock can say, and what datetime can print
MAX_TIMESTAMP = 4_102_444_800
# seconds a task was on screen (the web app's _time_on_screen): a week at most; the app caps what it sends there
TIME_ON_SCREEN = "_time_on_screen"
MAX_TIME_ON_SCREEN = 7 * 24 * 3600
STRING_FIELDS = ("text", "html", "image", "label", "_view_id")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answer(answer: Any, index: int) -> Task:
    """Return the answer if its known fields have the types and ranges stored answers need.

    Unknown fields pass: tasks are free-form. Raises InvalidAnswer otherwise.
    """
    if not isinstance(answer, dict):
        raise InvalidAnswer("answer", "must be a JSON object (a task with an 'answer')", index=index)
    task_hash = answer.get("_task_hash")
    shown = task_hash if _is_int(task_hash) else None

    def fail(field: str, problem: str) -> InvalidAnswer:
        return InvalidAnswer(field, problem, index=index, task_hash=shown)

    if answer.get("answer") not in ANSWERS:
        raise fail("answer", f"must be one of {', '.join(ANSWERS)}, got {answer.get('answer')!r}")
    for key in ("_input_hash", "_task_hash"):
        value = answer.get(key)
        if value is not None and (not _is_int(value) or abs(value) > MAX_HASH):
            raise fail(key, f"must be a 64-bit integer, got {value!r}")
    timestamp = answer.get("_timestamp")
    if timestamp is not None:
        if not (_is_int(timestamp) or isinstance(timestamp, float)) or not math.isfinite(timestamp):
            raise fail("_timestamp", f"must be a number (unix seconds), got {timestamp!r}")
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise fail("_timestamp", f"must be unix seconds between 1970 and 2100, got {timestamp!r}")
    on_screen = answer.get(TIME_ON_SCREEN)
    if on_screen is not None:
        if not (_is_int(on_screen) or isinstance(on_screen, float)) or not math.isfinite(on_screen):
            raise fail(TIME_ON_SCREEN, f"must be a number (seconds the task was on screen), got {on_screen!r:.80}")
        if not 0 <= on_screen <= MAX_TIME_ON_SCREEN:
            raise fail(TIME_ON_SCREEN, f"must be seconds between 0 and {MAX_TIME_ON_SCREEN} (a week), got {on_screen!r}")
    for key in STRING_FIELDS:
        if key in answer and not isinstance(answer[key], str):
            raise fail(key, f"must be a string, got {type(answer[key]).__name__}")
    meta = answer.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise fail("meta", "must be an object")
    for key in ("accept", "tokens", "options", "spans", "relations"):
        if answer.get(key) is not None and not isinstance(answer[key], list):
            raise fail(key, f"must be a list, got {type(answer[key]).__name__}")
    for option in answer.get("options") or []:
        if not isinstance(option, dict) or "id" not in option:
            raise fail("options", f"must hold objects with an 'id', got {option!r:.80}")
    tokens = answer.get("tokens")
    for span in answer.get("spans") or []:
        problem = _span_problem(span, answer.get("text"), len(tokens) if isinstance(tokens, list) else None)
        if problem:
            raise fail("spans", problem)
    for relation in answer.get("relations") or []:
        problem = relation_problem(relation, len(tokens) if isinstance(tokens, list) else None)
        if problem:
            raise fail("relations", problem)
    return answer


def relation_problem(relation: Any, n_tokens: Optional[int]) -> Optional[str]:
    """What is wrong with one relation (``{head, child, label}``, token indices), or None."""
    if not isinstance(relation, dict):
        return f"must hold objects, got {relation!r:.60}"
    for key in ("head", "child"):
        index = relation.get(key)
        if not _is_int(index) or index < 0 or (n_tokens is not None and index >= n_tokens):
            below = f" below {n_tokens}" if n_tokens is not None else ""
            return f"'{key}' must be a token index{below}, got {index!r:.40}"
    if "label" in relation and not isinstance(relation["label"], str):
        return f"labels must be strings, got {relation['label']!r:.40}"
    return None


def _span_problem(span: Any, text: Any, n_tokens: Optional[int]) -> Optional[str]:
    """What is wrong with one span, or None: character offsets inside the text, token indices inside the tokens."""
    if not isinstance(span, dict):
        return f"must hold objects, got {span!r:.80}"
    if "label" in span and not isinstance(span["label"], str):
        return f"labels must be strings, got {span['label']!r:.80}"
    for start_key, end_key, size in (("start", "end", len(text) if isinstance(text, str) else None),
                                     ("token_start", "token_end", None if n_tokens is None else n_tokens - 1)):
        start, end = span.get(start_key), span.get(end_key)
        if start is None and end is None:
            continue  # an image span has points instead
        if not (_is_int(start) and _is_int(end)):
            return f"'{start_key}' and '{end_key}' must be integers, got {start!r} and {end!r}"
        if start < 0 or end < start or (size is not None and end > size):
            return f"span {start}-{end} ({start_key}-{end_key}) is outside the {'text' if start_key == 'start' else 'tokens'}"
    return None
