"""The shape checks every answer passes before anything of it is stored."""
from __future__ import annotations

from typing import Any, Dict

import pytest

from mentor.core.answers import check_answer
from mentor.errors import InvalidAnswer

TEXT = "Alex lives in Berlin"


def good(**fields: Any) -> Dict[str, Any]:
    return {"text": TEXT, "answer": "accept", "_input_hash": 1, "_task_hash": 2, "_timestamp": 1_700_000_000, **fields}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"spans": [{"start": 0, "end": 4, "label": "PERSON"}, {"start": 14, "end": 20, "label": "GPE"}]},
        {"tokens": [{"text": "Alex", "start": 0, "end": 4, "id": 0}], "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 0}]},
        {"spans": [{"label": "CAR", "points": [[1, 2], [3, 4]]}]},  # an image span
        {"options": [{"id": "A", "text": "a"}], "accept": ["A"]},
        {"_timestamp": 1_700_000_000.5, "meta": {"source": "x"}, "label": "SPAM", "free_form": [1, {"x": None}]},
        {"tokens": [{"text": "Alex"}, {"text": "lives"}], "relations": [{"head": 1, "child": 0, "label": "SUBJ", "head_span": {}}]},
    ],
)
def test_answers_accept_well_formed(fields: Dict[str, Any]) -> None:
    answer = good(**fields)
    assert check_answer(answer, 0) is answer


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"answer": "perhaps"}, "answer"),
        ({"_task_hash": "abc"}, "_task_hash"),
        ({"_input_hash": 2**70}, "_input_hash"),
        ({"_task_hash": True}, "_task_hash"),
        ({"_timestamp": 1e300}, "_timestamp"),
        ({"_timestamp": -5}, "_timestamp"),
        ({"_timestamp": float("nan")}, "_timestamp"),
        ({"_timestamp": "now"}, "_timestamp"),
        ({"text": 123}, "text"),
        ({"label": ["A"]}, "label"),
        ({"meta": "x"}, "meta"),
        ({"options": "x"}, "options"),
        ({"options": ["x"]}, "options"),
        ({"accept": "A"}, "accept"),
        ({"spans": {"start": 0}}, "spans"),
        ({"spans": [{"start": 0, "end": 99, "label": "X"}]}, "spans"),
        ({"spans": [{"start": -1, "end": 2}]}, "spans"),
        ({"spans": [{"start": 3, "end": 2}]}, "spans"),
        ({"spans": [{"start": "0", "end": 2}]}, "spans"),
        ({"spans": [{"start": 0, "end": 2, "label": 5}]}, "spans"),
        ({"tokens": [{"text": "Alex"}], "spans": [{"start": 0, "end": 4, "token_start": 0, "token_end": 3}]}, "spans"),
        ({"relations": {"head": 0}}, "relations"),
        ({"relations": ["x"]}, "relations"),
        ({"tokens": [{"text": "Alex"}], "relations": [{"head": 0, "child": 1, "label": "X"}]}, "relations"),
        ({"relations": [{"head": -1, "child": 0}]}, "relations"),
        ({"relations": [{"head": 0, "child": True}]}, "relations"),
        ({"relations": [{"head": 0, "child": 1, "label": 3}]}, "relations"),
    ],
)
def test_issue12_answers_refuse_junk_naming_field_and_task(fields: Dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidAnswer) as excinfo:
        check_answer(good(**fields), 3)
    error = excinfo.value
    assert error.field == field and error.index == 3 and error.code == "M061"
    assert "answer 4" in error.message
    if field != "_task_hash":
        assert error.task_hash == 2 and "(task 2)" in error.message


def test_answers_refuse_a_non_object() -> None:
    with pytest.raises(InvalidAnswer) as excinfo:
        check_answer(["accept"], 0)
    assert excinfo.value.task_hash is None


@pytest.mark.parametrize("seconds", [0, 0.0, 2.7, 45, 7 * 24 * 3600])
def test_issue13_answers_accept_time_on_screen(seconds: float) -> None:
    answer = good(_time_on_screen=seconds)
    assert check_answer(answer, 0)["_time_on_screen"] == seconds


@pytest.mark.parametrize("seconds", [-0.5, -1, 7 * 24 * 3600 + 1, 1e300, float("nan"), float("inf"), "3", True, [3], {"s": 3}])
def test_issue13_answers_refuse_bad_time_on_screen(seconds: Any) -> None:
    with pytest.raises(InvalidAnswer) as excinfo:
        check_answer(good(_time_on_screen=seconds), 1)
    error = excinfo.value
    assert error.field == "_time_on_screen" and error.code == "M061" and error.index == 1 and error.task_hash == 2
