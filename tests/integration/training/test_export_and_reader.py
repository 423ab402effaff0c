from __future__ import annotations

import shlex
import subprocess
import sys

import spacy
import srsly
from spacy.tokens import DocBin

from mentor.cli.commands.data_to_spacy import data_to_spacy
from mentor.cli.commands.spacy_config import spacy_config


def test_data_to_spacy_printed_command_trains(training_db, tmp_path, capsys, subprocess_env):
    out = tmp_path / "corpus"
    data_to_spacy(out, ner="ner_binary", textcat_multilabel="happy")
    printed = capsys.readouterr().out
    command = next(line for line in printed.splitlines() if line.startswith("python -m spacy train"))
    assert srsly.read_json(out / "labels" / "ner.json") == ["GPE", "PERSON"]
    docs = list(DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab))
    assert any("incorrect_spans" in d.spans for d in docs)
    assert any(d.cats for d in docs)
    argv = shlex.split(command) + ["--training.max_epochs", "1"]
    argv[0] = sys.executable
    result = subprocess.run(argv, env=subprocess_env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert spacy.load(out / "model" / "model-last").pipe_names == ["tok2vec", "ner", "textcat_multilabel"]


def test_spacy_config_trains_through_the_reader(training_db, tmp_path, subprocess_env, capsys):
    cfg = tmp_path / "config.cfg"
    spacy_config(cfg, ner="ner_gold,eval:ner_eval")
    text = cfg.read_text()
    assert '@readers = "mentor.Corpus.v1"' in text and "ner = [\"ner_gold\", \"eval:ner_eval\"]" in text
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "train", str(cfg), "--output", str(tmp_path / "model"), "--training.max_epochs", "2"],
        env=subprocess_env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ENTS_F" in result.stdout
    assert spacy.load(tmp_path / "model" / "model-best").pipe_names == ["tok2vec", "ner"]


def test_reader_splits_train_and_dev_without_overlap(training_db):
    from mentor.training.corpus import create_mentor_corpus

    nlp = spacy.blank("en")
    train = list(create_mentor_corpus({"ner": ["ner_gold"]}, part="train", eval_split=0.25)(nlp))
    dev = list(create_mentor_corpus({"ner": ["ner_gold"]}, part="dev", eval_split=0.25)(nlp))
    assert (len(train), len(dev)) == (45, 15)
    assert not {eg.reference.text for eg in train} & {eg.reference.text for eg in dev}
