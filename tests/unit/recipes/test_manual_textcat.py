"""textcat.manual, called as a function."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from mentor.errors import InputError
from mentor.recipes.textcat import textcat_manual


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"text {i}"}) for i in range(5)) + "\n")
    return path


def test_manual_textcat_one_label_is_binary_classification(source: Path) -> None:
    comps = textcat_manual("ds", str(source), label="SPAM")
    assert comps.view_id == "classification" and comps.config["labels"] == ["SPAM"]
    tasks = list(itertools.islice(comps.stream, 3))
    assert [t["label"] for t in tasks] == ["SPAM"] * 3
    assert comps.stream.total == 5  # type: ignore[attr-defined]


def test_manual_textcat_label_changes_task_hash_not_input_hash(source: Path) -> None:
    spam = next(iter(textcat_manual("ds", str(source), label="SPAM").stream))
    ham = next(iter(textcat_manual("ds", str(source), label="HAM").stream))
    assert spam["_input_hash"] == ham["_input_hash"] and spam["_task_hash"] != ham["_task_hash"]


@pytest.mark.parametrize("exclusive,style", [(True, "single"), (False, "multiple")])
def test_manual_textcat_several_labels_are_choice_options(source: Path, exclusive: bool, style: str) -> None:
    comps = textcat_manual("ds", str(source), label="SPAM, HAM", exclusive=exclusive, exclude="old,older")
    assert comps.view_id == "choice"
    assert comps.config == {"labels": ["SPAM", "HAM"], "choice_style": style, "exclude_by": "input"}
    assert comps.exclude == ["old", "older"]
    task = next(iter(comps.stream))
    assert task["options"] == [{"id": "SPAM", "text": "SPAM"}, {"id": "HAM", "text": "HAM"}]


def test_manual_textcat_needs_a_label(source: Path) -> None:
    with pytest.raises(InputError):
        textcat_manual("ds", str(source), label=None)
