"""textcat.teach and textcat.correct called as functions, answered by a fake annotator."""
from __future__ import annotations

import json
import time
from itertools import islice
from pathlib import Path

import pytest

from mentor.errors import InputError
from mentor.recipes.textcat_teach import textcat_correct, textcat_teach

SPAM = ["win a free prize now", "free cash call now", "claim your free prize today", "urgent win cash now"]
HAM = ["see you at lunch", "are we still on for dinner", "thanks for the notes", "call me when you land"]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    rows = [{"text": f"{text} {i}"} for i in range(5) for text in SPAM + HAM]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf8")
    return path


@pytest.fixture
def patterns(tmp_path: Path) -> Path:
    path = tmp_path / "patterns.jsonl"
    path.write_text(json.dumps({"label": "SPAM", "pattern": "free"}) + "\n", encoding="utf8")
    return path


def _oracle(task):
    is_spam = any(word in task["text"] for word in ("free", "win", "cash", "prize"))
    return dict(task, answer="accept" if (task["label"] == "SPAM") == is_spam else "reject")


def test_textcat_teach_serves_scored_questions_and_learns(source):
    components = textcat_teach("spam", "blank:en", str(source), label="SPAM")
    assert components.view_id == "classification" and components.config["labels"] == ["SPAM"]
    stream = iter(components.stream)
    first = list(islice(stream, 10))
    assert all(task["label"] == "SPAM" and 0 <= task["meta"]["score"] <= 1 for task in first)
    assert all("priority" in task and "_task_hash" in task for task in first)
    losses = []
    seen = {task["_task_hash"] for task in first}
    batch = first
    while batch:
        losses.append(components.update([_oracle(task) for task in batch]))
        batch = list(islice(stream, 10))
        seen.update(task["_task_hash"] for task in batch)
    assert len(seen) == 40  # every text asked once, none dropped
    assert all(isinstance(loss, float) for loss in losses)


def test_textcat_teach_with_patterns_highlights_and_trains_both(source, patterns):
    components = textcat_teach("spam", "blank:en", str(source), label="SPAM", patterns=patterns)
    tasks = list(islice(iter(components.stream), 20))
    from_patterns = [task for task in tasks if task.get("meta", {}).get("pattern") is not None]
    assert from_patterns, "pattern matches are among the first questions"
    assert all(task["label"] == "SPAM" and task["spans"] for task in from_patterns)
    # a text a pattern matched is not asked a second time by the model
    asked = [(task["_input_hash"], task["label"]) for task in tasks]
    assert len(asked) == len(set(asked))
    loss = components.update([_oracle(task) for task in tasks])
    assert loss is not None and loss >= 0


def test_textcat_teach_exclusive_with_patterns_keeps_the_exclusive_rules(source, patterns):
    # the pattern matcher beside the model used to hide the model's exclusive-class rules
    # from the sorter: questions were then drawn by plain uncertainty
    from mentor.sorters import DEFAULT_POWER_EXCLUSIVE

    components = textcat_teach(
        "spam", "blank:en", str(source), label="SPAM,HAM", patterns=patterns, exclusive=True, model_arch="tfidf",
    )
    stream = components.stream
    assert stream.power == DEFAULT_POWER_EXCLUSIVE
    tasks = list(islice(iter(stream), 20))
    from_patterns = [task for task in tasks if task.get("meta", {}).get("pattern") is not None]
    assert from_patterns and all(task["label"] == "SPAM" and task["spans"] for task in from_patterns)
    assert components.update([_oracle(task) for task in tasks]) is not None


def test_textcat_teach_needs_a_label(source):
    with pytest.raises(InputError):
        textcat_teach("spam", "blank:en", str(source))


def test_textcat_teach_refuses_patterns_without_the_label(source, patterns):
    with pytest.raises(InputError):
        textcat_teach("spam", "blank:en", str(source), label="OTHER", patterns=patterns)


def test_textcat_correct_preselects_and_updates(source):
    components = textcat_correct("spam", "blank:en", str(source), label="SPAM,HAM", threshold=0.0, update=True)
    assert components.view_id == "choice" and components.config["exclude_by"] == "input"
    tasks = list(islice(iter(components.stream), 8))
    for task in tasks:
        assert [option["id"] for option in task["options"]] == ["SPAM", "HAM"]
        assert all(0 <= option["meta"] <= 1 for option in task["options"])
        assert task["accept"] == ["SPAM", "HAM"]  # threshold 0 ticks everything
    answers = [dict(task, accept=["SPAM"], answer="accept") for task in tasks]
    assert components.update(answers) is not None


def test_textcat_correct_threshold_and_no_update(source):
    components = textcat_correct("spam", "blank:en", str(source), label="SPAM", threshold=1.0)
    task = next(iter(components.stream))
    assert task["accept"] == [] and components.update is None
    with pytest.raises(InputError):
        textcat_correct("spam", "blank:en", str(source), label="SPAM", threshold=2.0)
    with pytest.raises(InputError):
        textcat_correct("spam", "blank:en", str(source))


@pytest.fixture
def teach_served(source, tmp_path, mentor_home):
    """teach_served(label) -> (controller, db): textcat.teach served over a SQLite file, started."""
    from mentor.config import load_settings
    from mentor.core.controller import Controller
    from mentor.db.database import Database

    controllers = []

    def serve(label):
        db = Database("sqlite:///" + str(tmp_path / "x.db"))
        controller = Controller(textcat_teach("spam", "blank:en", str(source), label=label), db, load_settings())
        controllers.append(controller)
        controller.start()
        return controller, db

    yield serve
    for controller in controllers:
        controller.close()


def test_textcat_teach_through_the_controller(teach_served):
    controller, db = teach_served("SPAM")
    first = controller.get_questions(None).tasks
    assert len(first) == 10
    controller.give_answers([dict(task, answer="ignore") for task in first], None)
    assert controller.progress()[1] != "loss"  # ignores never reach update
    for _ in range(3):
        batch = controller.get_questions(None).tasks
        controller.give_answers([_oracle(task) for task in batch], None)
        time.sleep(0.5)  # the model refits in a thread; a person takes longer than this over a batch
    assert db.count_dataset("spam") == 40
    # the questions the sorter drew at random are stored as such: the model calibrated on them
    stored = db.get_dataset("spam")
    assert 0 < sum(bool(task.get("_explored")) for task in stored) < 40
    progress, kind = controller.progress()
    assert kind == "loss" and progress is not None and 0.0 <= progress <= 1.0


def test_issue12_textcat_teach_refuses_malformed_options_before_storing(teach_served):
    from mentor.errors import InvalidAnswer

    controller, db = teach_served("SPAM,HAM")
    task = controller.get_questions(None).tasks[0]
    with pytest.raises(InvalidAnswer) as excinfo:  # was: stored, then a 500 from the model update
        controller.give_answers([dict(task, answer="accept", options="x")], None)
    assert excinfo.value.field == "options" and excinfo.value.task_hash == task["_task_hash"]
    assert db.count_dataset("spam") == 0
