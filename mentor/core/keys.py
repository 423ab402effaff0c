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
"""
from __future__ import annotations

from typing import Any, Iterable, Optional, Set, Tuple

from ..tasks import Task, input_digest, task_key

DIGEST_FIELD = "_input_digest"
_STORED = f'"{DIGEST_FIELD}":"'
DIGEST_MASK = (1 << 64) - 1  # a key's low bits: its input digest


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
        at = content.rfind(_STORED) + width
        if at >= width and content[at + 16:at + 17] == '"':
            try:
                keys.add((int(row[column]) << 64) | int(content[at:at + 16], 16))
                continue
            except ValueError:
                pass
        hashes.add(int(row[column]))
    return KeySet(keys, hashes)


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

    def update(self, other: "KeySet") -> None:
        self.keys |= other.keys
        self.hashes |= other.hashes

    def copy(self) -> "KeySet":
        return KeySet(self.keys, self.hashes)
