"""`mentor train --require-patterns`: the rule is saved beside the model, not trained into it."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import spacy
import srsly

from mentor.cli.commands.train import train
from mentor.errors import InputError
from training_data import add

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "side-effects"


def test_train_saves_a_gate_that_drops_unlisted_drugs(training_db, tmp_path):
    add(training_db, "side_effects", list(srsly.read_jsonl(EXAMPLE / "reports.jsonl")))
    out = tmp_path / "gated"
    overrides = SimpleNamespace(args=["--training.max_epochs", "30"])
    train(overrides, out, textcat_multilabel="side_effects", require_patterns=EXAMPLE / "drugs.jsonl", eval_split=0.25)
    for name in ("model-best", "model-last"):
        nlp = spacy.load(out / name)
        assert nlp.pipe_names[-1] == "mentor_pattern_gate"
        unlisted = nlp("Paracetamol gave me a headache and I felt sick.")
        assert unlisted.cats["SIDE_EFFECT"] == 0.0
        assert "SIDE_EFFECT" in unlisted.spans["mentor_gate"].attrs["gated"]  # the model's own score is kept there
        listed = nlp("Zolvanex gave me a headache and I felt sick.")  # never in the training data
        assert [s.text for s in listed.spans["mentor_gate"]] == ["Zolvanex"]
        assert listed.cats["SIDE_EFFECT"] == unlisted.spans["mentor_gate"].attrs["gated"]["SIDE_EFFECT"]


def test_gate_refused_before_training(training_db, tmp_path):
    with pytest.raises(InputError, match="--textcat"):
        train(None, tmp_path / "x", ner="ner_gold", require_patterns=EXAMPLE / "drugs.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(InputError, match="No patterns"):
        train(None, tmp_path / "x", textcat_multilabel="happy", require_patterns=empty)
    with pytest.raises(InputError, match="--gate-labels SAD"):
        train(None, tmp_path / "x", textcat_multilabel="happy", require_patterns=EXAMPLE / "drugs.jsonl", gate_labels="SAD")
    assert not (tmp_path / "x").exists()
