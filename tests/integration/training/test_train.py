from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest
import spacy

from mentor.cli.commands.train import train
from mentor.errors import DatasetNotFound
from mentor.training.errors import NoLabels, NoUsableExamples
from training_data import add, textcat_answers


def test_train_writes_loadable_model_best(training_db, tmp_path, capsys):
    out = tmp_path / "out"
    train(None, out, ner="ner_gold,eval:ner_eval", epochs=4, label_stats=True)
    printed = capsys.readouterr().out
    assert "Training data" in printed and "60 manual" in printed
    assert "15 (eval datasets: ner_eval)" in printed
    assert "Per-label scores" in printed
    for name in ("model-best", "model-last", "config.cfg"):
        assert (out / name).exists()
    nlp = spacy.load(out / "model-best")
    assert nlp.pipe_names == ["tok2vec", "ner"]
    doc = nlp("Carol flew to Oslo on day 99.")
    assert {e.label_ for e in doc.ents} <= {"PERSON", "GPE"}


def test_train_several_components_and_binary_answers(training_db, tmp_path, capsys):
    out = tmp_path / "out"
    train(SimpleNamespace(args=["--training.max_epochs", "2"]), out, ner="ner_binary", textcat_multilabel="happy")
    printed = capsys.readouterr().out
    assert "60 binary" in printed
    config = (out / "config.cfg").read_text()
    assert 'incorrect_spans_key = "incorrect_spans"' in config
    assert "max_epochs = 2" in config
    nlp = spacy.load(out / "model-best")
    assert set(nlp.pipe_names) == {"tok2vec", "ner", "textcat_multilabel"}
    assert "HAPPY" in nlp("I love this").cats


def test_train_errors(training_db, tmp_path):
    with pytest.raises(DatasetNotFound):
        train(None, tmp_path / "x", ner="nope")
    with pytest.raises(NoLabels):  # one label in an exclusive textcat
        train(None, tmp_path / "x", textcat="happy")
    add(training_db, "ignored", [dict(t, answer="ignore") for t in textcat_answers(5, seed=3)])
    with pytest.raises(NoUsableExamples, match="5 ignored"):
        train(None, tmp_path / "x", textcat_multilabel="ignored")


def test_train_through_the_cli(training_db, tmp_path, subprocess_env):
    out = tmp_path / "cli-out"
    result = subprocess.run(
        [sys.executable, "-m", "mentor", "train", str(out), "--ner", "ner_gold", "--training.max_epochs", "2", "--seed", "1"],
        env=subprocess_env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "ENTS_F" in result.stdout  # spaCy's own table
    assert spacy.load(out / "model-best")("Bob flew to Rome.")
    missing = subprocess.run(
        [sys.executable, "-m", "mentor", "train", str(out), "--ner", "nope"],
        env=subprocess_env, capture_output=True, text=True, timeout=300,
    )
    assert missing.returncode == 1 and "Dataset 'nope' doesn't exist" in missing.stdout + missing.stderr


def test_train_help_explains_epochs_and_batch_size(subprocess_env):
    env = dict(subprocess_env, COLUMNS="400")
    result = subprocess.run([sys.executable, "-m", "mentor", "train", "--help"], env=env, capture_output=True, text=True, timeout=120)
    text = " ".join(result.stdout.split())
    assert "one pass over every training example" in text
    assert "Examples per update" in text and "--n-iter" in text


def test_train_on_a_base_pipeline_keeps_its_components(training_db, tmp_path):
    train(None, tmp_path / "base", ner="ner_gold", epochs=2)
    train(None, tmp_path / "more", textcat_multilabel="happy", base_model=str(tmp_path / "base" / "model-best"), epochs=2)
    config = (tmp_path / "more" / "config.cfg").read_text()
    assert "source = " in config and 'frozen_components = ["tok2vec","ner"]' in config.replace(", ", ",")
    nlp = spacy.load(tmp_path / "more" / "model-best")
    assert nlp.pipe_names == ["tok2vec", "ner", "textcat_multilabel"]
    before = spacy.load(tmp_path / "base" / "model-best")
    text = "Carol flew to Oslo on day 3."
    assert [(e.text, e.label_) for e in nlp(text).ents] == [(e.text, e.label_) for e in before(text).ents]


def test_train_spancat_suggests_long_enough_spans(training_db, tmp_path):
    from mentor.tasks import set_hashes

    tasks = []
    for i in range(20):
        text = f"We met at the New York Stock Exchange on day {i}."
        start = text.index("the New")
        end = text.index(" on day")
        tasks.append(set_hashes({"text": text, "spans": [{"start": start, "end": end, "label": "VENUE"}, {"start": start + 4, "end": start + 12, "label": "CITY"}], "answer": "accept", "_view_id": "spans_manual"}))
    add(training_db, "venues", tasks)
    train(None, tmp_path / "sc", spancat="venues", epochs=1)
    config = (tmp_path / "sc" / "config.cfg").read_text()
    assert "sizes=[1,2,3,4,5]" in config.replace(" ", "")
    nlp = spacy.load(tmp_path / "sc" / "model-best")
    assert "spancat" in nlp.pipe_names and "sc" in nlp("We met at the Chicago Board on day 3.").spans


def test_train_refuses_a_bad_eval_split(training_db, tmp_path):
    from mentor.errors import InputError

    with pytest.raises(InputError, match="--eval-split"):
        train(None, tmp_path / "x", ner="ner_gold", eval_split=1.5)


def test_train_stops_cleanly_on_ctrl_c(training_db, tmp_path, subprocess_env):
    import signal
    import time

    out = tmp_path / "interrupted"
    process = subprocess.Popen(
        [sys.executable, "-m", "mentor", "train", str(out), "--ner", "ner_gold", "--epochs", "10000"],
        env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.time() + 120
        while not (out / "model-best").exists() and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, output
    assert "Training interrupted" in output and "Traceback" not in output
    assert spacy.load(out / "model-last").pipe_names == ["tok2vec", "ner"]


def test_train_with_a_users_config(training_db, tmp_path):
    from spacy.cli.init_config import init_config

    path = tmp_path / "mine.cfg"
    config = init_config(lang="en", pipeline=["ner"])
    config["components"]["tok2vec"]["model"]["encode"]["width"] = 64  # a choice of the user's
    config.to_disk(path)
    train(None, tmp_path / "out", ner="ner_gold", config=path, epochs=1)
    written = (tmp_path / "out" / "config.cfg").read_text()
    assert "width = 64" in written and '@readers = "mentor.Corpus.v1"' in written
    assert spacy.load(tmp_path / "out" / "model-best").pipe_names == ["tok2vec", "ner"]
