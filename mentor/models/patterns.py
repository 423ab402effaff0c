"""Read and check match patterns, Prodigy's patterns JSONL.

Each line is ``{"label": L, "pattern": P}`` with an optional ``"id"``. A string
``P`` is a phrase, matched token by token on lower-case text (or the exact text
when matching is case-sensitive); a list ``P`` is a spaCy ``Matcher`` token
pattern such as ``[{"lower": "aspirin"}]``. Every line is checked before any
is used, so a typo on line 900 is reported as ``file:900`` before a session
starts rather than as a spaCy traceback in the middle of one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from spacy.schemas import validate_token_pattern
from spacy.tokens import Token

from ..errors import InputError, SourceNotFound

__all__ = [
    "Pattern", "InvalidPattern", "PatternsSource", "load_patterns", "read_patterns", "check_pattern",
    "labels_of", "filter_patterns",
]

PatternsSource = Union[str, Path, Sequence[Union[Dict[str, Any], "Pattern"]]]

# token attributes that only a trained pipeline sets: matching on them needs nlp.pipe,
# not just the tokenizer
PIPELINE_ATTRS = frozenset(
    ("POS", "TAG", "MORPH", "DEP", "LEMMA", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID",
     "SENT_START", "IS_SENT_START", "_")
)


class InvalidPattern(InputError):
    """A line of a patterns file (or an item of a patterns list) is not a valid pattern."""

    code = "M016"

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Pattern:
    """One checked pattern.

    id: the line's ``"id"``, else its 0-based position in the file (as Prodigy numbers them).
    where: ``file:line`` (or ``patterns[i]``) for messages about this pattern.
    """

    label: str
    pattern: Union[str, List[Dict[str, Any]]]
    id: Union[str, int]
    where: str = field(compare=False)

    @property
    def is_phrase(self) -> bool:
        return isinstance(self.pattern, str)

    @property
    def needs_pipeline(self) -> bool:
        """Whether matching needs attributes only pipeline components set (POS, LEMMA, ...)."""
        if self.is_phrase:
            return False
        return any(key.upper() in PIPELINE_ATTRS for token in self.pattern for key in token)

    def to_dict(self) -> Dict[str, Any]:
        """The JSONL form, as it would be written back to a patterns file."""
        return {"label": self.label, "pattern": self.pattern, "id": self.id}


def check_pattern(value: Any, *, where: str, index: int) -> Pattern:
    """Check one pattern object and return it as a :class:`Pattern`.

    Raises :class:`InvalidPattern` naming ``where`` and what is wrong.
    """
    if not isinstance(value, dict):
        raise InvalidPattern(where, f"expected a JSON object with 'label' and 'pattern', got {type(value).__name__}")
    unknown = sorted(set(value) - {"label", "pattern", "id"})
    if unknown:
        raise InvalidPattern(where, f"unknown key(s) {', '.join(unknown)}; a pattern has 'label', 'pattern' and optional 'id'")
    label = value.get("label")
    if not isinstance(label, str) or not label.strip():
        raise InvalidPattern(where, "'label' must be a non-empty string")
    if "pattern" not in value:
        raise InvalidPattern(where, "field 'pattern' is missing")
    pattern = value["pattern"]
    if isinstance(pattern, str):
        if not pattern.strip():
            raise InvalidPattern(where, "'pattern' is an empty string")
    elif isinstance(pattern, list):
        errors = validate_token_pattern(pattern)
        if errors:
            raise InvalidPattern(where, f"not a valid spaCy token pattern: {'; '.join(errors)}")
        _check_extensions(pattern, where)
    else:
        raise InvalidPattern(
            where, "'pattern' must be a string (a phrase) or a list of token objects like [{\"lower\": \"x\"}]"
        )
    pattern_id = value.get("id", index)
    if not isinstance(pattern_id, (str, int)) or isinstance(pattern_id, bool):
        raise InvalidPattern(where, "'id' must be a string or an integer")
    return Pattern(label=label, pattern=pattern, id=pattern_id, where=where)


def _check_extensions(pattern: List[Dict[str, Any]], where: str) -> None:
    # spaCy only fails at match time, once per token, on an unregistered Token._ attribute
    for token in pattern:
        for key, value in token.items():
            if key != "_" or not isinstance(value, dict):
                continue
            for name in value:
                if not Token.has_extension(name):
                    raise InvalidPattern(
                        where, f"uses the custom attribute token._.{name}, which no loaded component registers"
                    )


def read_patterns(path: Union[str, Path]) -> Iterator[Pattern]:
    """Read a patterns JSONL file lazily, checking each line.

    Blank lines are skipped. Raises :class:`SourceNotFound` for a missing file and
    :class:`InvalidPattern` naming ``file:line`` for a bad line.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceNotFound(path)
    index = 0
    with path.open(encoding="utf8") as file:
        for line_no, line in enumerate(file, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                value = json.loads(line)
            except json.JSONDecodeError as err:
                raise InvalidPattern(where, f"not valid JSON: {err.msg} (column {err.colno})") from None
            yield check_pattern(value, where=where, index=index)
            index += 1


def load_patterns(source: PatternsSource) -> List[Pattern]:
    """Load patterns from a JSONL path or a list of dicts (or of :class:`Pattern`), all checked.

    Raises :class:`InvalidPattern` for the first bad pattern, and on two patterns
    sharing an id (their accept/reject counts would be merged).
    """
    if isinstance(source, (str, Path)):
        patterns = list(read_patterns(source))
    else:
        patterns = [
            item if isinstance(item, Pattern) else check_pattern(item, where=f"patterns[{i}]", index=i)
            for i, item in enumerate(_as_list(source))
        ]
    seen: Dict[Union[str, int], str] = {}
    for pattern in patterns:
        if pattern.id in seen:
            raise InvalidPattern(pattern.where, f"id {pattern.id!r} is already used at {seen[pattern.id]}")
        seen[pattern.id] = pattern.where
    return patterns


def _as_list(source: Iterable[Any]) -> List[Any]:
    if isinstance(source, dict):
        raise InvalidPattern("patterns", "expected a list of patterns, got a single object")
    return list(source)


def labels_of(patterns: Iterable[Pattern]) -> List[str]:
    """The distinct labels of some patterns, in order of first appearance."""
    return list(dict.fromkeys(p.label for p in patterns))


def filter_patterns(patterns: List[Pattern], labels: Optional[Sequence[str]]) -> List[Pattern]:
    """Keep the patterns whose label is in ``labels`` (all of them when ``labels`` is None)."""
    if labels is None:
        return patterns
    wanted = set(labels)
    return [p for p in patterns if p.label in wanted]
