"""mentor train --tagger/--parser/--senter on answers shaped as pos.correct, dep.correct and sent.correct store
them: real POS tags from CoNLL-2003 (../shared/data), hand-made parses and sentence starts. Each trained
component must reach a sensible score on held-out answers."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import spacy

from mentor.cli.commands.evaluate import evaluate
from mentor.cli.commands.train import train
from mentor.db import Database
from mentor.tasks import set_hashes
from support.syntax_pipeline import token_dicts
from training_data import add

CONLL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "conll2003"


def one_token_span(tokens: List[Dict[str, Any]], i: int, label: str) -> Dict[str, Any]:
    return {"start": tokens[i]["start"], "end": tokens[i]["end"], "token_start": i, "token_end": i, "label": label}


def end_span(tokens: List[Dict[str, Any]], i: int) -> Dict[str, Any]:
    """One end of an arc in the relations view: a single token, no label."""
    return {"start": tokens[i]["start"], "end": tokens[i]["end"], "token_start": i, "token_end": i}


def conll_sentences(name: str, limit: int) -> Iterator[Tuple[List[str], List[str]]]:
    words: List[str] = []
    tags: List[str] = []
    count = 0
    for line in (CONLL / name).read_text(encoding="utf8").splitlines():
        parts = line.split()
        if parts and parts[0] != "-DOCSTART-":
            words.append(parts[0])
            tags.append(parts[1])
        elif words:
            yield words, tags
            words, tags = [], []
            count += 1
            if count == limit:
                return


def pos_answers(name: str, limit: int, every_nth_missing: int = 0) -> List[Dict[str, Any]]:
    """pos.correct answers; with every_nth_missing, those tokens were left untagged."""
    answers = []
    for words, tags in conll_sentences(name, limit):
        tokens = token_dicts(words)
        spans = [one_token_span(tokens, i, tag) for i, tag in enumerate(tags)
                 if not every_nth_missing or i % every_nth_missing]
        answers.append(set_hashes({"text": " ".join(words), "tokens": tokens, "spans": spans,
                                   "answer": "accept", "_view_id": "pos_manual"}))
    return answers


NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
VERBS = ["likes", "eats", "sees", "sells", "buys", "paints", "wants", "finds"]
ADJS = ["green", "red", "big", "old", "small", "new", "cheap", "fresh"]
NOUNS = ["apples", "pears", "dogs", "cars", "boats", "houses", "books", "shoes"]


def made_sentence(rng: random.Random) -> Tuple[List[str], List[int], List[str]]:
    """A sentence with its parse (heads as token indices, the root its own head)."""
    if rng.random() < 0.3:
        return [rng.choice(NAMES), rng.choice(VERBS), "."], [1, 1, 1], ["nsubj", "ROOT", "punct"]
    words = [rng.choice(NAMES), rng.choice(VERBS), rng.choice(ADJS), rng.choice(NOUNS), "."]
    return words, [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"]


def dep_answers(n: int, seed: int) -> List[Dict[str, Any]]:
    """dep.correct answers: every arc but the root's, as the relations view shows them."""
    rng = random.Random(seed)
    answers = []
    for _ in range(n):
        words, heads, deps = made_sentence(rng)
        tokens = token_dicts(words)
        relations = [
            {"head": h, "child": i, "label": d, "head_span": end_span(tokens, h), "child_span": end_span(tokens, i)}
            for i, (h, d) in enumerate(zip(heads, deps)) if h != i
        ]
        answers.append(set_hashes({"text": " ".join(words), "tokens": tokens, "relations": relations,
                                   "answer": "accept", "_view_id": "relations"}))
    return answers


def sent_answers(n: int, seed: int) -> List[Dict[str, Any]]:
    """sent.correct answers: texts of two to four made sentences, an S span on each sentence's first token."""
    rng = random.Random(seed)
    answers = []
    for _ in range(n):
        words: List[str] = []
        starts: List[int] = []
        for _ in range(rng.randint(2, 4)):
            starts.append(len(words))
            words += made_sentence(rng)[0]
        tokens = token_dicts(words)
        spans = [one_token_span(tokens, i, "S") for i in starts]
        answers.append(set_hashes({"text": " ".join(words), "tokens": tokens, "spans": spans,
                                   "answer": "accept", "_view_id": "pos_manual"}))
    return answers


def scores(out: Path) -> Dict[str, float]:
    return json.loads((out / "model-best" / "meta.json").read_text())["performance"]


@pytest.fixture
def syntax_db(training_db: Database) -> Database:
    add(training_db, "pos", pos_answers("train.txt", 400, every_nth_missing=6))
    add(training_db, "pos_eval", pos_answers("valid.txt", 100))
    add(training_db, "dep", dep_answers(60, seed=0))
    add(training_db, "dep_eval", dep_answers(20, seed=1))
    add(training_db, "sent", sent_answers(60, seed=0))
    add(training_db, "sent_eval", sent_answers(20, seed=1))
    return training_db


def test_tagger_learns_conll_tags_from_pos_answers(syntax_db, tmp_path, capsys) -> None:
    out = tmp_path / "tagger"
    train(None, out, tagger="pos,eval:pos_eval", epochs=6)
    printed = capsys.readouterr().out
    assert "tagger" in printed and " manual" in printed and "NNP, NNPS, NNS" in printed
    assert scores(out)["tag_acc"] > 0.75  # about 0.5 tags the most common tag (NNP) everywhere
    evaluate(str(out / "model-best"), tagger="pos_eval")
    printed = capsys.readouterr().out
    assert "tagger: 97 texts from pos_eval" in printed and "NNP" in printed
    assert f"Accuracy (spaCy's tag_acc): {scores(out)['tag_acc'] * 100:.2f}" in printed  # as spaCy's table showed it
    nlp = spacy.load(out / "model-best")
    assert nlp.pipe_names == ["tok2vec", "tagger"]
    assert nlp("The company said on Monday .")[0].tag_ == "DT"


def test_parser_learns_from_dep_answers(syntax_db, tmp_path, capsys) -> None:
    out = tmp_path / "parser"
    train(None, out, parser="dep,eval:dep_eval", epochs=10)
    performance = scores(out)
    assert performance["dep_las"] > 0.9 and performance["dep_uas"] > 0.9
    evaluate(str(out / "model-best"), parser="dep_eval")
    assert f"LAS (spaCy's dep_las, punctuation left out): {performance['dep_las'] * 100:.2f}" in capsys.readouterr().out
    doc = spacy.load(out / "model-best")("Grace paints old boats.")
    assert [t.dep_ for t in doc] == ["nsubj", "ROOT", "amod", "dobj", "punct"]
    assert [t.head.i for t in doc] == [1, 1, 3, 1, 1]


def test_senter_learns_from_sent_answers(syntax_db, tmp_path, capsys) -> None:
    # apart from the parser: a parsed Doc's sentences come from its parse, not from the senter
    out = tmp_path / "senter"
    train(None, out, senter="sent,eval:sent_eval", epochs=10)
    assert scores(out)["sents_f"] > 0.9
    evaluate(str(out / "model-best"), senter="sent_eval")
    printed = capsys.readouterr().out
    assert f"Sentence F (spaCy's sents_f): {scores(out)['sents_f'] * 100:.2f}" in printed
    assert "senter: 20 texts from sent_eval" in printed
    doc = spacy.load(out / "model-best")("Grace paints old boats . Ivan runs . Judy finds new shoes .")
    assert [s.text for s in doc.sents] == ["Grace paints old boats .", "Ivan runs .", "Judy finds new shoes ."]


def test_data_to_spacy_writes_the_same_tags_and_arcs(syntax_db, tmp_path, subprocess_env) -> None:
    out = tmp_path / "export"
    result = subprocess.run(
        [sys.executable, "-m", "mentor", "data-to-spacy", str(out), "--parser", "dep,eval:dep_eval", "--tagger", "pos"],
        env=subprocess_env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(nlp.vocab))
    tagged = [d for d in docs if d.has_annotation("TAG")]
    parsed = [d for d in docs if d.has_annotation("DEP")]
    assert tagged and parsed
    assert all(t.tag_ == "" for d in tagged for t in d if t.i % 6 == 0)  # left untagged: missing
    assert all(t.dep_ == "ROOT" for d in parsed for t in d if t.i == 1)


def test_train_curve_and_spacy_config_take_the_syntax_flags(syntax_db, tmp_path, capfd) -> None:
    from thinc.api import Config

    from mentor.cli.commands import spacy_config as config_cli, train_curve as curve_cli

    curve_cli.train_curve(SimpleNamespace(args=["--training.max_epochs", "2"]), parser="dep,eval:dep_eval", n_samples=2)
    rows = [line.split() for line in capfd.readouterr().out.splitlines() if line[:1].isdigit()]
    assert [row[0] for row in rows] == ["50%", "100%"] and float(rows[-1][2]) > 0  # dep_las
    config_cli.spacy_config(tmp_path / "config.cfg", tagger="pos", senter="sent")
    config = Config().from_disk(tmp_path / "config.cfg", interpolate=False)
    assert config["nlp"]["pipeline"] == ["tok2vec", "tagger", "senter"]
    assert config["corpora"]["train"]["datasets"] == {"tagger": ["pos"], "senter": ["sent"]}
