"""mark, called as a function."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mentor.recipes.mark import mark


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.jsonl"
    rows = [{"text": "a", "options": [{"id": 1, "text": "one"}]}, {"text": "b", "options": [{"id": 1, "text": "one"}]}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_manual_mark_shows_tasks_as_they_are(source: Path) -> None:
    comps = mark("ds", str(source), view_id="choice")
    tasks = list(comps.stream)
    assert comps.view_id == "choice" and [t["text"] for t in tasks] == ["a", "b"]
    assert tasks[0]["options"] == [{"id": 1, "text": "one"}] and "label" not in tasks[0]


def test_manual_mark_label_is_set_on_every_task(source: Path) -> None:
    comps = mark("ds", str(source), view_id="classification", label="GOOD")
    assert [t["label"] for t in comps.stream] == ["GOOD", "GOOD"] and comps.config["labels"] == ["GOOD"]


def test_manual_mark_counts_answers_per_call(source: Path, capsys: pytest.CaptureFixture) -> None:
    first = mark("ds", str(source))
    second = mark("ds", str(source))
    assert first.before_db is not None and first.on_exit is not None
    first.before_db([{"answer": "accept"}, {"answer": "accept"}, {"answer": "ignore"}])
    first.before_db([{"answer": "reject"}])
    first.on_exit(None)
    out = capsys.readouterr().out
    assert "Accept" in out and " 2" in out and "Total" in out and " 4" in out
    assert second.on_exit is not None
    second.on_exit(None)  # counters live in each call's closure, not in the module
    assert " 4" not in capsys.readouterr().out
