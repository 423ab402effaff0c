"""Plain-text sources: a task per non-blank line."""
from __future__ import annotations

from typing import Iterator

from ..tasks import Task
from .lines import OnInvalid, Source, read_lines


def load_txt(source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None) -> Iterator[Task]:
    for _, line in read_lines(source, on_invalid):
        if line.strip():
            yield {input_key: line}
