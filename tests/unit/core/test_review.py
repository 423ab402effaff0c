"""Review grouping: binary answers by task, manual ones by input, versions, the default, auto-accept."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from mentor.core.keys import DIGEST_FIELD, format_digest
from mentor.core.review import (
    ReviewCounts,
    collect_labels,
    group_answers,
    infer_view_id,
    is_manual,
    is_multiple_choice,
    version_key,
)
from mentor.tasks import Task, input_digest, set_hashes

TEXT = "Grace Hopper met Alan Turing in London."


def manual(session: str, spans: List[Tuple[int, int, str]], *, answer: str = "accept", text: str = TEXT) -> Task:
    """A ner_manual answer as the server stores it: the served task's hashes, the edited spans."""
    task = set_hashes({"text": text, "spans": []})
    task["spans"] = [{"start": s, "end": e, "label": label, "token_start": 0, "token_end": 1} for s, e, label in spans]
    task.update(answer=answer, _session_id=f"news-{session}", _view_id="ner_manual")
    return task


def binary(session: str, answer: str, *, label: str = "PERSON", text: str = TEXT) -> Task:
    task = set_hashes({"text": text, "spans": [{"start": 0, "end": 12, "label": label}]})
    task.update(answer=answer, _session_id=f"news-{session}", _view_id="ner")
    return task


def pairs(answers: List[Task], dataset: str = "news") -> List[Tuple[str, Task]]:
    return [(dataset, a) for a in answers]


def spans_of(record: Dict[str, Any]) -> List[Tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in record.get("spans", [])]


ALEX = [(0, 12, "PERSON"), (17, 28, "PERSON")]
BEA = [(0, 12, "PERSON")]
CARL = [(0, 12, "PERSON"), (32, 38, "GPE")]


def test_review_manual_three_way_conflict_is_one_group_of_three_versions() -> None:
    groups = group_answers(pairs([manual("alex", ALEX), manual("bea", BEA), manual("carl", CARL)]), manual=True)
    assert len(groups) == 1
    group = groups[0]
    assert group.conflict and not group.unanimous
    assert [v.sessions for v in group.versions] == [["news-alex"], ["news-bea"], ["news-carl"]]
    task = group.task("ner_manual")
    # a tie: the first seen is the default, and the task holds its spans
    assert [v["default"] for v in task["versions"]] == [True, False, False]
    assert spans_of(task) == ALEX
    assert [spans_of(v) for v in task["versions"]] == [ALEX, BEA, CARL]
    assert task["_view_id"] == "ner_manual"
    for key in ("answer", "_session_id", "_annotator_id", "_timestamp", DIGEST_FIELD):
        assert key not in task


def test_review_manual_most_common_version_is_default() -> None:
    answers = [manual("alex", ALEX), manual("bea", BEA), manual("carl", BEA), manual("dan", CARL)]
    task = group_answers(pairs(answers), manual=True)[0].task("ner_manual")
    assert [(spans_of(v), v["sessions"], v["default"]) for v in task["versions"]] == [
        (BEA, ["news-bea", "news-carl"], True),
        (ALEX, ["news-alex"], False),
        (CARL, ["news-dan"], False),
    ]
    assert spans_of(task) == BEA


def test_review_version_ignores_span_order_token_indices_and_scores() -> None:
    a = manual("alex", ALEX)
    b = manual("bea", list(reversed(ALEX)))
    for span in b["spans"]:
        span.update(token_start=9, token_end=9, score=0.5)
    assert version_key(a) == version_key(b)
    groups = group_answers(pairs([a, b]), manual=True)
    assert len(groups[0].versions) == 1 and groups[0].unanimous


@pytest.mark.parametrize("field, first, second, same", [
    ("accept", ["A", "B"], ["B", "A"], True),
    ("accept", ["A"], ["A", "B"], False),
    ("answer", "accept", "reject", False),
    ("spans", [{"start": 0, "end": 5, "label": "X"}], [{"start": 0, "end": 5, "label": "Y"}], False),
    ("spans", [], None, True),
])
def test_review_version_key_compares_annotation_fields(field: str, first: Any, second: Any, same: bool) -> None:
    a: Task = {"text": "t", "answer": "accept", field: first}
    b: Task = {"text": "t", "answer": "accept", field: second}
    assert (version_key(a) == version_key(b)) is same


def test_review_image_spans_compare_by_shape() -> None:
    rect = {"label": "CAT", "type": "rect", "points": [[0, 0], [10, 0], [10, 10], [0, 10]], "x": 0, "y": 0, "width": 10, "height": 10}
    moved = {**rect, "x": 5, "points": [[5, 0], [15, 0], [15, 10], [5, 10]]}
    a: Task = {"image": "x.png", "answer": "accept", "spans": [rect]}
    assert version_key(a) == version_key({**a, "spans": [dict(rect, color="red")]})
    assert version_key(a) != version_key({**a, "spans": [moved]})


def test_review_binary_groups_by_task_and_conflicts_on_answers() -> None:
    answers = [
        binary("alex", "accept"), binary("bea", "reject"), binary("carl", "accept"),
        binary("alex", "accept", label="ORG"), binary("bea", "accept", label="ORG"),
    ]
    groups = group_answers(pairs(answers), manual=False)
    assert len(groups) == 2  # one text, two questions (PERSON?, ORG?)
    person, org = groups
    assert person.conflict and [(v.answer["answer"], v.sessions) for v in person.versions] == [
        ("accept", ["news-alex", "news-carl"]), ("reject", ["news-bea"]),
    ]
    assert org.unanimous and not org.conflict
    task = person.task("ner")
    assert [(v["answer"], v["default"]) for v in task["versions"]] == [("accept", True), ("reject", False)]
    assert task["spans"] == [{"start": 0, "end": 12, "label": "PERSON"}]


def test_review_manual_groups_by_input_across_task_hashes() -> None:
    # choice answers: the same text asked with the same options, picks differ; hashes don't split them
    base = set_hashes({"text": "Is this spam?", "options": [{"id": "SPAM"}, {"id": "HAM"}]})
    answers = [{**base, "accept": ["SPAM"], "answer": "accept", "_session_id": f"s-{n}"} for n in ("a", "b")]
    answers.append({**base, "accept": ["HAM"], "answer": "accept", "_session_id": "s-c", "_task_hash": 12345})
    groups = group_answers(pairs(answers), manual=True)
    assert len(groups) == 1 and [len(v.sessions) for v in groups[0].versions] == [2, 1]
    assert not is_multiple_choice(groups)
    assert len(group_answers(pairs(answers), manual=False)) == 2  # binary: by task hash


def test_review_ignored_answers_left_out_unless_show_skipped() -> None:
    answers = [manual("alex", ALEX), manual("bea", ALEX), manual("carl", [], answer="ignore")]
    counts = ReviewCounts()
    groups = group_answers(pairs(answers), manual=True, counts=counts)
    assert groups[0].unanimous and counts.ignored == 1 and counts.used == 2
    shown = group_answers(pairs(answers), manual=True, show_skipped=True)
    assert [(v.answer["answer"], v.sessions) for v in shown[0].versions] == [
        ("accept", ["news-alex", "news-bea"]), ("ignore", ["news-carl"]),
    ]


def test_review_rejected_manual_answer_is_a_version_of_its_own() -> None:
    groups = group_answers(pairs([manual("alex", BEA), manual("bea", BEA, answer="reject")]), manual=True)
    assert [v.answer["answer"] for v in groups[0].versions] == ["accept", "reject"]


def test_review_session_counts_once_per_version() -> None:
    # the same answer read from the dataset and from its session dataset
    answer = manual("alex", ALEX)
    groups = group_answers([("news", answer), ("news-alex", dict(answer)), ("news", manual("bea", ALEX))], manual=True)
    assert groups[0].versions[0].sessions == ["news-alex", "news-bea"]


def test_review_annotator_falls_back_to_dataset_name() -> None:
    a, b = manual("x", ALEX), manual("y", ALEX)
    del a["_session_id"], b["_session_id"]
    groups = group_answers([("team_a", a), ("team_b", b)], manual=True)
    assert groups[0].versions[0].sessions == ["team_a", "team_b"] and groups[0].unanimous


def test_review_single_annotator_is_not_unanimous() -> None:
    groups = group_answers(pairs([manual("alex", ALEX)]), manual=True)
    assert not groups[0].unanimous and not groups[0].conflict


def test_review_colliding_hashes_stay_apart() -> None:
    # two texts sharing a 32-bit input hash (forced here) are two groups: the input digest tells them apart
    a, b = manual("alex", BEA), manual("bea", BEA, text="Another text entirely.")
    b["_input_hash"], b["_task_hash"] = a["_input_hash"], a["_task_hash"]
    assert len(group_answers(pairs([a, b]), manual=True)) == 2
    # the digest the server stored wins over the (stripped) input
    c = manual("carl", BEA)
    c[DIGEST_FIELD] = format_digest(input_digest(a))
    del c["text"]
    assert len(group_answers(pairs([a, c]), manual=True)) == 1


def test_review_answers_without_hashes_or_answer() -> None:
    counts = ReviewCounts()
    answers: List[Task] = [
        {"text": "no hashes", "answer": "accept", "_session_id": "s-a"},
        {"text": "no hashes", "answer": "accept", "_session_id": "s-b"},
        {"text": "not answered", "_session_id": "s-a"},
    ]
    groups = group_answers(pairs(answers), manual=True, counts=counts)
    assert len(groups) == 1 and groups[0].unanimous and counts.unanswered == 1


def test_review_auto_answer_is_the_agreed_version_marked_auto() -> None:
    group = group_answers(pairs([binary("alex", "reject"), binary("bea", "reject")]), manual=False)[0]
    gold = group.auto_answer("ner", "gold")
    assert gold["answer"] == "reject"  # the agreed answer, not a forced accept
    assert gold["meta"]["auto"] is True
    assert gold["_session_id"] == "gold-auto" and gold["_view_id"] == "ner"
    assert gold["versions"] == [{"spans": [{"start": 0, "end": 12, "label": "PERSON"}], "answer": "reject",
                                 "_task_hash": gold["_task_hash"], "sessions": ["news-alex", "news-bea"],
                                 "default": True}]
    assert list(gold)[-1] == DIGEST_FIELD and gold[DIGEST_FIELD] == format_digest(input_digest(gold))


@pytest.mark.parametrize("view_ids, default, expected", [
    (["ner_manual", "ner_manual", None], None, ("ner_manual", ["ner_manual"])),
    ([None, None], None, (None, [])),
    ([None], "choice", ("choice", [])),
    (["ner", "ner_manual"], None, (None, ["ner", "ner_manual"])),
    (["ner", "ner_manual"], "ner_manual", ("ner_manual", ["ner", "ner_manual"])),
])
def test_review_infer_view_id(view_ids: List[Optional[str]], default: Optional[str], expected: Any) -> None:
    assert infer_view_id(view_ids, default) == expected


def test_review_manual_and_binary_views() -> None:
    assert all(is_manual(v) for v in ("ner_manual", "spans_manual", "choice", "image_manual", "text_input"))
    assert not any(is_manual(v) for v in ("ner", "spans", "classification", "text", "html", "image"))


def test_review_collect_labels_in_order_seen() -> None:
    groups = group_answers(pairs([manual("alex", CARL), manual("bea", [(0, 5, "ORG"), (6, 12, "ORG")])]), manual=True)
    assert collect_labels(groups) == ["PERSON", "GPE", "ORG"]
