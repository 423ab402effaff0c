"""The task format and its hashes.

A task is a plain JSON object, as Prodigy users know it (see docs/task-format.md).
Two hashes identify it: ``_input_hash`` over what is shown (text, image, html,
input) and ``_task_hash`` over the input hash plus the question asked about it
(spans, label, options, arcs). They are stable across processes, machines and
key order, because they hash canonical JSON (sorted keys) with 32-bit
MurmurHash3. The layout is Prodigy's own: the input hash is the hash of the
concatenated JSON of each input value, the task hash the hash of the input
hash's decimal string followed by the JSON of each task value. So a task hashed
by mentor gets the hash Prodigy (1.1x) gives it, and imported Prodigy files keep
theirs (existing hashes are never recomputed unless asked).
"""
from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii as _encode_string
from typing import Any, Dict, Iterable, Iterator, List, Literal, Optional, Sequence, TypedDict

from murmurhash import hash as _murmur

INPUT_HASH_KEYS: tuple = ("text", "image", "html", "input")
TASK_HASH_KEYS: tuple = ("spans", "label", "options", "arcs")
ANSWERS: tuple = ("accept", "reject", "ignore")

Answer = Literal["accept", "reject", "ignore"]


class Token(TypedDict, total=False):
    text: str
    start: int
    end: int
    id: int
    ws: bool


class Span(TypedDict, total=False):
    start: int
    end: int
    label: str
    token_start: int
    token_end: int
    score: float


class Option(TypedDict, total=False):
    id: Any
    text: str


# A task is a free-form JSON object; these TypedDicts document the known keys.
Task = Dict[str, Any]


def canonical_json(value: Any) -> str:
    """Serialise so that equal values give equal strings, whatever the key order.

    Strings (the usual ``text``) take the json module's own C escaper directly:
    the same output as ``json.dumps``, which the hashes must match, at a
    fraction of its cost.
    """
    if type(value) is str:
        return _encode_string(value)
    return json.dumps(value, sort_keys=True)


def hash_string(text: str) -> int:
    """Signed 32-bit MurmurHash3 of a string."""
    return int(_murmur(text))


def get_input_hash(task: Task, input_keys: Sequence[str] = INPUT_HASH_KEYS) -> int:
    parts = _parts(task, input_keys)
    if not parts:
        # nothing to identify the input by: fall back to the whole task, minus bookkeeping
        rest = {k: v for k, v in task.items() if not k.startswith("_") and k not in IGNORE_KEYS}
        parts = [canonical_json(rest)]
    return hash_string("".join(parts))


def get_task_hash(
    task: Task, input_hash: int, task_keys: Sequence[str] = TASK_HASH_KEYS
) -> int:
    parts = _parts(task, task_keys)
    return hash_string(str(input_hash) + "".join(parts))


def _content_key(input_parts: List[str], task_parts: List[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(input_parts + task_parts).encode("utf8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def get_content_key(
    task: Task, input_keys: Sequence[str] = INPUT_HASH_KEYS, task_keys: Sequence[str] = TASK_HASH_KEYS
) -> int:
    """A 64-bit hash of what the two hashes cover, for telling real repeats from collisions.

    32-bit hashes collide: among a million distinct tasks about a hundred pairs
    share a ``_task_hash``. The database stores an answer again only when both
    this key and the task hash match, so a collision never drops a task.
    """
    return _content_key(_parts(task, input_keys), _parts(task, task_keys))


def hash_for_storage(task: Task) -> int:
    """Set missing hashes and return the content key, serialising each value once."""
    input_parts = _parts(task, INPUT_HASH_KEYS)
    task_parts = _parts(task, TASK_HASH_KEYS)
    if "_input_hash" not in task:
        task["_input_hash"] = hash_string("".join(input_parts)) if input_parts else get_input_hash(task)
    if "_task_hash" not in task:
        task["_task_hash"] = hash_string(str(task["_input_hash"]) + "".join(task_parts))
    return _content_key(input_parts, task_parts)


def _parts(task: Task, keys: Sequence[str]) -> List[str]:
    return [canonical_json(task[key]) for key in keys if key in task]


IGNORE_KEYS = frozenset(
    ("score", "rank", "model", "source", "pattern", "priority", "path", "answer", "meta")
)


def set_hashes(
    task: Task,
    *,
    input_keys: Sequence[str] = INPUT_HASH_KEYS,
    task_keys: Sequence[str] = TASK_HASH_KEYS,
    overwrite: bool = False,
) -> Task:
    """Add ``_input_hash`` and ``_task_hash`` to a task, in place, and return it.

    Existing hashes are kept unless ``overwrite`` is set: a Prodigy export
    imports with the hashes it was written with.
    """
    if overwrite or "_input_hash" not in task:
        task["_input_hash"] = get_input_hash(task, input_keys)
    if overwrite or "_task_hash" not in task:
        task["_task_hash"] = get_task_hash(task, task["_input_hash"], task_keys)
    return task


def rehash_task(task: Task) -> Task:
    """Recompute the task hash after the question changed (spans, label, options), keeping the input hash."""
    if "_input_hash" not in task:
        return set_hashes(task)
    task["_task_hash"] = get_task_hash(task, task["_input_hash"])
    return task


def hash_stream(
    stream: Iterable[Task],
    *,
    input_keys: Sequence[str] = INPUT_HASH_KEYS,
    task_keys: Sequence[str] = TASK_HASH_KEYS,
    overwrite: bool = False,
) -> Iterator[Task]:
    """Lazily set hashes on every task of a stream."""
    for task in stream:
        yield set_hashes(task, input_keys=input_keys, task_keys=task_keys, overwrite=overwrite)


def split_string(value: Optional[str]) -> List[str]:
    """Split a comma-separated CLI value, dropping blanks: 'A, B,' -> ['A', 'B']."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def is_answer(value: Any) -> bool:
    return value in ANSWERS
