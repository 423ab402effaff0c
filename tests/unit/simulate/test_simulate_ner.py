"""mentor simulate on entities: a made-up corpus of people and places, ner.teach replayed."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Dict, List

import pytest

from mentor.errors import InputError
from mentor.simulate.ner import (
    NerConfig, NerExample, _replay, evaluate_ner, is_ner_data, ner_oracle, read_ner, replay_ner_answers, simulate_ner,
)

PEOPLE = ["Anna Smith", "Boris", "Carla Diaz", "Dmitri", "Elena Ruiz", "Farid", "Greta", "Hugo Mann"]
PLACES = ["Paris", "Berlin", "Lagos", "Lima", "Oslo", "Cairo", "Quito", "Hanoi"]
FRAMES = [
    "{P} flew to {G} on Monday .",
    "Yesterday {P} met the mayor of {G} .",
    "In {G} , {P} opened a bakery .",
    "{P} said the weather in {G} was fine .",
    "The trip from {G} was long , {P} wrote .",
]


def _row(text_parts: List[Any]) -> Dict[str, Any]:
    """A ner_manual answer from (word, label-or-None) pieces, tokens split on spaces."""
    words: List[str] = []
    spans = []
    for piece, label in text_parts:
        start_token = len(words)
        words.extend(piece.split())
        if label:
            spans.append((start_token, len(words) - 1, label))
    tokens, offset = [], 0
    for i, word in enumerate(words):
        tokens.append({"text": word, "start": offset, "end": offset + len(word), "id": i, "ws": i < len(words) - 1})
        offset += len(word) + 1
    return {
        "text": " ".join(words), "tokens": tokens, "answer": "accept", "_view_id": "ner_manual",
        "spans": [
            {"start": tokens[s]["start"], "end": tokens[e]["end"], "label": label, "token_start": s, "token_end": e}
            for s, e, label in spans
        ],
    }


def _corpus(n: int, seed: int = 0) -> List[Dict[str, Any]]:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < n:
        frame = rng.choice(FRAMES)
        person, place = rng.choice(PEOPLE), rng.choice(PLACES)
        parts: List[Any] = []
        for word in frame.split():
            parts.append((person, "PERSON") if word == "{P}" else (place, "GPE") if word == "{G}" else (word, None))
        row = _row(parts)
        if row["text"] not in seen:
            seen.add(row["text"])
            rows.append(row)
    return rows


def _examples(n: int, seed: int = 0) -> List[NerExample]:
    return read_ner(_corpus(n, seed))[0]


def test_reads_ner_manual_answers_and_detects_them():
    rows = _corpus(30)
    assert is_ner_data(rows)
    assert not is_ner_data([{"text": "a", "label": "X", "answer": "accept"}])
    assert not is_ner_data([{"text": "a", "spans": [], "label": "X"}])
    rows[1] = dict(rows[1], answer="ignore")
    rows[2] = dict(rows[2], answer="reject")
    rows.append(dict(rows[0]))  # the same text twice
    examples, labels, skipped = read_ner(rows)
    assert labels == ["GPE", "PERSON"]
    assert skipped == 3 and len(examples) == 28
    first = examples[0]
    assert {first.text[s:e] for s, e, _ in first.entities} <= set(PEOPLE) | set(PLACES)
    assert first.words == first.text.split()
    only_people, _, _ = read_ner(rows, labels=["PERSON"])
    assert all(label == "PERSON" for e in only_people for _, _, label in e.entities)
    with pytest.raises(InputError):
        read_ner(rows, labels=["ORG"])
    with pytest.raises(InputError):
        read_ner([{"text": "a", "label": "X"}])
    with pytest.raises(InputError):
        read_ner([dict(rows[1])])  # only an ignored row: no gold


def test_oracle_accepts_exactly_the_gold_entities():
    row = _row([("Yesterday", None), ("Anna Smith", "PERSON"), ("met the mayor of", None), ("Oslo", "GPE"), (".", None)])
    example = read_ner([row])[0][0]
    text = example.text

    def ask(phrase: str, label: str, occurrence: int = 0) -> str:
        start = text.index(phrase)
        question = {"text": text, "spans": [{"start": start, "end": start + len(phrase), "label": label}]}
        return ner_oracle(question, example)["answer"]

    assert ask("Anna Smith", "PERSON") == "accept"
    assert ask("Oslo", "GPE") == "accept"
    assert ask("Oslo", "PERSON") == "reject"  # right span, wrong label
    assert ask("Anna", "PERSON") == "reject"  # part of an entity
    assert ask("Yesterday Anna Smith", "PERSON") == "reject"  # more than an entity
    assert ask("mayor", "GPE") == "reject"
    assert ner_oracle({"text": text, "spans": []}, example)["answer"] == "ignore"


@pytest.fixture(scope="module")
def pool_and_eval():
    examples = _examples(70)
    return examples[:50], examples[50:]


def test_replay_answers_follow_the_gold_spans(pool_and_eval):
    pool, _ = pool_and_eval
    config = NerConfig(labels=["GPE", "PERSON"], batch_size=10, seeds=1)
    by_text = {e.text: e for e in pool}
    answered = {}
    for strategy in ("teach", "random"):
        answers = answered[strategy] = replay_ner_answers(strategy, pool, config, 0, 30)
        assert len(answers) == 30 and {a["answer"] for a in answers} <= {"accept", "reject"}
        for answer in answers:
            (span,) = answer["spans"]
            gold = (span["start"], span["end"], span["label"]) in by_text[answer["text"]].entities
            assert gold == (answer["answer"] == "accept")
    # random order: one question per sentence
    assert len({a["text"] for a in answered["random"]}) == 30


def test_ignored_answers_never_count_or_train_and_rejections_are_negatives(pool_and_eval, monkeypatch):
    from mentor.models.ner import EntityRecognizer

    pool, _ = pool_and_eval
    trained: List[Any] = []
    original = EntityRecognizer._train

    def spy(self, examples):
        trained.extend(examples)
        return original(self, examples)

    monkeypatch.setattr(EntityRecognizer, "_train", spy)
    ignored_rows = set(range(0, len(pool), 2))

    def answer(question, example):
        if question["meta"]["row"] in ignored_rows:
            return dict(question, answer="ignore")
        return ner_oracle(question, example)

    config = NerConfig(labels=["GPE", "PERSON"], batch_size=10, seeds=1)
    counted: List[Dict[str, Any]] = []
    for _, answers in _replay("teach", pool, config, 0, 20, answer=answer):
        counted.extend(answers)
    assert len(counted) == 20
    assert all(a["answer"] in ("accept", "reject") and a["meta"]["row"] not in ignored_rows for a in counted)
    ignored_texts = {pool[i].text for i in ignored_rows}
    assert trained and not any(example.reference.text in ignored_texts for example in trained)
    rejected = {(a["text"], a["spans"][0]["start"], a["spans"][0]["end"]) for a in counted if a["answer"] == "reject"}
    negatives = {
        (ex.reference.text, span.start_char, span.end_char)
        for ex in trained for span in ex.reference.spans.get("incorrect_spans", [])
    }
    assert rejected and rejected <= negatives


def test_simulate_ner_produces_teach_and_random_curves(pool_and_eval):
    pool, held = pool_and_eval
    config = NerConfig(labels=["GPE", "PERSON"], max_labels=20, step=10, seeds=2, seed_size=10, full_epochs=4)
    result = simulate_ner(pool, held, config)
    assert result.full_labels == 50 and result.n_eval == 20
    assert result.full_score > 0.5  # names from a short list in a few frames: easy with every gold span
    assert set(result.curves) == {"teach", "random"}
    for curve in result.curves.values():
        assert [p.labels for p in curve.points] == [0, 10, 20]
        assert all(len(p.per_seed) == 2 and 0.0 <= p.min <= p.mean <= p.max <= 1.0 for p in curve.points)
        assert set(curve.labels_to) == {"0.9", "0.95"}
    # both strategies start from the same seed model
    assert result.curves["teach"].points[0].per_seed == result.curves["random"].points[0].per_seed
    json.dumps(result.to_dict())
    with pytest.raises(InputError):
        simulate_ner(pool, held, NerConfig(labels=["GPE"], seed_size=50))


def test_evaluate_ner_scores_gold_as_perfect(pool_and_eval):
    from mentor.simulate.ner import _recognizer, _train_gold

    pool, _ = pool_and_eval
    config = NerConfig(labels=["GPE", "PERSON"])
    model = _recognizer(config, 0)
    assert evaluate_ner(model, pool[:10], config.labels) < 0.5
    _train_gold(model, pool, 6, 0)
    assert evaluate_ner(model, pool[:10], config.labels) > 0.8


def test_simulate_command_on_entities(tmp_path: Path, capsys, mentor_home):
    from mentor.cli.commands.simulate import simulate as simulate_command

    source = tmp_path / "ner.jsonl"
    source.write_text("\n".join(json.dumps(row) for row in _corpus(60)) + "\n", encoding="utf8")
    output = tmp_path / "curve.json"
    simulate_command(str(source), seeds=1, max_labels=20, step=10, output=output, no_plot=True, eval_split=0.25)
    out = capsys.readouterr().out
    assert "ner.teach replay" in out and "entity F1" in out
    assert "gold spans of all 45 sentences of the pool" in out
    assert "answers to reach" in out and "teach / random" in out
    data = json.loads(output.read_text(encoding="utf8"))
    assert set(data["curves"]) == {"teach", "random"} and data["config"]["task"] == "ner"
    textcat = tmp_path / "textcat.jsonl"
    textcat.write_text(json.dumps({"text": "a", "label": "X", "answer": "accept"}) + "\n", encoding="utf8")
    with pytest.raises(InputError):
        simulate_command(str(textcat), ner=True, no_plot=True)
    with pytest.raises(InputError):
        simulate_command(str(source), seed_size=100, no_plot=True)


def test_a_batch_spacy_refuses_is_trained_one_answer_at_a_time():
    from mentor.simulate.ner import _update

    class Refusing:
        def __init__(self) -> None:
            self.trained: List[List[str]] = []

        def update(self, answers):
            if len(answers) > 1 or answers[0]["text"] == "bad":
                raise AssertionError  # as thinc's Beam.advance does
            self.trained.append([a["text"] for a in answers])

    model = Refusing()
    _update(model, [{"text": "a"}, {"text": "bad"}, {"text": "b"}])
    assert model.trained == [["a"], ["b"]]
    assert model.split_updates == 1 and model.failed_updates == 1
