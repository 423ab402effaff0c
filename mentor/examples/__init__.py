"""Small example data shipped with mentor, for the README's first run and the docs.

The headlines are made up for mentor; no third-party data is bundled.
"""
from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).parent


def example_path(name: str) -> Path:
    """Path of a bundled example file, e.g. ``example_path("headlines.jsonl")``."""
    path = EXAMPLES_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"No bundled example '{name}' in {EXAMPLES_DIR}")
    return path
