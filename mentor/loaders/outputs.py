"""Output files for A/B comparison: one ``{"id", "input", "output"}`` object a line.

The ``compare`` recipe pairs two such files by ``id`` (Prodigy's format for
it). A line without an id, or whose ``input``/``output`` is not an object,
is handed to ``on_invalid`` (a :class:`~mentor.loaders.skips.SkipReport`)
naming file, line and field, and the lines around it are still read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator, Union

from ..errors import InvalidEncoding, InvalidLine, MissingField
from .jsonl import read_json_lines
from .lines import OnInvalid, Source
from .validate import find_unencodable, may_hold_surrogates

OutputId = Union[str, int]


@dataclass(frozen=True)
class Output:
    """One system's output for one input, and where it was read."""

    id: OutputId
    input: Dict[str, Any]
    output: Dict[str, Any]
    line: int


def _check(record: Any, source: Source, number: int, raw: str) -> Output:
    if not isinstance(record, dict):
        raise InvalidLine(source, number, f"expected a JSON object, got {type(record).__name__}")
    for field in ("id", "input", "output"):
        if field not in record:
            raise MissingField(source, number, field)
    key = record["id"]
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise InvalidLine(source, number, f"field 'id' must be a string or an integer, got {type(key).__name__}")
    for field in ("input", "output"):
        if not isinstance(record[field], dict):
            raise InvalidLine(source, number, f"field '{field}' must be an object, got {type(record[field]).__name__}")
    if may_hold_surrogates(raw) and find_unencodable(record) is not None:
        raise InvalidEncoding(source, number, f"field '{find_unencodable(record)}' holds a lone surrogate, which UTF-8 can't store")
    return Output(key, record["input"], record["output"], number)


def load_outputs(source: Source, *, on_invalid: OnInvalid = None) -> Iterator[Output]:
    """Yield each line's output lazily; a bad line raises InvalidLine or goes to ``on_invalid``."""
    return read_json_lines(source, _check, on_invalid)
