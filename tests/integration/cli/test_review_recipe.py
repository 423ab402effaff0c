"""The review recipe over a real database: its stream, auto-accept, the gold answer stored, a restart."""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from mentor.config import Settings
from mentor.core.controller import Controller
from mentor.db import Database, connect
from mentor.errors import DatasetNotFound, InputError
from mentor.recipes.review import review
from mentor.tasks import Task, set_hashes

CONFLICT = "Grace Hopper met Alan Turing in London."
AGREED = "Ada Lovelace wrote to Charles Babbage."
ALONE = "Nobody else read this one."
SKIPPED = "Everyone skipped this."

ALEX = [(0, 12, "PERSON"), (17, 28, "PERSON")]
BEA = [(0, 12, "PERSON")]
CARL = [(0, 12, "PERSON"), (32, 38, "GPE")]


def answer(text: str, session: str, spans: List[Tuple[int, int, str]], *, view: str = "ner_manual",
           answer: str = "accept", dataset: str = "news") -> Task:
    marked = [{"start": s, "end": e, "label": label} for s, e, label in spans]
    # a manual answer keeps the hashes of the task it was served as (no spans); a binary one is the question
    task = set_hashes({"text": text, "spans": [] if view == "ner_manual" else marked, "meta": {"source": "test"}})
    task["spans"] = marked
    task.update(answer=answer, _session_id=f"{dataset}-{session}", _view_id=view, _timestamp=1_700_000_000)
    return task


def spans_of(task: Dict[str, Any]) -> List[Tuple[int, int, str]]:
    return [(s["start"], s["end"], s["label"]) for s in task.get("spans", [])]


@pytest.fixture
def team_db(mentor_home: Any) -> Database:
    """'news': three sessions' ner_manual answers: a three-way conflict, an agreement, one alone, one skipped."""
    db = connect()
    db.add_dataset("news")
    db.add_examples([
        answer(CONFLICT, "alex", ALEX), answer(CONFLICT, "bea", BEA), answer(CONFLICT, "carl", CARL),
        answer(AGREED, "alex", [(0, 12, "PERSON")]), answer(AGREED, "bea", [(0, 12, "PERSON")]),
        answer(AGREED, "carl", [(0, 12, "PERSON")]),
        answer(ALONE, "alex", []),
        answer(SKIPPED, "alex", [], answer="ignore"), answer(SKIPPED, "bea", [], answer="ignore"),
    ], datasets=["news"])
    return db


def served(components: Any, home: Any) -> List[str]:
    """The texts the server asks a reviewer about: the stream less what the review dataset holds."""
    controller = Controller(components, connect(), Settings(home=home))
    texts = [task["text"] for task in controller.get_questions("rev").tasks]
    controller.close()
    return texts


def serve_and_answer(components: Any, db: Database, home: Any, pick: Dict[str, List[Tuple[int, int, str]]]) -> None:
    """Serve the review as the server would; answer each text with the given spans (accept)."""
    controller = Controller(components, db, Settings(home=home))
    controller.start()
    tasks = controller.get_questions("rev").tasks
    answers = []
    for task in tasks:
        if task["text"] in pick:
            task["spans"] = [{"start": s, "end": e, "label": label} for s, e, label in pick[task["text"]]]
            answers.append({**task, "answer": "accept"})
    controller.give_answers(answers, "rev")
    controller.close()


def test_review_stream_groups_manual_answers_into_versions(team_db: Database, capsys: Any) -> None:
    components = review("gold", "news")
    assert components.view_id == "review"
    assert components.config["review_view_id"] == "ner_manual" and components.config["review_binary"] is False
    assert components.config["exclude_by"] == "input"
    assert components.config["labels"] == ["PERSON", "GPE"]
    stream = list(components.stream)
    assert [t["text"] for t in stream] == [CONFLICT, AGREED, ALONE]  # the skipped text is left out
    conflict = stream[0]
    assert [(spans_of(v), v["sessions"], v["default"]) for v in conflict["versions"]] == [
        (ALEX, ["news-alex"], True), (BEA, ["news-bea"], False), (CARL, ["news-carl"], False),
    ]
    assert spans_of(conflict) == ALEX and conflict["_view_id"] == "ner_manual" and "answer" not in conflict
    assert [v["sessions"] for v in stream[1]["versions"]] == [["news-alex", "news-bea", "news-carl"]]
    out = " ".join(capsys.readouterr().out.split())
    assert "3 inputs, 1 with conflicting answers" in out and "0 auto-accepted, 3 to review" in out
    assert "(2 ignored answers left out)" in out


def test_review_show_skipped_reviews_ignored_answers(team_db: Database) -> None:
    stream = list(review("gold", "news", show_skipped=True).stream)
    skipped = next(t for t in stream if t["text"] == SKIPPED)
    assert [(v["answer"], v["sessions"]) for v in skipped["versions"]] == [("ignore", ["news-alex", "news-bea"])]


def test_review_auto_accept_stores_unanimous_answers_once(team_db: Database, mentor_home: Any, capsys: Any) -> None:
    components = review("gold", "news", auto_accept=True)
    assert served(components, mentor_home) == [CONFLICT, ALONE]  # one session alone is not unanimous
    stored = list(team_db.get_dataset_examples("gold"))
    assert [t["text"] for t in stored] == [AGREED]
    gold = stored[0]
    assert gold["answer"] == "accept" and gold["meta"] == {"source": "test", "auto": True}
    assert gold["_session_id"] == "gold-auto" and gold["_view_id"] == "ner_manual"
    assert gold["versions"][0]["sessions"] == ["news-alex", "news-bea", "news-carl"]
    assert "1 auto-accepted, 2 to review" in " ".join(capsys.readouterr().out.split())
    # again: nothing stored twice, and the agreed text counts as reviewed
    again = review("gold", "news", auto_accept=True)
    assert served(again, mentor_home) == [CONFLICT, ALONE]
    assert team_db.count_dataset("gold") == 1
    assert "1 already reviewed in 'gold', 0 auto-accepted" in " ".join(capsys.readouterr().out.split())


def test_review_gold_answer_is_stored_with_versions_and_not_served_again(team_db: Database, mentor_home: Any) -> None:
    components = review("gold", "news")
    serve_and_answer(components, team_db, mentor_home, {CONFLICT: BEA + [(32, 38, "GPE")]})
    stored = list(team_db.get_dataset_examples("gold"))
    assert len(stored) == 1
    gold = stored[0]
    assert gold["text"] == CONFLICT and gold["answer"] == "accept"
    assert spans_of(gold) == [(0, 12, "PERSON"), (32, 38, "GPE")]  # the reviewer's edit, none of the versions
    assert gold["_session_id"] == "gold-rev" and gold["_view_id"] == "ner_manual"
    assert [v["sessions"] for v in gold["versions"]] == [["news-alex"], ["news-bea"], ["news-carl"]]
    assert [v["default"] for v in gold["versions"]] == [True, False, False]
    # a restart reviews only what is left
    assert served(review("gold", "news"), mentor_home) == [AGREED, ALONE]


def test_review_binary_answers_grouped_by_task(mentor_home: Any) -> None:
    db = connect()
    db.add_dataset("teach")
    db.add_examples([
        answer(CONFLICT, "alex", BEA, view="ner", dataset="teach"),
        answer(CONFLICT, "bea", BEA, view="ner", answer="reject", dataset="teach"),
        answer(CONFLICT, "carl", BEA, view="ner", dataset="teach"),
        answer(CONFLICT, "alex", [(32, 38, "GPE")], view="ner", dataset="teach"),
        answer(CONFLICT, "bea", [(32, 38, "GPE")], view="ner", dataset="teach"),
    ], datasets=["teach"])
    components = review("gold", "teach", auto_accept=True)
    assert components.config["review_binary"] is True and components.config["exclude_by"] == "task"
    assert len(components.stream) == 2  # both questions; the agreed one is stored, not asked
    assert len(served(components, mentor_home)) == 1
    stream = list(components.stream)
    assert [(v["answer"], v["sessions"], v["default"]) for v in stream[0]["versions"]] == [
        ("accept", ["teach-alex", "teach-carl"], True), ("reject", ["teach-bea"], False),
    ]
    auto = list(db.get_dataset_examples("gold"))
    assert [spans_of(t) for t in auto] == [[(32, 38, "GPE")]] and auto[0]["answer"] == "accept"
    # the reviewer sides with bea: the gold answer is a reject of the PERSON question
    controller = Controller(components, db, Settings(home=mentor_home))
    task = controller.get_questions("rev").tasks[0]
    controller.give_answers([{**task, "answer": "reject"}], "rev")
    controller.close()
    gold = [t for t in db.get_dataset_examples("gold") if t["_session_id"] == "gold-rev"]
    assert len(gold) == 1 and gold[0]["answer"] == "reject" and len(gold[0]["versions"]) == 2


def test_review_merges_several_input_datasets(mentor_home: Any) -> None:
    db = connect()
    for name, spans in (("team_a", ALEX), ("team_b", BEA)):
        db.add_dataset(name)
        task = answer(CONFLICT, "x", spans)
        del task["_session_id"]  # no session: the dataset names the annotator
        db.add_examples([task], datasets=[name])
    stream = list(review("gold", "team_a,team_b").stream)
    assert [v["sessions"] for v in stream[0]["versions"]] == [["team_a"], ["team_b"]]


def test_review_view_id_when_answers_dont_say(mentor_home: Any) -> None:
    db = connect()
    db.add_dataset("old")
    tasks = [answer(CONFLICT, s, spans) for s, spans in (("a", ALEX), ("b", BEA))]
    for task in tasks:
        del task["_view_id"]
    db.add_examples(tasks, datasets=["old"])
    with pytest.raises(InputError, match="--view-id"):
        review("gold", "old")
    stream = list(review("gold", "old", view_id="ner_manual").stream)
    assert len(stream) == 1 and len(stream[0]["versions"]) == 2 and stream[0]["_view_id"] == "ner_manual"


def test_review_refuses_bad_arguments(team_db: Database) -> None:
    with pytest.raises(InputError, match="can't also be an input"):
        review("news", "news")
    with pytest.raises(DatasetNotFound):
        review("gold", "news,nope")
    team_db.add_examples([answer(ALONE, "dan", [], view="ner")], datasets=["news"])
    with pytest.raises(InputError, match="several views"):
        review("gold", "news")
    assert len(list(review("gold", "news", view_id="ner_manual").stream)) == 3
