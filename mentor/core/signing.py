"""Sign the tasks the server sends, so an answer can prove which task it answers.

Without this, anyone who can reach the server can store answers to tasks it
never served, or reuse a served task's hash with another text, which makes the
real answer, sent later, look like a repeat and get dropped. Each task goes out
with ``_mentor_sig``: an HMAC over its two hashes and its input (``text``,
``image``, ``html``, ``input``). An answer is stored only when the signature
matches what it carries, so edits to the question (spans, ``accept``) are fine
and edits to the input are not.

The key lives in the mentor home (``Settings.server_key_file``), created on
first use: answers kept in a browser while the server restarts still match
afterwards, and no memory grows with the number of tasks served.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Optional

from ..tasks import Task, input_digest

logger = logging.getLogger(__name__)

SIGNATURE_KEY = "_mentor_sig"
KEY_BYTES = 32


def load_key(path: Path) -> bytes:
    """Read the server key, creating it (readable by its owner only) when missing.

    Falls back to a key for this process alone when the file can't be written:
    signing still works, only answers kept across a restart are refused.
    """
    try:
        return _read_or_create(path)
    except OSError as err:
        logger.warning("Can't keep the server key in %s (%s): using one for this run only", path, err.strerror)
        return secrets.token_bytes(KEY_BYTES)


def _read_or_create(path: Path) -> bytes:
    try:
        key = path.read_bytes()
        if len(key) >= KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        # O_EXCL: when two servers start at once, the second reads the first one's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class TaskSigner:
    """Add signatures to tasks on the way out and check them on the way back."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _digest(self, task_hash: Any, input_hash: Any, task: Task, digest: Optional[int]) -> str:
        if digest is None:
            digest = input_digest(task)
        # as a signed 64-bit number, which is what signatures have always carried
        signed = digest - (1 << 64) if digest >= 1 << 63 else digest
        message = f"{task_hash}:{input_hash}:{signed}".encode("ascii")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]

    def sign(self, task: Task, digest: Optional[int] = None) -> Task:
        """A shallow copy of the (hashed) task with its signature; the task itself is unchanged.

        ``digest`` is the task's :func:`~mentor.tasks.input_digest`, when the caller has it already.
        """
        return {**task, SIGNATURE_KEY: self._digest(task["_task_hash"], task["_input_hash"], task, digest)}

    def verify(self, answer: Task, digest: Optional[int] = None) -> bool:
        """Whether the answer's signature matches its hashes and input (the key is not removed)."""
        signature: Optional[Any] = answer.get(SIGNATURE_KEY)
        if not isinstance(signature, str) or "_task_hash" not in answer or "_input_hash" not in answer:
            return False
        expected = self._digest(answer["_task_hash"], answer["_input_hash"], answer, digest)
        return hmac.compare_digest(expected, signature)
