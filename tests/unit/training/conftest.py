"""Fixtures for the training tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def text() -> str:
    return "Alice visited Paris in May."
