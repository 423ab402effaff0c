"""models/prediction.py: a pipeline's Docs as tasks, for mentor predict and the model-annotate recipes."""
from __future__ import annotations

import pytest
import spacy
from spacy.training import Example

from mentor.errors import NoPredictingComponent
from mentor.models.annotator import LabelsNotInModel
from mentor.models.prediction import as_prediction, pipeline_predictor, predict_tasks
from mentor.tasks import set_hashes

BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 1, "no_output_layer": False}


def _pipeline(*components: str):
    nlp = spacy.blank("en")
    gold = {}
    if "textcat" in components:
        nlp.add_pipe("textcat", config={"model": BOW})
        gold["cats"] = {"POS": 1.0, "NEG": 0.0}
    if "ner" in components:
        nlp.add_pipe("ner")
        gold["entities"] = [(0, 5, "PERSON")]
    example = Example.from_dict(nlp.make_doc("Alice is happy"), gold)
    nlp.initialize(lambda: [example])
    return nlp


def test_issue16_textcat_alone_predicts_a_choice_with_every_score() -> None:
    nlp = _pipeline("textcat")
    predictor = pipeline_predictor(nlp)
    assert (predictor.view_id, predictor.components) == ("choice", ["textcat"])
    fields = predictor.fields(nlp("Alice is happy"))
    assert [option["id"] for option in fields["options"]] == ["POS", "NEG"]
    assert len(fields["accept"]) == 1 and fields["accept"][0] == max(fields["cats"], key=fields["cats"].get)
    assert abs(sum(fields["cats"].values()) - 1.0) < 1e-5


def test_issue16_entities_and_categories_in_one_ner_manual_task() -> None:
    nlp = _pipeline("textcat", "ner")
    predictor = pipeline_predictor(nlp)
    assert (predictor.view_id, predictor.components) == ("ner_manual", ["ner", "textcat"])
    fields = predictor.fields(nlp("Alice is happy"))
    assert set(fields) == {"tokens", "spans", "cats"}
    only_pos = pipeline_predictor(nlp, ["POS"])  # one label left: a yes/no classification
    assert only_pos.view_id == "classification" and set(only_pos.fields(nlp("x"))) == {"label", "answer", "cats"}
    with pytest.raises(LabelsNotInModel):
        pipeline_predictor(nlp, ["NOPE"])
    with pytest.raises(NoPredictingComponent):
        pipeline_predictor(spacy.blank("en"))


def test_issue16_a_prediction_replaces_the_source_answer_and_keeps_the_input_hash() -> None:
    source = set_hashes({"text": "Alice is happy", "meta": {"id": 7}, "answer": "reject", "spans": [], "_session_id": "x-y"})
    prediction = as_prediction(source, {"cats": {"POS": 0.9}}, "choice")
    assert prediction["meta"] == {"id": 7} and prediction["_view_id"] == "choice"
    assert "answer" not in prediction and "_session_id" not in prediction and "spans" not in prediction
    assert prediction["_input_hash"] == source["_input_hash"] and prediction["_task_hash"] != source["_task_hash"]


def test_issue16_predict_tasks_keeps_the_order_and_each_task() -> None:
    nlp = _pipeline("textcat")
    predictor = pipeline_predictor(nlp)
    tasks = [set_hashes({"text": f"text {i}", "meta": {"i": i}}) for i in range(7)]
    out = list(predict_tasks(nlp, tasks, predictor.fields, predictor.view_id, batch_size=3))
    assert [task["meta"]["i"] for task in out] == list(range(7))
