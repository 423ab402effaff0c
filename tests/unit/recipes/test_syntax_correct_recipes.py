"""pos.correct, dep.correct and sent.correct: tasks pre-filled from a pipeline in Prodigy's shapes, --label,
--unsegmented, --update, and one-line errors for a pipeline without the component."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from mentor.models.syntax import NoParser, NoSentenceSetter, NoTagger, UnknownLabels
from mentor.recipes.syntax import dep_correct, pos_correct, sent_correct
from support.syntax_pipeline import build_pipeline

TEXT = "Alice likes green apples. Bob runs."


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("syntax") / "model")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text(json.dumps({"text": TEXT, "meta": {"id": 1}}) + "\n", encoding="utf8")
    return path


def test_pos_correct_tags_each_token_of_each_sentence(pipeline, source) -> None:
    components = pos_correct("pos", str(pipeline), str(source))
    assert components.view_id == "pos_manual" and components.config["exclude_by"] == "input"
    assert set(components.config["labels"]) == {"NNP", "VBZ", "JJ", "NNS", "."}
    first, second = list(components.stream)
    assert first["text"] == "Alice likes green apples." and second["text"] == "Bob runs."
    assert [s["label"] for s in first["spans"]] == ["NNP", "VBZ", "JJ", "NNS", "."]
    assert all(s["token_start"] == s["token_end"] == i for i, s in enumerate(first["spans"]))
    assert first["meta"] == {"id": 1} and first["_task_hash"] != second["_task_hash"]


def test_pos_correct_label_restricts_the_tags_shown(pipeline, source) -> None:
    (task,) = list(pos_correct("pos", str(pipeline), str(source), label="NNP", unsegmented=True).stream)
    assert [(s["token_start"], s["label"]) for s in task["spans"]] == [(0, "NNP"), (5, "NNP")]
    with pytest.raises(UnknownLabels, match="M263|NOUN"):
        pos_correct("pos", str(pipeline), str(source), label="NOUN")


def test_dep_correct_prefills_arcs_without_the_root_and_updates(pipeline, source) -> None:
    components = dep_correct("dep", str(pipeline), str(source), unsegmented=True, update=True, wrap=True)
    assert components.view_id == "relations" and components.config["wrap_relations"] is True
    assert components.config["relations_span_labels"] == [] and "ROOT" not in components.config["labels"]
    (task,) = list(components.stream)
    arcs = {(r["head"], r["child"], r["label"]) for r in task["relations"]}
    # the first sentence is one the pipeline learnt; the second's arcs depend on how it splits the text
    assert {(1, 0, "nsubj"), (3, 2, "amod"), (1, 3, "dobj"), (1, 4, "punct")} <= arcs
    assert all(r["head"] != r["child"] for r in task["relations"])
    rel = next(r for r in task["relations"] if r["label"] == "amod")
    assert rel["head_span"]["token_start"] == rel["head_span"]["token_end"] == 3
    loss = components.update([dict(task, answer="accept")])
    assert isinstance(loss, float) and loss >= 0
    (only,) = list(dep_correct("dep", str(pipeline), str(source), label="amod", unsegmented=True).stream)
    assert {r["label"] for r in only["relations"]} == {"amod"} and (3, 2) in {(r["head"], r["child"]) for r in only["relations"]}


def test_sent_correct_marks_sentence_starts(pipeline, source, tmp_path) -> None:
    components = sent_correct("sent", str(pipeline), str(source))
    assert components.view_id == "pos_manual" and components.config["labels"] == ["S"]
    (task,) = list(components.stream)
    assert task["text"] == TEXT  # never split
    # the parser sets the sentences: where depends on what it learnt from six sentences
    assert task["spans"][0]["token_start"] == 0 and {s["label"] for s in task["spans"]} == {"S"}
    # a rule-based sentencizer is a pipeline's sentence setter too
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "rules")
    (task,) = list(sent_correct("sent", str(tmp_path / "rules"), str(source)).stream)
    assert [s["token_start"] for s in task["spans"]] == [0, 5]


@pytest.mark.parametrize("recipe, error", [(pos_correct, NoTagger), (dep_correct, NoParser), (sent_correct, NoSentenceSetter)])
def test_a_pipeline_without_the_component_is_refused(recipe, error, source) -> None:
    with pytest.raises(error, match="mentor train --"):
        recipe("x", "blank:en", str(source))


def test_the_cli_says_so_in_one_line(source, tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mentor", "dep.correct", "x", "blank:en", str(source)],
        env={"MENTOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "[M261]" in result.stderr and "Traceback" not in result.stderr


def test_pos_correct_reads_a_morphologizer_s_coarse_tags(source, tmp_path) -> None:
    from spacy.tokens import Doc
    from spacy.training import Example

    nlp = spacy.blank("en")
    nlp.add_pipe("morphologizer")
    gold = Doc(nlp.vocab, words=["Alice", "likes", "apples", "."], spaces=[True, True, False, False],
               pos=["PROPN", "VERB", "NOUN", "PUNCT"], morphs=["", "", "Number=Plur", ""])
    examples = [Example(nlp.make_doc(gold.text), gold)]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(30):
        nlp.update(examples, sgd=optimizer)
    nlp.to_disk(tmp_path / "morph")
    components = pos_correct("pos", str(tmp_path / "morph"), str(source))
    assert components.config["labels"] == ["NOUN", "PROPN", "PUNCT", "VERB"]  # from labels like Number=Plur|POS=NOUN
    first = next(iter(components.stream))
    assert [s["label"] for s in first["spans"]][:2] == ["PROPN", "VERB"]
