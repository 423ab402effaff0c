"""Tiny made-up data for the model-in-the-loop tests."""
from __future__ import annotations

from typing import List

import pytest

from mentor.tasks import Task, set_hashes

SPAM = ["win a free prize now", "free cash call now", "claim your free prize", "urgent win cash now"]
HAM = ["see you at lunch", "are we still on for dinner", "thanks for the notes", "call me when you land"]


@pytest.fixture
def texts() -> List[Task]:
    return [set_hashes({"text": text}) for text in SPAM + HAM]


@pytest.fixture
def spam_answers() -> List[Task]:
    answers = [{"text": t, "label": "SPAM", "answer": "accept"} for t in SPAM]
    answers += [{"text": t, "label": "SPAM", "answer": "reject"} for t in HAM]
    return answers
