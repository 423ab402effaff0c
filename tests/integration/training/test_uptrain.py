from __future__ import annotations

import srsly
import spacy

from mentor.cli.commands.train import train
from mentor.recipes.uptrain import ner_uptrain, textcat_uptrain
from mentor.training.uptrain import score_categories, score_entities


def _source(tmp_path, texts):
    path = tmp_path / "source.jsonl"
    srsly.write_jsonl(path, [{"text": t} for t in texts])
    return path


def _thresholds(scores):
    ordered = sorted(scores)
    return ordered[len(ordered) * 2 // 3], ordered[len(ordered) // 4]


def test_textcat_uptrain_routes_and_stores(training_db, tmp_path, capsys):
    train(None, tmp_path / "tc", textcat_multilabel="happy", epochs=3)
    model = tmp_path / "tc" / "model-best"
    texts = [f"I {'love this great' if i % 2 else 'hate this awful'} movie, take {i}" for i in range(12)]
    texts += [f"A film about nothing, part {i}" for i in range(6)]
    source = _source(tmp_path, texts)
    scores = [s for s, _ in score_categories(spacy.load(model), ({"text": t} for t in texts), ["HAPPY"])]
    accept_above, skip_below = _thresholds(scores)
    components = textcat_uptrain("up_tc", str(model), str(source), accept_above=accept_above, skip_below=skip_below)
    shown = list(components.stream)
    assert shown and all(skip_below <= t["score"] < accept_above for t in shown)
    assert components.view_id == "classification"
    components.on_exit(None)
    stored = list(training_db.get_dataset_examples("up_tc"))
    assert stored and all(t["meta"]["auto"] and t["answer"] == "accept" for t in stored), stored
    assert all(t["score"] >= accept_above - 1e-6 for t in stored)  # JSON keeps 10 decimals
    expected_skipped = sum(s < skip_below for s in scores)
    assert f"{len(stored)} auto-accepted (meta.auto), {len(shown)} sent to a person, {expected_skipped} skipped" in " ".join(capsys.readouterr().out.split())
    # a second run stores nothing twice
    again = textcat_uptrain("up_tc", str(model), str(source), accept_above=accept_above, skip_below=skip_below)
    list(again.stream)
    assert training_db.count_dataset("up_tc") == len(stored)


def test_ner_uptrain_prefills_and_auto_accepts(training_db, tmp_path):
    train(None, tmp_path / "ner", ner="ner_gold", epochs=4)
    model = tmp_path / "ner" / "model-best"
    texts = [f"{n} flew to {c} on day {i}." for i, (n, c) in enumerate(zip(["Alice", "Bob", "Carol", "Zed"] * 3, ["Oslo", "Rome", "Quux", "Lima"] * 3))]
    texts += ["nothing here at all", "the weather was grey"]
    scored = list(score_entities(spacy.load(model), ({"text": t} for t in texts)))
    assert all(0.0 <= s <= 1.0 for s, _ in scored)
    accept_above, skip_below = _thresholds([s for s, _ in scored])
    components = ner_uptrain("up_ner", str(model), str(_source(tmp_path, texts)), accept_above=accept_above, skip_below=skip_below)
    shown = list(components.stream)
    components.on_exit(None)
    assert components.view_id == "ner_manual"
    assert all(skip_below <= t["score"] < accept_above and "tokens" in t for t in shown)
    stored = list(training_db.get_dataset_examples("up_ner"))
    assert stored and all(t["meta"]["auto"] and t["_view_id"] == "ner_manual" for t in stored)
    # the stored auto answers train a new pipeline as complete annotations
    train(None, tmp_path / "small", ner="up_ner,eval:ner_eval", epochs=1)
    assert spacy.load(tmp_path / "small" / "model-best").pipe_names == ["tok2vec", "ner"]
