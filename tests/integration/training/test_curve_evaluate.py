from __future__ import annotations

from types import SimpleNamespace

import spacy

from mentor.cli.commands import train_curve as curve_cli
from mentor.cli.commands.evaluate import evaluate
from mentor.training.curve import CurveStep
from training_data import add


def test_train_curve_prints_table_and_advice(training_db, capfd):
    curve_cli.train_curve(SimpleNamespace(args=["--training.max_epochs", "2"]), ner="ner_gold", n_samples=2, show_plot=True)
    captured = capfd.readouterr()  # plotext writes to the terminal's file descriptor
    printed = captured.out
    assert "50%" in printed and "100%" in printed
    assert "more data" in printed + captured.err  # the advice is a warning (stderr) when the curve is flat
    assert "Score by % of the training data" in printed  # the plot


def test_train_curve_marks_rise_and_fall(training_db, capsys, monkeypatch):
    scores = iter([0.5, 0.7, 0.6, 0.8])

    def fake_curve(config, components, counts, root, **kwargs):
        for fraction in (0.25, 0.5, 0.75, 1.0):
            yield CurveStep(fraction, {"ner": 10}, {"ner": next(scores)})

    monkeypatch.setattr("mentor.training.curve.train_curve", fake_curve)
    curve_cli.train_curve(None, ner="ner_gold")
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines if line[:1].isdigit()}
    assert "0.70 ▲" in rows["50%"] and "0.60 ▼" in rows["75%"] and "0.80 ▲" in rows["100%"]
    assert any(curve_cli.MORE_DATA_HELPS in line for line in lines)


def test_evaluate_known_case(training_db, tmp_path, capsys):
    # a rule-based "model": predictions are known in advance
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Alice"}, {"label": "PERSON", "pattern": "Paris"}])
    nlp.to_disk(tmp_path / "rules")
    texts = ["Alice saw Paris.", "Bob saw Paris."]
    tasks = [
        {"text": texts[0], "spans": [{"start": 0, "end": 5, "label": "PERSON"}, {"start": 10, "end": 15, "label": "GPE"}], "answer": "accept", "_view_id": "ner_manual"},
        {"text": texts[1], "spans": [{"start": 0, "end": 3, "label": "PERSON"}], "answer": "accept", "_view_id": "ner_manual"},
    ]
    add(training_db, "gold", tasks)
    evaluate(str(tmp_path / "rules"), ner="gold")
    printed = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in printed.splitlines() if line.strip()}
    # PERSON: Alice right, two "Paris" wrong, Bob missed -> P 1/3, R 1/2; GPE missed
    assert rows["PERSON"] == ["33.33", "50.00", "40.00", "2"]
    assert rows["GPE"] == ["0.00", "0.00", "0.00", "1"]
    assert rows["(micro)"] == ["33.33", "33.33", "33.33", "3"]


def test_evaluate_binary_textcat_with_one_label(training_db, tmp_path, capsys):
    from mentor.cli.commands.train import train

    train(None, tmp_path / "tc", textcat_multilabel="happy", epochs=2)
    evaluate(str(tmp_path / "tc" / "model-best"), textcat_multilabel="happy")
    printed = capsys.readouterr().out
    assert "HAPPY" in printed and "Confusion per label" in printed and "Accuracy" in printed
