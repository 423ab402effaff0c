"""The keys the server tells tasks apart by: Prodigy's hash and the input, so 32-bit collisions can't merge two texts.

``_task_hash`` and ``_input_hash`` are 32-bit: among a million distinct texts
about a hundred pairs share one. Keyed on them alone, the second text of a
pair was left out of a stream, its answer taken for a repeat, and a restart
skipped it when the first had been answered. Here every task is keyed by
:func:`~mentor.tasks.task_key`: the hash and a 64-bit digest of the input.

An answer is stored with ``_input_digest``, the digest of the input it was
served with (16 hex digits), written by the server before ``before_db`` may
strip the input (a base64 image, say). A stored answer's key is its hash and
that digest. Stored answers without one (imported from Prodigy, or stored
before mentor wrote it) are known by their bare 32-bit hash, as before: a
stream task with that hash counts as answered, whatever its text.

Prodigy's hashes of a task depend on its version and recipe (a loader that
hashed the API record, a span score rounded on export), so an imported task
may carry hashes mentor would never compute for the same text. ``db-in``
keeps them and adds ``_mentor_hashes``: ``[input hash, task hash, input
digest]`` as mentor computes them, the last field of the stored JSON. Such a
task is known by both: its bare file hashes, and mentor's key for the same
task (:func:`mentor.tasks.mark_own_hashes`, :func:`own_key_of`), so the imported work is
never served again, whichever way the stream was hashed.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional, Set, Tuple

from ..tasks import OWN_HASHES_FIELD, Task, input_digest, task_key

DIGEST_FIELD = "_input_digest"
_STORED = f'"{DIGEST_FIELD}":"'
DIGEST_MASK = (1 << 64) - 1  # a key's low bits: its input digest
_OWN = f'"{OWN_HASHES_FIELD}":['
# the field is last and at most ~60 characters long: read from the tail only, never the whole text
_OWN_TAIL = 96


def format_digest(digest: int) -> str:
    return format(digest, "016x")


def parse_digest(value: Any) -> Optional[int]:
    """The digest a stored ``_input_digest`` holds, or None when it isn't 16 hex digits."""
    if isinstance(value, str) and len(value) == 16:
        try:
            return int(value, 16)
        except ValueError:
            return None
    return None


def read_stored_keys(rows: Iterable[Tuple[int, int, str]], by: str) -> "KeySet":
    """The keys of stored answers from ``(input_hash, task_hash, content)`` rows (Database.iter_hashes_and_content).

    The digest is found from the end of the JSON text, without parsing the
    rest: the server adds the field last, and a string value can't hold the
    pattern (its quotes are escaped), so the last match is the field. A
    restart reads a million of these.
    """
    keys: Set[int] = set()
    hashes: Set[int] = set()
    column = 0 if by == "input" else 1
    width = len(_STORED)
    for row in rows:
        content = row[2]
        if content.endswith("]}") and _OWN in content[-_OWN_TAIL:]:
            own = _parse_own(content[-_OWN_TAIL:], by)
            if own is not None:
                keys.add(own)
        at = content.rfind(_STORED) + width
        if at >= width and content[at + 16:at + 17] == '"':
            try:
                keys.add((int(row[column]) << 64) | int(content[at:at + 16], 16))
                continue
            except ValueError:
                pass
        hashes.add(int(row[column]))
    return KeySet(keys, hashes)


def _parse_own(tail: str, by: str) -> Optional[int]:
    """mentor's key from the ``_mentor_hashes`` at the end of a stored JSON text, or None if malformed."""
    start = tail.rfind(_OWN) + len(_OWN)
    parts = tail[start:tail.find("]", start)].split(",")
    try:
        input_hash, task_hash, digest = int(parts[0]), int(parts[1]), int(parts[2].strip('"'), 16)
    except (IndexError, ValueError):
        return None
    return ((input_hash if by == "input" else task_hash) << 64) | digest


def strip_own_hashes(content: str) -> str:
    """A stored JSON text without its ``_mentor_hashes`` (exports give a Prodigy file back as it came).

    The field is last, so it is cut from the tail without parsing; a
    re-import computes it again.
    """
    if not content.endswith("]}"):
        return content
    at = content.rfind("," + _OWN, max(0, len(content) - _OWN_TAIL))
    return content[:at] + "}" if at >= 0 else content


def own_key_of(record: Task, by: str) -> Optional[int]:
    """mentor's key for a parsed stored record with ``_mentor_hashes`` (by task or input hash), else None."""
    value = record.get(OWN_HASHES_FIELD)
    if not isinstance(value, list) or len(value) != 3:
        return None
    try:
        return (int(value[0 if by == "input" else 1]) << 64) | int(str(value[2]), 16)
    except (TypeError, ValueError):
        return None


def keys_of(task: Task, by: str, digest: Optional[int] = None) -> Tuple[int, int]:
    """``(ident, key)``: the task's key by ``_task_hash``, and by the hash ``exclude_by`` names, one digest."""
    if digest is None:
        digest = input_digest(task)
    served = task_key(task, "task", digest)
    return served, (served if by == "task" else task_key(task, "input", digest))


def stored_key(hash_value: Any, digest: Optional[int]) -> Tuple[Optional[int], Optional[int]]:
    """``(key, None)`` for a stored answer with its digest, ``(None, hash)`` for one without."""
    if digest is None:
        return None, int(hash_value)
    return (int(hash_value) << 64) | digest, None


def stored_keys_of(record: Task, by: str) -> Tuple[Optional[int], Optional[int]]:
    """:func:`stored_key` for a parsed stored answer: by ``_task_hash`` or ``_input_hash``."""
    value = record["_input_hash" if by == "input" else "_task_hash"]
    return stored_key(value, parse_digest(record.get(DIGEST_FIELD)))


class KeySet:
    """Keys of answered tasks, and the bare hashes of stored answers without a digest.

    ``key in keys`` is true for a key added, and for any key whose hash (its
    top bits) was added bare. The bare set is empty unless old or imported
    answers are read, so the usual test is one set lookup.
    """

    __slots__ = ("keys", "hashes")

    def __init__(self, keys: Iterable[int] = (), hashes: Iterable[int] = ()) -> None:
        self.keys: Set[int] = set(keys)
        self.hashes: Set[int] = set(hashes)

    def __contains__(self, key: object) -> bool:
        if key in self.keys:
            return True
        return bool(self.hashes) and isinstance(key, int) and (key >> 64) in self.hashes

    def __len__(self) -> int:
        return len(self.keys) + len(self.hashes)

    def add(self, key: int) -> None:
        self.keys.add(key)

    def add_stored(self, key: Optional[int], hash_value: Optional[int]) -> None:
        """Add what :func:`stored_key` gave."""
        if key is not None:
            self.keys.add(key)
        elif hash_value is not None:
            self.hashes.add(hash_value)

    def add_record(self, record: Task, by: str) -> None:
        """Add a parsed stored record: its key or bare hash, and mentor's own key when it has one."""
        self.add_stored(*stored_keys_of(record, by))
        own = own_key_of(record, by)
        if own is not None:
            self.keys.add(own)

    def update(self, other: "KeySet") -> None:
        self.keys |= other.keys
        self.hashes |= other.hashes

    def copy(self) -> "KeySet":
        return KeySet(self.keys, self.hashes)
