"""The score a finished run's model-best was chosen by, read back from what spaCy wrote."""
from __future__ import annotations

import srsly
from thinc.api import Config

from mentor.training.train import read_result, weighted_score


def test_weighted_score_is_the_main_score_spacy_chose_model_best_by():
    performance = {"ents_f": 0.5, "ents_p": 0.6, "ents_r": 0.4, "ents_per_type": {"PER": {"f": 0.5}}, "ner_loss": 9.0}
    weights = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None}
    assert weighted_score(performance, weights) == 0.5
    two = {"ents_f": 0.5, "cats_macro_auc": 0.9}
    assert weighted_score(two, {"ents_f": 0.5, "cats_macro_auc": 0.5}) == 0.7
    assert weighted_score({"ner_loss": 9.0}, weights) is None


def test_read_result_scores_model_best_by_its_config_weights(tmp_path):
    best = tmp_path / "model-best"
    best.mkdir()
    srsly.write_json(best / "meta.json", {"performance": {"ents_f": 0.25, "ents_p": 0.5, "ents_r": 0.1, "ner_loss": 3.0}})
    config = Config({"training": {"score_weights": {"ents_f": 0.5, "ents_p": 0.5, "ents_r": 0.0}}})
    config.to_disk(best / "config.cfg")
    result = read_result(tmp_path)
    assert result.final_score == 0.375 and result.scores["ents_f"] == 0.25
    assert read_result(tmp_path / "never-trained").final_score is None


def test_read_result_without_score_weights_has_no_final_score(tmp_path):
    best = tmp_path / "model-best"
    best.mkdir()
    srsly.write_json(best / "meta.json", {"performance": {"ents_f": 0.25}})
    Config({"nlp": {"lang": "en"}}).to_disk(best / "config.cfg")
    result = read_result(tmp_path)
    assert result.final_score is None and result.scores == {"ents_f": 0.25}
