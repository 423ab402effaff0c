"""Reading and checking patterns JSONL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentor.errors import InputError, SourceNotFound
from mentor.models.patterns import InvalidPattern, Pattern, filter_patterns, labels_of, load_patterns

EXAMPLES = Path("/work/shared/data/prodigy-recipes/example-patterns")
needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared example patterns not available")


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


@needs_examples
@pytest.mark.parametrize(
    "name,label,count",
    [("patterns_drugs-DRUG.jsonl", "DRUG", 118), ("patterns_skateboarding_tricks-TRICK.jsonl", "TRICK", 15)],
)
def test_patterns_reads_prodigy_files(name: str, label: str, count: int) -> None:
    patterns = load_patterns(EXAMPLES / name)
    assert len(patterns) == count
    assert labels_of(patterns) == [label]
    assert [p.id for p in patterns[:3]] == [0, 1, 2]
    assert patterns[0].where.endswith(f"{name}:1")


def test_patterns_phrase_and_token_forms(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "p.jsonl", [
        json.dumps({"label": "DRUG", "pattern": "ibuprofen", "id": "ibu"}),
        "",
        json.dumps({"label": "DRUG", "pattern": [{"lower": "para"}, {"lower": "cetamol"}]}),
        json.dumps({"label": "X", "pattern": [{"POS": "NOUN"}]}),
    ])
    first, second, third = load_patterns(path)
    assert first.is_phrase and first.id == "ibu" and not first.needs_pipeline
    assert not second.is_phrase and second.id == 1 and not second.needs_pipeline
    assert third.needs_pipeline
    assert first.to_dict() == {"label": "DRUG", "pattern": "ibuprofen", "id": "ibu"}


@pytest.mark.parametrize(
    "line,problem",
    [
        ('{"label": "DRUG", "pattern": "x"', "not valid JSON"),
        ('["DRUG", "x"]', "expected a JSON object"),
        ('{"pattern": "x"}', "'label' must be a non-empty string"),
        ('{"label": "", "pattern": "x"}', "'label' must be a non-empty string"),
        ('{"label": "DRUG"}', "field 'pattern' is missing"),
        ('{"label": "DRUG", "pattern": "  "}', "empty string"),
        ('{"label": "DRUG", "pattern": 3}', "must be a string"),
        ('{"label": "DRUG", "pattern": []}', "not a valid spaCy token pattern"),
        ('{"label": "DRUG", "pattern": [{"lowr": "x"}]}', "lowr"),
        ('{"label": "DRUG", "pattern": "x", "colour": "red"}', "unknown key(s) colour"),
        ('{"label": "DRUG", "pattern": "x", "id": [1]}', "'id' must be"),
        ('{"label": "DRUG", "pattern": [{"_": {"mentor_no_such_attr": "x"}}]}', "token._.mentor_no_such_attr"),
    ],
)
def test_patterns_report_file_and_line_of_bad_pattern(tmp_path: Path, line: str, problem: str) -> None:
    path = write_lines(tmp_path / "bad.jsonl", ['{"label": "DRUG", "pattern": "ok"}', line])
    with pytest.raises(InvalidPattern) as info:
        load_patterns(path)
    err = info.value
    assert isinstance(err, InputError)
    assert err.where == f"{path}:2"
    assert problem in err.problem
    assert str(err).startswith(f"{path}:2: ")


def test_patterns_refuse_duplicate_ids(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "dup.jsonl", [
        '{"label": "A", "pattern": "x", "id": "same"}',
        '{"label": "A", "pattern": "y", "id": "same"}',
    ])
    with pytest.raises(InvalidPattern, match=r"dup.jsonl:2: id 'same' is already used at .*dup.jsonl:1"):
        load_patterns(path)


def test_patterns_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound):
        load_patterns(tmp_path / "nope.jsonl")


def test_patterns_from_list_name_the_item() -> None:
    patterns = load_patterns([{"label": "A", "pattern": "x"}, {"label": "B", "pattern": "y"}])
    assert [p.label for p in filter_patterns(patterns, ["B"])] == ["B"]
    assert filter_patterns(patterns, None) == patterns
    with pytest.raises(InvalidPattern, match=r"patterns\[1\]: field 'pattern' is missing"):
        load_patterns([{"label": "A", "pattern": "x"}, {"label": "A"}])
    with pytest.raises(InvalidPattern):
        load_patterns({"label": "A", "pattern": "x"})  # type: ignore[arg-type]
    assert isinstance(patterns[0], Pattern)
