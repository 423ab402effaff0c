"""metric.iaa.doc/binary/span through the command line, on answers in a real SQLite database.

The answers are written as the server writes them (``Database.add_examples``,
one ``_session_id`` a person); the figures are checked against the
``krippendorff`` package and against counts made by hand.
"""
from __future__ import annotations

import json
import random
from typing import Any, Dict, List

import krippendorff
import numpy as np
import pytest

from mentor.config import load_settings
from mentor.db import connect
from mentor.tasks import set_hashes

LABELS = ["BUSINESS", "SPORTS", "WORLD"]
PEOPLE = ["alex", "bea", "cai"]


def store(dataset: str, answers: List[Dict[str, Any]]) -> None:
    db = connect(settings=load_settings())
    db.add_dataset(dataset)
    db.add_examples([set_hashes(answer) for answer in answers], [dataset])
    db.close()


def choices(dataset: str, seed: int = 7) -> Dict[str, List[Any]]:
    """30 texts: alex and bea answer all, cai the first 20, and one text only alex; returns who chose what."""
    rng = random.Random(seed)
    chosen: Dict[str, List[Any]] = {who: [] for who in PEOPLE}
    answers = []
    for i in range(31):
        truth = rng.choice(LABELS)
        for who in PEOPLE:
            if (who == "cai" and i >= 20) or (i == 30 and who != "alex"):
                chosen[who].append(None)
                continue
            label = truth if rng.random() < 0.75 else rng.choice(LABELS)
            chosen[who].append(label)
            answers.append({
                "text": f"Headline {i}",
                "options": [{"id": label, "text": label} for label in LABELS],
                "accept": [label],
                "answer": "accept",
                "_view_id": "choice",
                "_session_id": f"{dataset}-{who}",
            })
    store(dataset, answers)
    return chosen


def report(result: Any) -> Dict[str, Any]:
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_cli_iaa_doc_multiclass_matches_krippendorff_package(mentor) -> None:
    chosen = choices("news")
    data = report(mentor("metric.iaa.doc", "news", "multiclass", "--json"))
    assert data["dataset"] == "news" and data["kind"] == "doc" and data["mode"] == "multiclass"
    assert data["annotators"] == PEOPLE and data["items"] == 30 and data["answers"] == 80
    assert data["left_out"] == {"single_annotator_items": 1}
    matrix = np.array([[np.nan if v is None else LABELS.index(v) for v in chosen[who]] for who in PEOPLE])
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert data["overall"]["krippendorff_alpha"] == pytest.approx(expected, abs=0.01)
    # percent agreement by hand: agreeing pairs over pairs, per text, averaged
    shares = []
    for unit in zip(*(chosen[who] for who in PEOPLE)):
        values = [v for v in unit if v is not None]
        if len(values) >= 2:
            pairs = [(a, b) for i, a in enumerate(values) for b in values[i + 1:]]
            shares.append(sum(a == b for a, b in pairs) / len(pairs))
    assert data["overall"]["percent_agreement"] == pytest.approx(sum(shares) / len(shares), abs=0.01)
    assert set(data["labels"]) == set(LABELS)
    assert all(0 < data["labels"][label]["gwet_ac2"] <= 1 for label in LABELS)

    text = mentor("metric.iaa.doc", "news", "multiclass")
    assert text.code == 0, text.err
    assert "Krippendorff" in text.out and "Gwet AC2" in text.out and "alex, bea, cai" in text.out
    assert f"{data['overall']['krippendorff_alpha']:.4f}" in text.out
    assert "items one annotator answered: 1" in text.out

    two = report(mentor("metric.iaa.doc", "news", "multilabel", "--annotators", "alex,news-bea", "--json"))
    assert two["annotators"] == ["alex", "bea"] and two["items"] == 30
    assert two["overall"]["items"] == 90  # every (text, label) question


def test_cli_iaa_binary_and_span(mentor) -> None:
    answers = []
    for i, (a, b, c) in enumerate([("accept", "accept", "reject"), ("reject", "reject", "reject"), ("accept", "ignore", "accept")]):
        for who, answer in zip(PEOPLE, (a, b, c)):
            for label in ("SPORTS", "WORLD"):
                answers.append({
                    "text": f"t{i}", "label": label, "answer": answer if label == "SPORTS" else "accept",
                    "_view_id": "classification", "_session_id": f"bin-{who}",
                })
    store("bin", answers)
    data = report(mentor("metric.iaa.binary", "bin", "--labels", "SPORTS", "--json"))
    assert data["items"] == 3 and data["left_out"] == {"ignored": 1, "other_labels": 9}
    assert list(data["labels"]) == ["SPORTS"]
    assert data["overall"]["percent_agreement"] == pytest.approx((1 / 3 + 1 + 1) / 3)
    world = report(mentor("metric.iaa.binary", "bin", "-l", "WORLD", "--json"))["overall"]
    assert world["percent_agreement"] == 1.0 and world["krippendorff_alpha"] is None  # no variation

    marked = {
        "alex": [(0, 5, "ORG"), (12, 15, "PER")],
        "bea": [(0, 5, "ORG"), (12, 15, "ORG")],
        "cai": [(0, 5, "ORG")],
    }
    store("ner", [
        {"text": "Apple hired Tim", "answer": "accept", "_view_id": "ner_manual", "_session_id": f"ner-{who}",
         "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}
        for who, spans in marked.items()
    ])
    spans = report(mentor("metric.iaa.span", "ner", "--json"))
    # alex-bea 2*1/4, alex-cai 2*1/3, bea-cai 2*1/3
    assert spans["overall"]["f1"] == pytest.approx((0.5 + 2 / 3 + 2 / 3) / 3)
    assert {(p["a"], p["b"]) for p in spans["overall"]["pairs"]} == {("alex", "bea"), ("alex", "cai"), ("bea", "cai")}
    assert spans["labels"]["ORG"]["f1"] == pytest.approx((2 * 1 / 3 + 1 + 2 * 1 / 3) / 3)
    text = mentor("metric.iaa.span", "ner", "-a", "alex,cai")
    assert text.code == 0 and "Pairwise F1" in text.out and "0.6667" in text.out


def test_cli_iaa_errors_are_one_line_with_a_code(mentor) -> None:
    choices("news")
    store("anon", [{"text": "a", "accept": ["X"], "answer": "accept"}, {"text": "a", "accept": ["Y"], "answer": "accept"}])
    store("mixed", [
        {"text": "a", "accept": ["X"], "answer": "accept", "_view_id": "choice", "_session_id": "mixed-a"},
        {"text": "a", "answer": "accept", "_view_id": "classification", "_session_id": "mixed-b"},
    ])
    cases = [
        (("metric.iaa.doc", "nope", "multiclass"), "M031"),
        (("metric.iaa.doc", "news", "exclusive"), "M026"),
        (("metric.iaa.doc", "news", "multiclass", "-a", "alex,zed"), "M142"),
        (("metric.iaa.doc", "news", "multiclass", "-l", "SPORT"), "M143"),
        (("metric.iaa.doc", "news", "multiclass", "-a", "alex", "--json"), "M141"),
        (("metric.iaa.binary", "anon"), "M140"),
        (("metric.iaa.doc", "mixed", "multilabel"), "M144"),
    ]
    for args, code in cases:
        result = mentor(*args)
        lines = result.err.strip().splitlines()
        assert result.code == 1, (args, result.err)
        assert len(lines) == 1 and lines[0].endswith(f"[{code}]"), (args, result.err)
        assert result.out == "", args  # nothing half-printed, JSON or not
    helped = mentor("metric.iaa.doc", "--help")
    assert helped.code == 0 and "--annotators" in helped.out and "--labels" in helped.out and "--json" in helped.out
