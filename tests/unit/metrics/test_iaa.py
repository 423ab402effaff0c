"""Answers to items: who is an annotator, what is an item, what is left out and why."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from mentor.metrics import errors
from mentor.metrics.agreement import agreement, gwet_ac2, pairwise_f1
from mentor.metrics.iaa import binary_agreement, doc_agreement, span_agreement
from mentor.tasks import set_hashes

LABELS = ["BUSINESS", "SPORTS", "WORLD", "SCIENCE"]


def choice(text: str, who: Optional[str], accept: List[str], answer: str = "accept", view: str = "choice") -> Dict[str, Any]:
    task: Dict[str, Any] = {
        "text": text,
        "options": [{"id": label, "text": label} for label in LABELS],
        "accept": accept,
        "answer": answer,
        "_view_id": view,
    }
    if who:
        task["_session_id"] = f"news-{who}"
    return set_hashes(task)


def binary(text: str, who: str, label: str, answer: str) -> Dict[str, Any]:
    task = {"text": text, "label": label, "answer": answer, "_view_id": "classification", "_session_id": f"ds-{who}"}
    return set_hashes(task)


def spans(text: str, who: str, marked: List[tuple], answer: str = "accept") -> Dict[str, Any]:
    task = {
        "text": text,
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in marked],
        "answer": answer,
        "_view_id": "ner_manual",
        "_session_id": f"ner-{who}",
    }
    return set_hashes(task)


def test_iaa_doc_multiclass_groups_by_input_and_counts_what_it_left_out() -> None:
    answers = [
        choice("t1", "alex", ["SPORTS"]),
        choice("t1", "bea", ["SPORTS"]),
        choice("t1", "cai", ["WORLD"]),
        choice("t2", "alex", ["BUSINESS"]),
        choice("t2", "bea", ["WORLD"]),
        choice("t2", "bea", ["BUSINESS"]),  # bea changed her mind: the later answer counts
        choice("t3", "alex", ["SPORTS"]),  # nobody else: left out
        choice("t4", "alex", ["WORLD"]),
        choice("t4", "bea", [], answer="reject"),  # left out, so t4 has one annotator
        choice("t5", None, ["WORLD"]),  # nobody's
        choice("t6", "alex", []),  # accepted, no option
    ]
    report = doc_agreement(answers, "multiclass")
    assert report.items == 2 and report.annotators == ("news-alex", "news-bea", "news-cai")
    assert report.answers == 5
    assert report.left_out == {
        "no_annotator": 1,
        "no_choice": 1,
        "not_accepted": 1,
        "single_annotator_items": 2,
        "superseded": 1,
    }
    expected = agreement([["SPORTS", "SPORTS", "WORLD"], ["BUSINESS", "BUSINESS"]], categories=LABELS)
    assert report.overall.percent_agreement == pytest.approx(expected.percent)
    assert report.overall.krippendorff_alpha == pytest.approx(expected.alpha)
    # AC2's chance term counts all four options offered, SCIENCE too, though nobody chose it
    assert report.overall.gwet_ac2 == pytest.approx(expected.ac2)
    assert expected.ac2 != pytest.approx(gwet_ac2([["SPORTS", "SPORTS", "WORLD"], ["BUSINESS", "BUSINESS"]]))
    assert list(report.labels) == LABELS
    sports = agreement([[True, True, False], [False, False]], categories=(True, False))
    assert report.labels["SPORTS"].krippendorff_alpha == pytest.approx(sports.alpha)
    assert report.labels["SPORTS"].gwet_ac2 == pytest.approx(sports.ac2)


def test_iaa_doc_multiclass_refuses_several_choices() -> None:
    answers = [choice("t1", "alex", ["SPORTS", "WORLD"]), choice("t1", "bea", ["SPORTS"])]
    with pytest.raises(errors.NotExclusive) as err:
        doc_agreement(answers, "multiclass", source="news")
    assert err.value.code == "M145" and "multilabel" in str(err.value)


def test_iaa_doc_multilabel_asks_each_label_of_each_item() -> None:
    answers = [
        choice("t1", "alex", ["SPORTS", "WORLD"]),
        choice("t1", "bea", ["SPORTS"]),
        choice("t2", "alex", []),
        choice("t2", "bea", ["BUSINESS"]),
    ]
    report = doc_agreement(answers, "multilabel", labels=["SPORTS", "WORLD", "BUSINESS"])
    world = [[True, False], [False, False]]
    assert report.labels["WORLD"].krippendorff_alpha == pytest.approx(agreement(world, categories=(True, False)).alpha)
    assert report.labels["SPORTS"].percent_agreement == 1.0 and report.labels["BUSINESS"].percent_agreement == 0.5
    pooled = [[True, True], [False, False], [True, False], [False, False], [False, False], [False, True]]
    assert report.overall.items == 6
    assert report.overall.gwet_ac2 == pytest.approx(agreement(pooled, categories=(True, False)).ac2)
    assert "SCIENCE" not in report.labels


def test_iaa_binary_groups_by_question_and_leaves_ignores_out() -> None:
    answers = [
        binary("t1", "alex", "SPORTS", "accept"),
        binary("t1", "bea", "SPORTS", "accept"),
        binary("t1", "alex", "WORLD", "reject"),  # another question on the same text
        binary("t1", "bea", "WORLD", "accept"),
        binary("t2", "alex", "SPORTS", "reject"),
        binary("t2", "bea", "SPORTS", "ignore"),
    ]
    report = binary_agreement(answers)
    assert report.items == 2 and report.left_out == {"ignored": 1, "single_annotator_items": 1}
    assert report.overall.percent_agreement == pytest.approx(0.5)
    assert set(report.labels) == {"SPORTS", "WORLD"}
    assert report.labels["SPORTS"].percent_agreement == 1.0 and report.labels["WORLD"].percent_agreement == 0.0
    only_sports = binary_agreement(answers, labels=["SPORTS"])
    assert only_sports.items == 1 and only_sports.left_out["other_labels"] == 2


def test_iaa_binary_takes_the_label_of_a_ner_question_from_its_span() -> None:
    answers = [
        set_hashes({"text": "Apple", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": a, "_session_id": w})
        for w, a in (("x-a", "accept"), ("x-b", "reject"))
    ]
    assert list(binary_agreement(answers).labels) == ["ORG"]


def test_iaa_span_pairwise_f1_per_label_and_overall() -> None:
    answers = [
        spans("Apple hired Tim", "alex", [(0, 5, "ORG"), (12, 15, "PER")]),
        spans("Apple hired Tim", "bea", [(0, 5, "ORG"), (12, 15, "ORG")]),
        spans("Apple hired Tim", "cai", [(0, 5, "ORG")]),
        spans("Nothing here", "alex", []),
        spans("Nothing here", "bea", [(0, 7, "PER")]),
        spans("Rejected", "bea", [], answer="reject"),
    ]
    report = span_agreement(answers)
    items = [
        {"ner-alex": {(0, 5, "ORG"), (12, 15, "PER")}, "ner-bea": {(0, 5, "ORG"), (12, 15, "ORG")}, "ner-cai": {(0, 5, "ORG")}},
        {"ner-alex": set(), "ner-bea": {(0, 7, "PER")}},
    ]
    assert report.overall.f1 == pytest.approx(pairwise_f1(items).f1)
    assert report.items == 2 and report.left_out == {"not_accepted": 1}
    assert len(report.overall.pairs) == 3
    org = pairwise_f1([{who: {s for s in marked if s[2] == "ORG"} for who, marked in item.items()} for item in items])
    assert report.labels["ORG"].f1 == pytest.approx(org.f1)
    assert report.labels["PER"].f1 == pytest.approx(0.0)
    only = span_agreement(answers, annotators={"ner-alex", "ner-cai"}, labels=["ORG"])
    assert only.items == 1 and only.overall.f1 == 1.0 and list(only.labels) == ["ORG"]


@pytest.mark.parametrize(
    "answers,error,code",
    [
        ([], errors.NoAnnotators, "M140"),
        ([choice("t1", None, ["SPORTS"]), choice("t1", None, ["WORLD"])], errors.NoAnnotators, "M140"),
        ([choice("t1", "alex", ["SPORTS"]), choice("t2", "bea", ["WORLD"])], errors.NothingToCompare, "M141"),
        ([choice("t1", "alex", ["SPORTS"]), choice("t1", "bea", ["WORLD"], view="classification")], errors.MixedViews, "M144"),
    ],
)
def test_iaa_errors_say_what_is_wrong(answers: List[Dict[str, Any]], error: type, code: str) -> None:
    with pytest.raises(error) as err:
        doc_agreement(answers, "multiclass", source="news")
    assert err.value.code == code and "'news'" in str(err.value)


def test_iaa_unknown_label_names_the_known_ones() -> None:
    answers = [choice("t1", "alex", ["SPORTS"]), choice("t1", "bea", ["SPORTS"])]
    with pytest.raises(errors.UnknownLabel) as err:
        doc_agreement(answers, "multilabel", labels=["SPORT"], source="news")
    assert err.value.code == "M143" and "SPORTS" in str(err.value)


def test_iaa_doc_multiclass_labels_merge_the_others_into_one_category() -> None:
    answers = [
        choice("t1", "alex", ["SPORTS"]),
        choice("t1", "bea", ["SPORTS"]),
        choice("t2", "alex", ["WORLD"]),
        choice("t2", "bea", ["BUSINESS"]),  # both "not SPORTS": they agree on that
        choice("t3", "alex", ["SPORTS"]),
        choice("t3", "bea", ["WORLD"]),
    ]
    report = doc_agreement(answers, "multiclass", labels=["SPORTS"])
    assert report.items == 3 and report.answers == 6 and list(report.labels) == ["SPORTS"]
    assert report.overall.percent_agreement == pytest.approx(2 / 3)
    one_vs_rest = agreement([[True, True], [False, False], [True, False]], categories=(True, False))
    assert report.overall.krippendorff_alpha == pytest.approx(one_vs_rest.alpha)
    assert report.overall.gwet_ac2 == pytest.approx(one_vs_rest.ac2)
    assert doc_agreement(answers, "multiclass").overall.percent_agreement == pytest.approx(1 / 3)
