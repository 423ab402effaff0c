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
theirs (existing hashes are never recomputed unless asked). Being 32-bit, they
collide; mentor tells tasks apart by :func:`task_key`, a hash and a 64-bit
digest of the input together.
"""
from __future__ import annotations

import hashlib
import json
from json.encoder import encode_basestring_ascii as _encode_string
from typing import Any, Dict, Iterable, Iterator, List, Literal, Optional, Sequence, TypedDict

from murmurhash import hash as _murmur

_blake2b = hashlib.blake2b

INPUT_HASH_KEYS: tuple = ("text", "image", "html", "input")
TASK_HASH_KEYS: tuple = ("spans", "label", "options", "arcs")
ANSWERS: tuple = ("accept", "reject", "ignore")
# set (True) by the teach sorter on a question it drew at random rather than for the model's
# doubt: those answers are a fair sample of the stream, which a model can calibrate on
EXPLORED_KEY = "_explored"

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


def hash_for_storage(task: Task) -> int:
    """Set missing hashes and return the content key, serialising each value once.

    ``_parts``, ``hash_string`` and ``_content_key`` written out: an import
    calls this a million times, and the calls cost a tenth of it.
    """
    input_parts = []
    for key in INPUT_HASH_KEYS:
        if key in task:
            value = task[key]
            input_parts.append(_encode_string(value) if type(value) is str else json.dumps(value, sort_keys=True))
    task_parts = []
    for key in TASK_HASH_KEYS:
        if key in task:
            value = task[key]
            task_parts.append(_encode_string(value) if type(value) is str else json.dumps(value, sort_keys=True))
    if "_input_hash" not in task:
        task["_input_hash"] = _murmur("".join(input_parts)) if input_parts else get_input_hash(task)
    if "_task_hash" not in task:
        task["_task_hash"] = _murmur(str(task["_input_hash"]) + "".join(task_parts))
    digest = _blake2b("\x1f".join(input_parts + task_parts).encode("utf8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def input_digest(task: Task) -> int:
    """Unsigned 64-bit BLAKE2b of the input fields (``text``, ``image``, ``html``, ``input``).

    The same serialisation the hashes use; ``\\x1f`` can't occur in JSON
    text, so the parts can't run into each other.
    """
    parts = [canonical_json(task[key]) for key in INPUT_HASH_KEYS if key in task]
    data = parts[0] if len(parts) == 1 else "\x1f".join(parts)
    return int.from_bytes(_blake2b(data.encode("utf8"), digest_size=8).digest(), "big")


def task_key(task: Task, by: str = "task", digest: Optional[int] = None) -> int:
    """mentor's collision-proof key for a hashed task: its Prodigy hash and its input, in one int.

    ``by="task"`` pairs ``_task_hash`` with the input digest, ``by="input"``
    pairs ``_input_hash`` with it: ``hash << 64 | input_digest``. Two tasks get
    the same key only when their Prodigy hash is equal and their input is the
    same, so distinct texts whose 32-bit hashes collide (about a hundred
    pairs in a million) keep apart, and nothing the hashes tell apart (custom
    ``input_keys``, say) is merged. It covers the input only, not the question
    (spans, label, options), because an answer's question may be edited (a
    manual view) and must still find the task it answers; the same text asked
    two questions whose ``_task_hash``es collide is still one task, as in
    Prodigy. Pass ``digest`` (from :func:`input_digest`) to compute both keys
    of a task with one digest. The key is computed where needed, never
    stored; an answer keeps its digest as ``_input_digest`` (mentor.core.keys).
    """
    value = task["_input_hash" if by == "input" else "_task_hash"]
    return (int(value) << 64) | (input_digest(task) if digest is None else digest)


def _parts(task: Task, keys: Sequence[str]) -> List[str]:
    """``canonical_json`` of each of ``keys`` the task has, inlined: hashing a million tasks calls this four million times."""
    parts = []
    for key in keys:
        if key in task:
            value = task[key]
            parts.append(_encode_string(value) if type(value) is str else json.dumps(value, sort_keys=True))
    return parts


# mentor's hashes of an imported task whose own (a Prodigy export's) differ: see mentor.core.keys
OWN_HASHES_FIELD = "_mentor_hashes"


def mark_own_hashes(task: Task) -> bool:
    """Add ``_mentor_hashes`` (last) when the task's hashes aren't the ones mentor computes; True if added.

    ``[input hash, task hash, input digest as 16 hex digits]``. For imports:
    the file's hashes stay where they are (a Prodigy export keeps its
    identity), mentor's go beside them, so that exclusion matches either. A
    task whose hashes mentor reproduces is left as it is.
    """
    task.pop(OWN_HASHES_FIELD, None)
    input_hash = get_input_hash(task)
    task_hash = get_task_hash(task, input_hash)
    if task.get("_input_hash") == input_hash and task.get("_task_hash") == task_hash:
        return False
    task[OWN_HASHES_FIELD] = [input_hash, task_hash, format(input_digest(task), "016x")]
    return True


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
