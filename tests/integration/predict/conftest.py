"""A tiny textcat + ner pipeline on disk and a source for mentor predict's tests."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
import spacy
from spacy.training import Example
from spacy.util import fix_random_seed

TRAIN = [
    ("Alice likes Paris", {"entities": [(0, 5, "PERSON"), (12, 17, "GPE")], "cats": {"POS": 1.0, "NEG": 0.0}}),
    ("Bob hates Berlin", {"entities": [(0, 3, "PERSON"), (10, 16, "GPE")], "cats": {"POS": 0.0, "NEG": 1.0}}),
]
BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 1, "no_output_layer": False}


@pytest.fixture(scope="session")
def tiny_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """blank:en with a bag-of-words textcat and a ner, a few updates on two sentences: seconds to build and run."""
    fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.add_pipe("textcat", config={"model": BOW})
    nlp.add_pipe("ner")
    examples = [Example.from_dict(nlp.make_doc(text), gold) for text, gold in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(10):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("pipelines") / "tiny"
    nlp.to_disk(path)
    return path


@pytest.fixture
def write_source() -> Callable[[Path, int], Path]:
    """Write ``count`` JSONL records with distinct texts, numbered in ``meta.i``, to a path."""

    def write(path: Path, count: int) -> Path:
        with path.open("w", encoding="utf8") as handle:
            for i in range(count):
                name = ("Alice", "Bob", "Carol")[i % 3]
                handle.write(json.dumps({"text": f"{name} number {i} visited Paris", "meta": {"i": i}}) + "\n")
        return path

    return write
