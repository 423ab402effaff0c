"""terms.teach (vector similarity bootstrapping) and terms.to-patterns."""
from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List, Tuple

import numpy
import pytest
import spacy

from mentor.db import Database, connect
from mentor.errors import DatasetNotFound, InputError
from mentor.models.matcher import PatternMatcher
from mentor.recipes.terms import NoVectors, TermSimilarity, terms_teach, terms_to_patterns

# hand-made 3-d vectors: drugs point along x, food along y, "pill" in between
VECTORS: Dict[str, Tuple[float, float, float]] = {
    "aspirin": (1.0, 0.0, 0.0),
    "ibuprofen": (0.95, 0.05, 0.0),
    "codeine": (0.9, 0.0, 0.1),
    "paracetamol": (0.85, 0.1, 0.05),
    "pill": (0.6, 0.4, 0.0),
    "apple": (0.0, 1.0, 0.0),
    "bread": (0.05, 0.95, 0.0),
    "cheese": (0.0, 0.9, 0.1),
    "Paris": (0.0, 0.0, 1.0),  # not lower case: never a candidate
    "x2": (0.9, 0.0, 0.0),  # not alphabetic: never a candidate
}


@pytest.fixture(scope="module")
def vectors_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("en")
    for word, vector in VECTORS.items():
        nlp.vocab.set_vector(word, numpy.asarray(vector, dtype="float32"))
    path = tmp_path_factory.mktemp("vectors") / "pipeline"
    nlp.to_disk(path)
    return path


def texts(tasks: List[dict]) -> List[str]:
    return [t["text"] for t in tasks]


def test_terms_teach_suggests_similar_terms_first(vectors_dir: Path) -> None:
    components = terms_teach("terms", str(vectors_dir), seeds="aspirin")
    assert components.view_id == "text" and components.dataset == "terms"
    stream = iter(components.stream)
    first = list(itertools.islice(stream, 4))
    assert texts(first) == ["ibuprofen", "codeine", "paracetamol", "pill"]
    assert first[0]["score"] == pytest.approx(first[0]["meta"]["score"], abs=1e-3)
    assert all(isinstance(t["_task_hash"], int) for t in first)
    rest = texts(list(stream))
    assert sorted(rest) == ["apple", "bread", "cheese"]  # every candidate once, none dropped


def test_terms_teach_rescores_after_each_update(vectors_dir: Path) -> None:
    components = terms_teach("terms", str(vectors_dir), seeds="pill")
    stream = iter(components.stream)
    first = next(stream)
    before = first["text"]
    assert components.update is not None
    components.update([dict(first, answer="reject")])
    after = next(stream)
    # rejecting the top suggestion pushes its neighbours down: the next one comes from the other side
    assert VECTORS[before][0] > VECTORS[before][1] and VECTORS[after["text"]][1] > VECTORS[after["text"]][0]


def test_terms_score_formula(vectors_dir: Path) -> None:
    model = TermSimilarity(spacy.load(vectors_dir))
    assert sorted(model.terms) == ["apple", "aspirin", "bread", "cheese", "codeine", "ibuprofen", "paracetamol", "pill"]
    model.add("aspirin", accept=True)
    model.add("apple", accept=False)
    scores = dict(zip(model.terms, model.scores()))
    pill = numpy.asarray(VECTORS["pill"]) / numpy.linalg.norm(VECTORS["pill"])
    accept_sim, reject_sim = pill[0], pill[1]
    assert scores["pill"] == pytest.approx(accept_sim / (accept_sim + reject_sim + 0.2), rel=1e-5)
    assert scores["aspirin"] == pytest.approx(1 / 1.2)


def test_terms_teach_ignored_answers_change_nothing(vectors_dir: Path) -> None:
    components = terms_teach("terms", str(vectors_dir), seeds="aspirin")
    stream = iter(components.stream)
    first = next(stream)
    components.update([dict(first, answer="ignore")])  # type: ignore[misc]
    assert next(stream)["text"] == "codeine"


def test_terms_teach_stores_seeds_and_resumes(vectors_dir: Path, tmp_path: Path) -> None:
    db = Database("sqlite:///" + str(tmp_path / "terms.db"))
    db.add_dataset("terms")
    db.add_examples([{"text": "ibuprofen", "answer": "reject"}], datasets=["terms"])
    components = terms_teach("terms", str(vectors_dir), seeds="aspirin,codeine")
    assert components.on_load is not None
    components.on_load(SimpleNamespace(db=db))
    stored = {t["text"]: t["answer"] for t in db.get_dataset_examples("terms")}
    assert stored == {"ibuprofen": "reject", "aspirin": "accept", "codeine": "accept"}
    assert "ibuprofen" not in texts(list(components.stream))
    components.on_load(SimpleNamespace(db=db))  # a second start stores the seeds once
    assert db.count_dataset("terms") == 3
    db.close()


def test_terms_teach_without_vectors_says_so() -> None:
    with pytest.raises(NoVectors, match="no word vectors"):
        terms_teach("terms", "blank:en", seeds="aspirin")


def test_terms_teach_seed_errors(vectors_dir: Path) -> None:
    with pytest.raises(NoVectors, match="None of the seed terms has a vector"):
        terms_teach("terms", str(vectors_dir), seeds="zzz,qqq")
    with pytest.raises(InputError, match="seed"):
        terms_teach("terms", str(vectors_dir), seeds=" , ")
    # one seed without a vector is fine; it is never suggested either
    components = terms_teach("terms", str(vectors_dir), seeds="aspirin,zzz")
    assert "zzz" not in texts(list(components.stream))


def test_terms_candidates_limit(vectors_dir: Path) -> None:
    model = TermSimilarity(spacy.load(vectors_dir), max_candidates=3)
    assert model.terms == ["aspirin", "ibuprofen", "codeine"]


def test_terms_to_patterns_writes_accepted_terms(mentor_home: Path, tmp_path: Path, capsys) -> None:
    db = connect()
    db.add_dataset("terms")
    db.add_examples(
        [
            {"text": "Aspirin", "answer": "accept"},
            {"text": "aspirin", "answer": "accept", "meta": {"seed": True}},
            {"text": "vitamin C", "answer": "accept"},
            {"text": "bread", "answer": "reject"},
            {"text": "cheese", "answer": "ignore"},
        ],
        datasets=["terms"],
    )
    db.close()
    output = tmp_path / "patterns" / "drugs.jsonl"
    terms_to_patterns("terms", output, label="DRUG")
    assert "Wrote 2 'DRUG' patterns" in capsys.readouterr().out
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert rows == [
        {"label": "DRUG", "pattern": [{"lower": "aspirin"}]},
        {"label": "DRUG", "pattern": [{"lower": "vitamin"}, {"lower": "c"}]},
    ]
    matcher = PatternMatcher(spacy.blank("en"), output)
    (_, task), = matcher([{"text": "ASPIRIN and Vitamin C"}])
    assert [s["text"] for s in task["spans"]] == ["ASPIRIN", "Vitamin C"]

    terms_to_patterns("terms", output, label="DRUG", case_sensitive=True)
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["pattern"] for r in rows] == [[{"orth": "Aspirin"}], [{"orth": "aspirin"}], [{"orth": "vitamin"}, {"orth": "C"}]]


def test_terms_to_patterns_unknown_dataset(mentor_home: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFound):
        terms_to_patterns("nope", tmp_path / "p.jsonl", label="DRUG")
    assert not (tmp_path / "p.jsonl").exists()
