"""Served tasks carry a signature over their hashes and input; answers must bring it back intact."""
from __future__ import annotations

import stat
from pathlib import Path

from mentor.core.signing import SIGNATURE_KEY, TaskSigner, load_key
from mentor.tasks import set_hashes


def test_signing_accepts_edits_to_the_question_not_the_input() -> None:
    signer = TaskSigner(b"k" * 32)
    task = set_hashes({"text": "Alex lives in Berlin", "spans": []})
    sent = signer.sign(task)
    assert SIGNATURE_KEY not in task and SIGNATURE_KEY in sent
    assert signer.verify({**sent, "answer": "accept", "spans": [{"start": 0, "end": 4, "label": "PER"}]})
    assert not signer.verify({**sent, "text": "Someone else"})
    assert not signer.verify({**sent, "_task_hash": sent["_task_hash"] + 1})
    assert not signer.verify({**task, "answer": "accept"})  # never signed
    assert not TaskSigner(b"x" * 32).verify(sent)  # another server's


def test_signing_key_is_kept_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "server.key"
    key = load_key(path)
    assert len(key) == 32 and load_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
