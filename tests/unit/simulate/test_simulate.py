"""mentor simulate on a tiny generated dataset: data shapes, curves, the command."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import List

import pytest

from mentor.errors import InputError
from mentor.simulate import (
    SimulationConfig, default_labels, label_counts, read_labelled, replay_answers, run_strategy, simulate, split_eval,
)

SPAMMY = ["free", "prize", "cash", "win", "claim", "urgent"]
HAMMY = ["lunch", "dinner", "notes", "home", "later", "thanks", "meeting", "tomorrow"]


def _rows(n: int, seed: int = 0) -> List[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        spam = rng.random() < 0.2
        words = rng.sample(SPAMMY if spam else HAMMY, 3) + rng.sample(HAMMY, 2) + [f"w{i}"]
        rows.append({"text": " ".join(words), "label": "SPAM" if spam else "HAM"})
    return rows


def test_read_labelled_understands_every_shape():
    rows = [
        {"text": "a", "label": "X", "answer": "accept"},
        {"text": "a", "label": "Y", "answer": "reject"},
        {"text": "b", "label": "X", "answer": "ignore"},
        {"text": "c", "cats": {"X": 1.0, "Y": 0.0}},
        {"text": "d", "options": [{"id": "X"}, {"id": "Y"}], "accept": ["Y"], "answer": "accept"},
    ]
    examples, exclusive = read_labelled(rows)
    assert not exclusive
    assert {e.text: e.cats for e in examples} == {
        "a": {"X": 1.0, "Y": 0.0}, "c": {"X": 1.0, "Y": 0.0}, "d": {"X": 0.0, "Y": 1.0},
    }


def test_read_labelled_classes_are_exclusive_and_rarer_class_is_taught():
    examples, exclusive = read_labelled(_rows(100))
    assert exclusive
    assert all(set(e.cats) == {"SPAM", "HAM"} and sum(e.cats.values()) == 1.0 for e in examples)
    assert default_labels(examples, exclusive) == ["SPAM"]
    assert default_labels(examples, exclusive, ["HAM"]) == ["HAM"]
    with pytest.raises(InputError):
        default_labels(examples, exclusive, ["NOPE"])
    assert label_counts(examples)["SPAM"][1] == 100


@pytest.mark.parametrize("rows", [[{"text": "a"}], [{"label": "X"}], []])
def test_read_labelled_refuses_unlabelled_data(rows):
    with pytest.raises(InputError):
        read_labelled(rows)


def test_split_eval_is_fixed_and_disjoint():
    examples, _ = read_labelled(_rows(50))
    train, held = split_eval(examples, 0.2)
    again, _ = split_eval(examples, 0.2)
    assert len(held) == 10 and [e.text for e in train] == [e.text for e in again]
    assert not {e.text for e in train} & {e.text for e in held}
    with pytest.raises(InputError):
        split_eval(examples, 1.5)


def test_run_strategy_answers_up_to_the_budget():
    examples, _ = read_labelled(_rows(120))
    train, held = split_eval(examples, 0.25)
    config = SimulationConfig(labels=["SPAM"], max_labels=40, step=20, seeds=1, pool_size=30)
    for strategy in ("teach", "random"):
        curve = run_strategy(strategy, train, held, config, seed=0)
        assert curve.labels == [0, 20, 40]
        assert all(0.0 <= score <= 1.0 for score in curve.scores)


def test_simulate_curves_and_targets():
    examples, _ = read_labelled(_rows(300))
    train, held = split_eval(examples, 0.2)
    config = SimulationConfig(labels=["SPAM"], max_labels=120, step=40, seeds=2, pool_size=50)
    result = simulate(train, held, config)
    assert result.full_score > 0.8  # the made-up words make the task easy
    for name in ("teach", "random"):
        curve = result.curves[name]
        assert [p.labels for p in curve.points] == [0, 40, 80, 120]
        assert all(len(p.per_seed) == 2 and p.min <= p.mean <= p.max for p in curve.points)
        assert set(curve.labels_to) == {"0.9", "0.95"}
    assert result.curves["teach"].points[-1].mean > result.curves["teach"].points[0].mean
    json.dumps(result.to_dict())


def test_simulate_in_several_processes_gives_the_same_curves():
    examples, _ = read_labelled(_rows(200))
    train, held = split_eval(examples, 0.2)
    config = SimulationConfig(labels=["SPAM"], max_labels=40, step=20, seeds=2, pool_size=40, architecture="tfidf")
    here = simulate(train, held, config, strategies=("teach", "random"))
    spawned = simulate(train, held, config, strategies=("teach", "random"), jobs=2)
    for name in ("teach", "random"):
        assert [p.per_seed for p in spawned.curves[name].points] == [p.per_seed for p in here.curves[name].points]


def test_simulate_command_writes_json(tmp_path: Path, capsys, mentor_home):
    from mentor.cli.commands.simulate import simulate as simulate_command

    source = tmp_path / "data.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in _rows(150)) + "\n", encoding="utf8")
    output = tmp_path / "curve.json"
    simulate_command(str(source), seeds=1, max_labels=40, step=20, pool_size=30, output=output, no_plot=True)
    data = json.loads(output.read_text(encoding="utf8"))
    assert set(data["curves"]) == {"teach", "random", "baseline"}
    assert data["config"]["labels"] == ["SPAM"]
    assert "answers to reach" in capsys.readouterr().out
    with pytest.raises(InputError):
        simulate_command(str(tmp_path / "missing-dataset-name"), no_plot=True)


def test_simulate_through_the_cli(tmp_path: Path, capsys, mentor_home):
    from mentor.cli.__main__ import main

    source = tmp_path / "data.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in _rows(120)) + "\n", encoding="utf8")
    with pytest.raises(SystemExit) as done:
        main(["simulate", str(source), "--seeds", "1", "--max-labels", "20", "--step", "10", "--no-plot"])
    assert done.value.code in (0, None)
    assert "teach / random" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        main(["simulate", str(source), "--explore", "3", "--no-plot"])
    assert failed.value.code == 1
    capsys.readouterr()
    with pytest.raises(SystemExit) as failed:
        main(["simulate", str(source), "--scan", "0.5", "--no-plot"])
    assert failed.value.code == 1
    assert "--scan must be 1 or more" in capsys.readouterr().err


def test_teach_with_patterns_asks_about_their_matches_and_learns_from_every_answer():
    examples, _ = read_labelled(_rows(300))
    train, held = split_eval(examples, 0.2)
    patterns = [{"label": "SPAM", "pattern": word} for word in ("free", "prize")]
    config = SimulationConfig(labels=["SPAM"], max_labels=40, step=20, seeds=1, pool_size=50, architecture="tfidf")
    plain = replay_answers("teach", train, config, 0, 40)
    config.patterns = patterns
    with_patterns = replay_answers("teach", train, config, 0, 40)
    matched = [a for a in with_patterns if any("pattern" in span for span in a.get("spans") or [])]
    assert not any(a.get("spans") for a in plain)
    assert matched and all(a["answer"] == "accept" for a in matched)  # 'free' and 'prize' only occur in spam
    assert len(with_patterns) == 40
    # random order and the baseline never see the patterns
    assert replay_answers("random", train, config, 0, 20) == replay_answers(
        "random", train, SimulationConfig(labels=["SPAM"], architecture="tfidf"), 0, 20
    )


def test_simulate_command_reads_patterns_and_names_a_bad_line(tmp_path: Path, capsys, mentor_home):
    from mentor.cli.commands.simulate import simulate as simulate_command

    source = tmp_path / "data.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in _rows(150)) + "\n", encoding="utf8")
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text('{"label": "SPAM", "pattern": "free"}\n{"label": "HAM", "pattern": "lunch"}\n', encoding="utf8")
    output = tmp_path / "curve.json"
    simulate_command(
        str(source), seeds=1, max_labels=20, step=10, pool_size=30, output=output, no_plot=True,
        strategies="teach", architecture="tfidf", patterns=patterns,
    )
    data = json.loads(output.read_text(encoding="utf8"))
    assert data["config"]["patterns"] == [{"label": "SPAM", "pattern": "free", "id": 0}]  # HAM is not taught
    assert "teach starts from 1 pattern" in capsys.readouterr().out.replace("\n", " ")
    patterns.write_text('{"label": "SPAM", "pattern": "free"}\n{"label": "SPAM"}\n', encoding="utf8")
    with pytest.raises(InputError, match="patterns.jsonl:2"):
        simulate_command(str(source), seeds=1, max_labels=20, no_plot=True, patterns=patterns)
