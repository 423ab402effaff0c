"""The mentor_pattern_gate component: rules beside the model, saved with it."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language

from mentor.errors import Conflict, InputError
from mentor.models.gate import FACTORY, PatternGate, add_pattern_gate
from mentor.models.patterns import InvalidPattern

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "side-effects"
DRUGS = EXAMPLE / "drugs.jsonl"
LABEL = "SIDE_EFFECT"
NO_LISTED_DRUG = "Paracetamol gave me a headache and I felt sick."
LISTED_DRUG = "Zolvanex gave me a headache and I felt sick."


def _example_module() -> Any:
    spec = importlib.util.spec_from_file_location("side_effects_train", EXAMPLE / "train_textcat.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The worked example's textcat, trained with plain spaCy on the made-up reports."""
    path = tmp_path_factory.mktemp("side-effects") / "model"
    _example_module().train().to_disk(path)
    return path


@pytest.fixture
def trained(trained_dir: Path) -> Language:
    return spacy.load(trained_dir)


def test_gate_example_model_predicts_side_effects_without_the_list(trained: Language) -> None:
    # the premise of the example: the classifier alone reports side effects for any drug
    assert trained(NO_LISTED_DRUG).cats[LABEL] > 0.5
    assert trained(LISTED_DRUG).cats[LABEL] > 0.5
    assert trained("I picked up my zolvanex at the pharmacy today.").cats[LABEL] < 0.5


def test_gate_saved_and_reloaded_zeroes_category_without_listed_term(trained: Language, tmp_path: Path) -> None:
    before = {text: trained(text).cats[LABEL] for text in (NO_LISTED_DRUG, LISTED_DRUG)}
    add_pattern_gate(trained, DRUGS, [LABEL])
    trained.to_disk(tmp_path / "gated")
    nlp = spacy.load(tmp_path / "gated")
    assert nlp.pipe_names == ["textcat_multilabel", FACTORY]
    gone = nlp(NO_LISTED_DRUG)
    assert gone.cats[LABEL] == 0.0
    assert list(gone.spans["mentor_gate"]) == []
    assert gone.spans["mentor_gate"].attrs["gated"] == {LABEL: pytest.approx(before[NO_LISTED_DRUG])}
    kept = nlp(LISTED_DRUG)
    assert kept.cats[LABEL] == pytest.approx(before[LISTED_DRUG])
    assert [(s.text, s.label_) for s in kept.spans["mentor_gate"]] == [("Zolvanex", "DRUG")]
    assert kept.spans["mentor_gate"].attrs["gated"] == {}
    # docs through nlp.pipe are gated too
    assert [d.cats[LABEL] == 0.0 for d in nlp.pipe([NO_LISTED_DRUG, LISTED_DRUG])] == [True, False]


def test_gate_reloads_in_a_fresh_process_through_the_entry_point(trained: Language, tmp_path: Path) -> None:
    add_pattern_gate(trained, DRUGS, [LABEL])
    trained.to_disk(tmp_path / "gated")
    script = (
        "import json, sys, spacy\n"
        "assert 'mentor' not in sys.modules  # spacy.load must find the factory through the entry point\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "print(json.dumps([nlp(t).cats['SIDE_EFFECT'] for t in sys.argv[2:]]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "gated"), NO_LISTED_DRUG, LISTED_DRUG],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    no_drug, drug = json.loads(out.stdout)
    assert no_drug == 0.0 and drug > 0.5


def test_gate_bytes_round_trip(trained: Language) -> None:
    add_pattern_gate(trained, [{"label": "DRUG", "pattern": "paracetamol"}], [LABEL])
    copy = spacy.blank("en").from_config(trained.config).from_bytes(trained.to_bytes())
    gate = copy.get_pipe(FACTORY)
    assert isinstance(gate, PatternGate) and [p.pattern for p in gate.patterns] == ["paracetamol"]
    assert copy(NO_LISTED_DRUG).cats[LABEL] > 0.5
    assert copy("Tramadol left me dizzy every morning.").cats[LABEL] == 0.0


def test_gate_leaves_other_categories_alone() -> None:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel")
    for label in ("A", "B"):
        textcat.add_label(label)
    nlp.initialize()
    add_pattern_gate(nlp, [{"label": "T", "pattern": "needle"}], ["A"])
    doc = nlp("no match in this haystack")
    assert doc.cats["A"] == 0.0 and doc.cats["B"] > 0.0
    assert nlp("a needle here").cats["A"] > 0.0


def test_gate_does_not_change_what_the_model_learns(trained: Language) -> None:
    """Training the gated pipeline updates the classifier on texts the gate would zero."""
    from spacy.training import Example

    add_pattern_gate(trained, DRUGS, [LABEL])
    textcat = trained.get_pipe("textcat_multilabel")
    raw_before = textcat(trained.make_doc(NO_LISTED_DRUG)).cats[LABEL]
    example = Example.from_dict(trained.make_doc(NO_LISTED_DRUG), {"cats": {LABEL: 0.0}})
    for _ in range(5):
        trained.update([example])
    assert textcat(trained.make_doc(NO_LISTED_DRUG)).cats[LABEL] < raw_before
    assert trained(NO_LISTED_DRUG).cats[LABEL] == 0.0


def test_gate_add_patterns_twice_keeps_ids_unique() -> None:
    gate = PatternGate(spacy.blank("en"), labels=["A"])
    gate.add_patterns([{"label": "T", "pattern": "x"}])
    gate.add_patterns([{"label": "T", "pattern": "y"}, {"label": "T", "pattern": "z", "id": "zed"}])
    assert [p.id for p in gate.patterns] == [0, 1, "zed"]


def _textcat_pipeline(*labels: str) -> Language:
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel")
    for label in labels:
        textcat.add_label(label)
    return nlp


@pytest.mark.parametrize(
    "make_nlp,labels,patterns,error,message",
    [
        (lambda: spacy.blank("en"), ["A"], [{"label": "T", "pattern": "x"}], InputError, "no text classifier"),
        (lambda: _textcat_pipeline("A"), ["B"], [{"label": "T", "pattern": "x"}], InputError, "doesn't predict B"),
        (lambda: _textcat_pipeline("A"), [], [{"label": "T", "pattern": "x"}], InputError, "label"),
        (lambda: _textcat_pipeline("A"), ["A"], [], InputError, "No patterns"),
        (lambda: _textcat_pipeline("A"), ["A"], [{"label": "T"}], InvalidPattern, "patterns[0]"),
    ],
)
def test_gate_add_refuses(make_nlp, labels, patterns, error, message) -> None:
    with pytest.raises(error) as info:
        add_pattern_gate(make_nlp(), patterns, labels)
    assert message in str(info.value)


def test_gate_add_twice_is_a_conflict() -> None:
    nlp = _textcat_pipeline("A")
    add_pattern_gate(nlp, [{"label": "T", "pattern": "x"}], ["A"])
    with pytest.raises(Conflict):
        add_pattern_gate(nlp, [{"label": "T", "pattern": "x"}], ["A"])


def test_gate_model_command_saves_gated_pipeline(trained_dir: Path, tmp_path: Path, capsys) -> None:
    from mentor.cli.commands.gate_model import gate_model

    gate_model(str(trained_dir), tmp_path / "gated", patterns=DRUGS, label=LABEL)
    assert "Saved the gated pipeline" in capsys.readouterr().out
    nlp = spacy.load(tmp_path / "gated")
    assert nlp(NO_LISTED_DRUG).cats[LABEL] == 0.0
    assert nlp("After a week of ibuprofen I feel dizzy and sick.").cats[LABEL] > 0.5


def test_gate_worked_example_prints_before_and_after(trained_dir: Path, tmp_path: Path, capsys) -> None:
    """The commands of docs/patterns-and-rules.md, run on the example's own data."""
    from mentor.cli.commands.gate_model import gate_model

    gate_model(str(trained_dir), tmp_path / "gated", patterns=DRUGS, label=LABEL)
    spec = importlib.util.spec_from_file_location("side_effects_predict", EXAMPLE / "predict.py")
    assert spec is not None and spec.loader is not None
    predict = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(predict)
    capsys.readouterr()
    predict.main(str(EXAMPLE / "new.jsonl"), [str(trained_dir), str(tmp_path / "gated")])
    lines = capsys.readouterr().out.splitlines()

    def scores(text: str) -> tuple:
        (line,) = [line for line in lines if line.endswith(text)]
        model, gated = line.split()[:2]
        return float(model), float(gated)

    listed = scores("Zolvanex gave me a headache and I felt sick.")
    unlisted = [scores("Paracetamol gave me a headache and I felt sick."), scores("Tramadol left me dizzy every morning.")]
    assert listed[0] > 0.5 and listed[1] == listed[0]
    assert all(model > 0.5 and gated == 0.0 for model, gated in unlisted)


def test_gate_patterns_from_the_initialize_config() -> None:
    """A gate declared in a spaCy config gets its patterns at nlp.initialize(), as spacy train does it."""
    nlp = _textcat_pipeline("A")
    nlp.add_pipe(FACTORY, config={"labels": ["A"]})
    nlp.config["initialize"]["components"][FACTORY] = {"patterns": [{"label": "T", "pattern": "needle"}]}
    nlp.initialize()
    assert nlp("a needle").cats["A"] > 0.0
    assert nlp("only hay").cats["A"] == 0.0
