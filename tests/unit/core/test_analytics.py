"""Annotator statistics (issue 13 part 5) on made-up answers with hand-counted figures."""
from __future__ import annotations

import random
from typing import Any, Dict, List

import pytest

from mentor.core.analytics import percentile, score_buckets, session_stats

DATASET = "news"


def binary(session: str, task: int, answer: str, **extra: Any) -> Dict[str, Any]:
    return {"text": f"text {task}", "label": "SPORTS", "_input_hash": task, "_task_hash": 100 + task,
            "answer": answer, "_session_id": f"{DATASET}-{session}", "_view_id": "classification", **extra}


def manual(session: str, text: int, spans: List[Any], answer: str = "accept") -> Dict[str, Any]:
    return {"text": f"text {text} here", "_input_hash": text, "_task_hash": 1000 + len(spans) + 7 * text,
            "spans": spans, "answer": answer, "_session_id": f"{DATASET}-{session}", "_view_id": "ner_manual"}


def by_name(report: Any) -> Dict[str, Any]:
    return {a.name: a for a in report.annotators}


def test_percentile_matches_numpy_linear() -> None:
    np = pytest.importorskip("numpy")
    rng = random.Random(7)
    for n in (1, 2, 3, 10, 57):
        values = [rng.uniform(0, 60) for _ in range(n)]
        for q in (0, 50, 90, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert percentile([], 50) is None
    assert percentile([4, 1, 3, 2], 50) == 2.5 and percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)


def test_score_buckets_cut_in_order() -> None:
    buckets = score_buckets([0.1, 0.3, 0.5, 0.7, 0.9], 2)
    assert [(b.first, b.last) for b in buckets] == [(1, 2), (3, 5)]
    assert buckets[0].mean == pytest.approx(0.2) and buckets[1].mean == pytest.approx(0.7)
    assert [(b.first, b.last, b.mean) for b in score_buckets([0.5, 1.0], 10)] == [(1, 1, 0.5), (2, 2, 1.0)]


def test_counts_mix_and_seconds_per_annotator() -> None:
    answers = [
        binary("alex", 1, "accept", _time_on_screen=2.0),
        binary("alex", 2, "reject", _time_on_screen=4.0),
        binary("alex", 3, "ignore", _time_on_screen=12.0),
        binary("alex", 4, "accept"),  # no time: counted, not timed
        binary("bea", 1, "accept", _time_on_screen=1.5),
        {"text": "x", "answer": "accept"},  # no session
    ]
    report = session_stats(answers, dataset=DATASET)
    assert report.answers == 6 and report.unattributed == 1 and report.view_id == "classification" and report.by == "task"
    alex, bea = by_name(report)["alex"], by_name(report)["bea"]
    assert (alex.answers, alex.accept, alex.reject, alex.ignore, alex.timed) == (4, 2, 1, 1, 3)
    assert alex.seconds_median == 4.0 and alex.seconds_p90 == pytest.approx(10.4)  # 4 + 0.8 * (12 - 4)
    assert (bea.answers, bea.seconds_median, bea.seconds_p90) == (1, 1.5, 1.5)
    assert alex.session_id == "news-alex" and [a.name for a in report.annotators] == ["alex", "bea"]


def test_agreement_with_the_others_majority_binary() -> None:
    # task 1: all accept; task 2: alex rejects, bea and cy accept; task 3: bea and cy tie (alex's others), alex accepts
    # task 4: only alex; task 5: alex ignores (left out)
    answers = [
        binary("alex", 1, "accept"), binary("bea", 1, "accept"), binary("cy", 1, "accept"),
        binary("alex", 2, "reject"), binary("bea", 2, "accept"), binary("cy", 2, "accept"),
        binary("alex", 3, "accept"), binary("bea", 3, "accept"), binary("cy", 3, "reject"),
        binary("alex", 4, "accept"),
        binary("alex", 5, "ignore"), binary("bea", 5, "accept"), binary("cy", 5, "accept"),
    ]
    people = by_name(session_stats(answers, dataset=DATASET))
    # alex: task 1 match, task 2 miss, task 3 tie (left out) -> 1/2
    assert (people["alex"].agreement, people["alex"].agreement_items) == (0.5, 2)
    # bea: t1 match (2 of 2 accept), t2 others alex=reject cy=accept tie -> out, t3 others alex=acc cy=rej tie -> out,
    # t5 only cy -> match: 2/2
    assert (people["bea"].agreement, people["bea"].agreement_items) == (1.0, 2)
    # cy: t1 match, t2 tie out, t3 others alex=accept bea=accept -> miss, t5 match -> 2/3
    assert people["cy"].agreement == pytest.approx(2 / 3) and people["cy"].agreement_items == 3


def test_a_repeated_answer_counts_once_the_later() -> None:
    answers = [binary("alex", 1, "reject"), binary("bea", 1, "accept"), binary("alex", 1, "accept")]
    people = by_name(session_stats(answers, dataset=DATASET))
    assert (people["alex"].agreement, people["alex"].agreement_items) == (1.0, 1)
    assert people["alex"].answers == 2  # both stored answers are counted as answers


def test_manual_answers_compare_by_input_and_spans() -> None:
    person = {"start": 0, "end": 4, "label": "PERSON"}
    place = {"start": 0, "end": 4, "label": "GPE"}
    answers = [manual("alex", 1, [person]), manual("bea", 1, [dict(person)]), manual("cy", 1, [place]),
               manual("dan", 1, [person]), manual("alex", 2, []), manual("bea", 2, [person])]
    report = session_stats(answers, dataset=DATASET)
    people = by_name(report)
    assert report.by == "input" and report.view_id == "ner_manual"
    assert (people["alex"].agreement, people["alex"].agreement_items) == (0.5, 2)  # text 1 matches, text 2 doesn't
    assert (people["cy"].agreement, people["dan"].agreement) == (0.0, 1.0)
    # grouped by task hash (a binary view), text 2's two answers are two questions: nothing to compare
    assert by_name(session_stats(answers, dataset=DATASET, view_id="ner"))["alex"].agreement_items == 1


def test_agreement_with_the_reviewed_gold() -> None:
    person = {"start": 0, "end": 4, "label": "PERSON"}
    place = {"start": 0, "end": 4, "label": "GPE"}
    answers = [manual("alex", 1, [person]), manual("bea", 1, [place]), manual("alex", 2, [person]), manual("bea", 2, [person])]
    gold = [
        {"text": "text 1 here", "spans": [person], "answer": "accept",
         "versions": [{"spans": [person], "answer": "accept", "sessions": ["news-alex"]},
                      {"spans": [place], "answer": "accept", "sessions": ["news-bea"]}]},
        {"text": "text 2 here", "spans": [place], "answer": "accept",  # the reviewer edited: nobody had it
         "versions": [{"spans": [person], "answer": "accept", "sessions": ["news-alex", "news-bea"]}]},
        {"text": "text 3 here", "answer": "ignore", "versions": [{"answer": "accept", "sessions": ["news-alex"]}]},
        {"text": "no versions", "answer": "accept"},
    ]
    report = session_stats(answers, dataset=DATASET, gold=gold, gold_name="news_gold")
    people = by_name(report)
    assert report.gold == "news_gold" and report.gold_answers == 2
    assert (people["alex"].gold_agreement, people["alex"].gold_items) == (0.5, 2)
    assert (people["bea"].gold_agreement, people["bea"].gold_items) == (0.0, 2)
    assert session_stats(answers, dataset=DATASET).annotators[0].gold_agreement is None


def test_model_score_over_time_for_teach_answers() -> None:
    answers = [binary("alex", i, "accept", meta={"score": s}) for i, s in enumerate([0.9, 0.7, 0.5, 0.3])]
    answers += [binary("bea", 9, "reject", meta={"score": 0.2}), binary("bea", 10, "reject", meta={"source": "x"})]
    report = session_stats(answers, dataset=DATASET, buckets=2)
    people = by_name(report)
    assert [(b.first, b.last, round(b.mean, 6)) for b in people["alex"].scores] == [(1, 2, 0.8), (3, 4, 0.4)]
    assert [(b.first, b.last, b.mean) for b in people["bea"].scores] == [(1, 1, 0.2)]
    assert [(b.first, b.last, round(b.mean, 6)) for b in report.scores] == [(1, 2, 0.8), (3, 5, round(1.0 / 3, 6))]
    assert session_stats([binary("alex", 1, "accept")], dataset=DATASET).scores == []


def test_report_is_json_ready() -> None:
    import json

    report = session_stats([binary("alex", 1, "accept", _time_on_screen=3)], dataset=DATASET)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["annotators"][0]["seconds_median"] == 3.0 and data["dataset"] == DATASET
