"""rel.manual, compare, ner.eval-ab and textcat.eval, called as functions."""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
import spacy
from spacy.training import Example
from spacy.util import fix_random_seed

from mentor.errors import NeedsLabels, NothingToCompare
from mentor.recipes.compare import ab_counts, compare, ner_eval_ab, print_ab_table
from mentor.recipes.relations import rel_manual
from mentor.recipes.textcat_eval import eval_counts, print_eval_table, textcat_eval

BIO = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "prodigy-recipes" / "example-datasets" / "bio_events.jsonl"


def write_jsonl(path: Path, rows: List[Any]) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows), encoding="utf8")
    return path


def test_rel_manual_on_bio_events_keeps_spans_on_tokens() -> None:
    comps = rel_manual("rel", "blank:en", str(BIO), label="REGULATES,PART_OF", span_label="GGP,EVENT", wrap=True)
    assert comps.view_id == "relations"
    assert comps.config["labels"] == ["REGULATES", "PART_OF"] and comps.config["relations_span_labels"] == ["GGP", "EVENT"]
    assert comps.config["wrap_relations"] is True and comps.config["exclude_by"] == "input"
    tasks = list(comps.stream)
    assert len(tasks) == 129  # every text of the file, none lost to tokenisation
    first = tasks[0]
    for span in first["spans"]:
        tokens = first["tokens"][span["token_start"]:span["token_end"] + 1]
        assert first["text"][span["start"]:span["end"]] == first["text"][tokens[0]["start"]:tokens[-1]["end"]]


def test_rel_manual_needs_relation_labels() -> None:
    with pytest.raises(NeedsLabels) as err:
        rel_manual("rel", "blank:en", str(BIO))
    assert err.value.code == "M190" and "--label" in str(err.value)


def test_rel_manual_skips_tasks_whose_relations_miss_their_tokens(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = write_jsonl(tmp_path / "rel.jsonl", [
        {"text": "Alice works at Acme.", "relations": [{"head": 0, "child": 3, "label": "WORKS_AT"}]},
        {"text": "Bob works at Globex.", "relations": [{"head": 0, "child": 40, "label": "WORKS_AT"}]},
        {"text": "Carol is here.", "relations": "nope"},
        {"text": "Dan too."},
    ])
    with caplog.at_level(logging.WARNING):
        tasks = list(rel_manual("rel", "blank:en", str(source), label="WORKS_AT").stream)
    assert [t["text"] for t in tasks] == ["Alice works at Acme.", "Dan too."]
    assert "its relations 'child' must be a token index below 5, got 40" in caplog.text and "must be a list" in caplog.text


def _outputs(tmp_path: Path) -> tuple:
    a = write_jsonl(tmp_path / "a.jsonl", [
        *({"id": i, "input": {"text": f"Input {i}"}, "output": {"text": f"A says {i}"}} for i in range(6)),
        {"id": 99, "input": {"text": "no output"}},  # line 7: skipped, the others kept
        "not json",
    ])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": i, "input": {"text": f"Input {i}"}, "output": {"text": f"B says {i}"}} for i in range(1, 7)])
    return a, b


def test_compare_pairs_by_id_sides_random_and_kept(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    a, b = _outputs(tmp_path)
    with caplog.at_level(logging.WARNING):
        comps = compare("ab", a, b, seed=3)
        tasks = list(comps.stream)
    assert f"{a}:7: field 'output' is missing [M012]; skipped it" in caplog.text and f"{a}:8: not valid JSON" in caplog.text
    assert "Comparing the 5 ids found in both files (6 in A, 6 in B)" in caplog.text
    assert comps.view_id == "compare" and [t["id"] for t in tasks] == [1, 2, 3, 4, 5]
    for task in tasks:
        assert task["text"] == task["input"]["text"] == f"Input {task['id']}"
        assert task[task["mapping"]["A"]] == {"text": f"A says {task['id']}"}
        assert task[task["mapping"]["B"]] == {"text": f"B says {task['id']}"}
    assert {t["mapping"]["A"] for t in tasks} == {"left", "right"}  # seed 3 puts A on both sides
    fixed = list(compare("ab", a, b, no_random=True, diff=True).stream)
    assert {t["mapping"]["A"] for t in fixed} == {"left"}
    assert compare("ab", a, b, diff=True).view_id == "diff"
    assert [t["_task_hash"] for t in fixed] == [t["_task_hash"] for t in tasks]  # the sides don't change the task


def test_compare_refuses_files_with_no_shared_id(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "input": {"text": "t"}, "output": {"text": "o"}}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": "y", "input": {"text": "t"}, "output": {"text": "o"}}])
    with pytest.raises(NothingToCompare) as err:
        compare("ab", a, b)
    assert err.value.code == "M191" and "share no 'id'" in str(err.value)


def test_ab_counts_follow_the_mapping(capsys: pytest.CaptureFixture) -> None:
    answers = [
        {"answer": "accept", "mapping": {"A": "left", "B": "right"}},  # left = A
        {"answer": "accept", "mapping": {"A": "right", "B": "left"}},  # left = B
        {"answer": "reject", "mapping": {"A": "right", "B": "left"}},  # right = A
        {"answer": "ignore", "mapping": {"A": "left", "B": "right"}},
        {"answer": "accept", "text": "not a compare answer"},
    ]
    counts = ab_counts(answers)
    assert (counts["A"], counts["B"], counts["none"], counts["total"]) == (2, 1, 1, 4)
    print_ab_table(counts, {"A": "a.jsonl", "B": "b.jsonl"})
    out = capsys.readouterr().out
    assert "66.7%" in out and "a.jsonl" in out and "preferred in 2 of 3" in out


def _ruler(path: Path, patterns: List[Dict[str, Any]]) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.to_disk(path)
    return path


def test_ner_eval_ab_asks_where_the_pipelines_differ(tmp_path: Path) -> None:
    before = _ruler(tmp_path / "before", [{"label": "ORG", "pattern": "Acme"}])
    after = _ruler(tmp_path / "after", [{"label": "ORG", "pattern": "Acme"}, {"label": "PERSON", "pattern": "Alice"}])
    source = write_jsonl(tmp_path / "texts.jsonl", [{"text": "Alice works at Acme."}, {"text": "Acme is big."}])
    comps = ner_eval_ab("ab", str(before), str(after), str(source), seed=0)
    tasks = list(comps.stream)
    assert comps.view_id == "compare" and len(tasks) == 1  # the second text: both say the same
    task = tasks[0]
    labels = {system: [s["label"] for s in task[side]["spans"]] for system, side in task["mapping"].items()}
    assert labels == {"A": ["ORG"], "B": ["PERSON", "ORG"]}
    assert task["input"] == {"text": "Alice works at Acme."}
    assert len(list(ner_eval_ab("ab", str(before), str(after), str(source), show_same=True).stream)) == 2


@pytest.fixture(scope="module")
def textcat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = {"I love this, wonderful.": 1.0, "Great, loved it.": 1.0, "Awful, I hate it.": 0.0, "Terrible and awful.": 0.0}
    nlp = spacy.blank("en")
    nlp.add_pipe("textcat_multilabel").add_label("POSITIVE")
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {"POSITIVE": y}}) for t, y in texts.items()]
    fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    path = tmp_path_factory.mktemp("textcat") / "model"
    nlp.to_disk(path)
    return path


def test_textcat_eval_keeps_the_model_decision_and_scores_it(textcat_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = write_jsonl(tmp_path / "texts.jsonl", [{"text": "I loved it, wonderful."}, {"text": "Awful and terrible."}])
    comps = textcat_eval("ev", str(textcat_model), str(source), label="POSITIVE")
    tasks = list(comps.stream)
    assert comps.view_id == "classification"
    assert [(t["label"], t["predicted"]) for t in tasks] == [("POSITIVE", True), ("POSITIVE", False)]
    assert tasks[0]["score"] > 0.5 > tasks[1]["score"] and tasks[0]["meta"]["score"] == round(tasks[0]["score"], 3)
    answers = [{**tasks[0], "answer": "accept"}, {**tasks[1], "answer": "accept"}, {**tasks[1], "answer": "ignore"}]
    counts = eval_counts(answers)
    assert counts == {"POSITIVE": Counter({"tp": 1, "fn": 1})}
    print_eval_table(counts)
    out = capsys.readouterr().out
    assert "0.500" in out and "1.000" in out  # accuracy and recall 0.5, precision 1
    with pytest.raises(NeedsLabels):
        textcat_eval("ev", str(textcat_model), str(source))


def test_on_exit_tables_read_the_stored_answers(textcat_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # on_exit gets the controller; the tables come from everything stored in the dataset, through the Database
    from types import SimpleNamespace

    from mentor.db import connect

    a, b = _outputs(tmp_path)
    comps = compare("ab", a, b, no_random=True)
    source = write_jsonl(tmp_path / "texts.jsonl", [{"text": "I loved it, wonderful."}])
    evaluation = textcat_eval("ev", str(textcat_model), str(source), label="POSITIVE")
    db = connect(f"sqlite:///{tmp_path / 'mentor.db'}")
    try:
        controller = SimpleNamespace(db=db)
        comps.on_exit(controller)
        assert "No answers in 'ab' yet" in capsys.readouterr().out
        for name in ("ab", "ev"):
            db.add_dataset(name)
        tasks = list(comps.stream)
        db.add_examples([{**tasks[0], "answer": "reject"}, {**tasks[1], "answer": "reject"}, {**tasks[2], "answer": "accept"}], ["ab"])
        db.add_examples([{**next(iter(evaluation.stream)), "answer": "reject"}], ["ev"])
        comps.on_exit(controller)
        evaluation.on_exit(controller)
    finally:
        db.close()
    out = capsys.readouterr().out
    assert "A/B results in 'ab'" in out and "B (b.jsonl) was preferred in 2 of 3" in out
    assert "against the answers in 'ev'" in " ".join(out.split())  # wasabi wraps a long title
    row = next(line for line in out.splitlines() if line.startswith("POSITIVE"))
    assert row.split()[1:6] == ["1", "0", "1", "0", "0"]  # n, TP, FP (the model said yes, the answer no), FN, TN


def test_rel_manual_add_ents_prefills_spans_and_offers_their_labels(tmp_path: Path) -> None:
    model = _ruler(tmp_path / "ruler", [{"label": "ORG", "pattern": "Acme"}, {"label": "PERSON", "pattern": "Alice"}])
    source = write_jsonl(tmp_path / "texts.jsonl", [
        {"text": "Alice works at Acme."},
        {"text": "Acme hired Alice.", "spans": [{"start": 0, "end": 4, "label": "COMPANY"}]},  # its own spans stay
    ])
    comps = rel_manual("rel", str(model), str(source), label="WORKS_AT", add_ents=True)
    assert comps.config["relations_span_labels"] == ["ORG", "PERSON"]
    first, second = comps.stream
    assert [(s["label"], s["token_start"], s["token_end"]) for s in first["spans"]] == [("PERSON", 0, 0), ("ORG", 3, 3)]
    assert [s["label"] for s in second["spans"]] == ["COMPANY"]
    only_org = next(iter(rel_manual("rel", str(model), str(source), label="WORKS_AT", span_label="ORG", add_ents=True).stream))
    assert [s["label"] for s in only_org["spans"]] == ["ORG"]
    assert only_org["_task_hash"] != first["_task_hash"]
