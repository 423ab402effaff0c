"""The match and filter-by-patterns recipes, called as functions."""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest

from mentor.core import Components
from mentor.db import Database
from mentor.errors import InputError
from mentor.models.patterns import InvalidPattern
from mentor.recipes.match import filter_by_patterns, match

EXAMPLES = Path("/work/shared/data/prodigy-recipes/example-patterns")
needs_examples = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared example patterns not available")

TEXTS = [
    "I took aspirin for the headache.",
    "Nothing to see here.",
    "The headache came back after the aspirin.",
    "A nap helped more than aspirin.",
    "My headache is gone.",
]
PATTERNS = [
    {"label": "DRUG", "pattern": "aspirin", "id": "aspirin"},
    {"label": "SYMPTOM", "pattern": [{"lower": "headache"}], "id": "headache"},
]


def write_jsonl(path: Path, rows: List[Dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf8")
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "texts.jsonl", [{"text": t} for t in TEXTS])


@pytest.fixture
def patterns(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "patterns.jsonl", PATTERNS)


def take(components: Components, n: int) -> List[Dict[str, Any]]:
    return list(itertools.islice(iter(components.stream), n))


def test_match_asks_about_each_match_in_the_ner_view(source: Path, patterns: Path) -> None:
    components = match("ds", "blank:en", str(source), patterns=patterns, in_order=True)
    assert components.view_id == "ner" and components.dataset == "ds"
    assert components.config["labels"] == ["DRUG", "SYMPTOM"]
    tasks = take(components, 100)
    assert [(t["text"][:12], t["spans"][0]["label"]) for t in tasks] == [
        ("I took aspir", "DRUG"), ("I took aspir", "SYMPTOM"),
        ("The headache", "SYMPTOM"), ("The headache", "DRUG"),
        ("A nap helped", "DRUG"), ("My headache ", "SYMPTOM"),
    ]
    assert all(len(t["spans"]) == 1 and t["tokens"] and "pattern" in t["meta"] for t in tasks)
    assert len({t["_task_hash"] for t in tasks}) == len(tasks)


def test_match_label_task_combine_and_label_filter(source: Path, patterns: Path) -> None:
    components = match(
        "ds", "blank:en", str(source), patterns=patterns, label="SYMPTOM",
        label_task=True, combine_matches=True, all_examples=True, in_order=True,
    )
    assert components.view_id == "classification"
    tasks = take(components, 100)
    assert len(tasks) == len(TEXTS)
    assert all(t["label"] == "SYMPTOM" for t in tasks)
    assert [len(t["spans"]) for t in tasks] == [1, 0, 1, 0, 1]
    assert all("label" not in span for t in tasks for span in t["spans"])


def test_match_rejected_pattern_fades(tmp_path: Path, patterns: Path) -> None:
    texts = [f"aspirin number {i}" for i in range(6)] + [f"headache number {i}" for i in range(6)]
    source = write_jsonl(tmp_path / "many.jsonl", [{"text": t} for t in texts])
    components = match("ds", "blank:en", str(source), patterns=patterns)
    stream = iter(components.stream)
    first = [next(stream) for _ in range(2)]
    assert [t["spans"][0]["pattern"] for t in first] == ["aspirin", "aspirin"]  # ties: file order
    assert components.update is not None
    components.update([dict(t, answer="reject") for t in first])
    rest = list(stream)
    # after two rejections every headache match outranks the remaining aspirin matches
    assert [t["spans"][0]["pattern"] for t in rest] == ["headache"] * 6 + ["aspirin"] * 4
    assert rest[0]["score"] == pytest.approx(0.5) and rest[-1]["score"] == pytest.approx(5 / 12)


def test_match_on_load_counts_stored_answers(tmp_path: Path, source: Path, patterns: Path) -> None:
    db = Database("sqlite:///" + str(tmp_path / "x.db"))
    components = match("ds", "blank:en", str(source), patterns=patterns)
    rejected = [dict(t, answer="reject") for t in take(match("ds", "blank:en", str(source), patterns=patterns, in_order=True), 2)]
    db.add_dataset("ds")
    db.add_examples(rejected, datasets=["ds"])
    assert components.on_load is not None
    components.on_load(SimpleNamespace(db=db))
    scores = {t["spans"][0]["pattern"]: t["score"] for t in take(components, 100)}
    assert scores == {"aspirin": pytest.approx(5 / 11), "headache": pytest.approx(5 / 11)}
    db.close()


def test_match_errors(source: Path, patterns: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="No patterns"):
        match("ds", "blank:en", str(source), patterns=patterns, label="NOPE")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "X", "pattern": "ok"}\n{"label": "X"}\n')
    with pytest.raises(InvalidPattern, match=r"bad.jsonl:2"):
        match("ds", "blank:en", str(source), patterns=bad)


def test_filter_by_patterns_writes_only_matching_texts(source: Path, patterns: Path, tmp_path: Path, capsys) -> None:
    output = tmp_path / "out" / "matched.jsonl"
    filter_by_patterns(output, "blank:en", str(source), patterns=patterns)
    assert "Kept 4 of 5 texts (6 matches)" in capsys.readouterr().out
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["text"] for r in rows] == [TEXTS[0], TEXTS[2], TEXTS[3], TEXTS[4]]
    assert [[s["text"] for s in r["spans"]] for r in rows][:2] == [["aspirin", "headache"], ["headache", "aspirin"]]
    assert all("tokens" not in r and "score" not in r and "score" not in r["meta"] for r in rows)
    assert not (tmp_path / "out" / "matched.jsonl.part").exists()


@needs_examples
def test_filter_by_patterns_with_prodigy_drug_patterns(tmp_path: Path, capsys) -> None:
    source = write_jsonl(tmp_path / "s.jsonl", [{"text": "no drugs"}, {"text": "some cocaine and methadone"}])
    output = tmp_path / "drugs.jsonl"
    filter_by_patterns(output, "blank:en", str(source), patterns=EXAMPLES / "patterns_drugs-DRUG.jsonl", label="DRUG")
    (row,) = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(s["text"], s["label"]) for s in row["spans"]] == [("cocaine", "DRUG"), ("methadone", "DRUG")]
