"""The controller: batching, exclusion, overlap, re-serving, idempotent answers, progress."""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Iterator, List

import pytest

from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.core.sessions import SessionNotAllowed
from mentor.db import Database
from mentor.errors import (
    AnswerNotServed,
    AnswerRejected,
    ConfigError,
    DatasetNotFound,
    InvalidAnswer,
    InvalidSessionName,
    InvalidTask,
    TooManySessions,
)



def make_tasks(n: int, prefix: str = "text") -> List[Dict[str, Any]]:
    return [{"text": f"{prefix} {i}"} for i in range(n)]


def answer(tasks: List[Dict[str, Any]], value: str = "accept") -> List[Dict[str, Any]]:
    """Copies of served tasks with an answer, as the app sends them back."""
    return [{**task, "answer": value} for task in tasks]

MakeController = Callable[..., Controller]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("mentor.core.controller.time", fake)
    return fake


def texts(tasks: List[Dict[str, Any]]) -> List[str]:
    return [task["text"] for task in tasks]


def test_controller_serves_batches_of_batch_size(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(12), batch_size=5)
    first = ctrl.get_questions("alex").tasks
    second = ctrl.get_questions("alex").tasks
    third = ctrl.get_questions("alex").tasks
    assert texts(first) == [f"text {i}" for i in range(5)]
    assert texts(second) == [f"text {i}" for i in range(5, 10)]
    assert texts(third) == ["text 10", "text 11"]
    assert ctrl.get_questions("alex").tasks == []
    assert all("_task_hash" in task and "_input_hash" in task for task in first)


def test_controller_session_ids_are_dataset_prefixed(make_controller: MakeController) -> None:
    ctrl = make_controller()
    assert ctrl.get_questions("alex").session_id == "ds-alex"
    assert ctrl.get_questions("ds-alex").session_id == "ds-alex"
    assert ctrl.get_questions(None).session_id == "ds-default"
    with pytest.raises(Exception) as excinfo:
        ctrl.get_questions("has space")
    assert excinfo.value.code == "M084"  # type: ignore[attr-defined]


def test_controller_stores_answers_in_dataset_and_session(make_controller: MakeController, sqlite_db: Database) -> None:
    ctrl = make_controller(batch_size=3)
    tasks = ctrl.get_questions("alex").tasks
    receipt = ctrl.give_answers(answer(tasks), "alex")
    assert receipt.saved == 3
    assert receipt.stats == {"accept": 3, "reject": 0, "ignore": 0, "dataset_total": 3}
    assert "ds-alex" in sqlite_db.sessions
    stored = list(sqlite_db.get_dataset_examples("ds"))
    assert [e["_session_id"] for e in stored] == ["ds-alex"] * 3
    assert [e["_annotator_id"] for e in stored] == ["ds-alex"] * 3
    assert [e["_view_id"] for e in stored] == ["classification"] * 3
    assert all(isinstance(e["_timestamp"], int) for e in stored)
    assert sqlite_db.count_dataset("ds-alex") == 3


def test_controller_restart_continues_where_it_stopped(make_controller: MakeController) -> None:
    first = make_controller(make_tasks(10), batch_size=4)
    batch = first.get_questions("alex").tasks
    first.give_answers(answer(batch[:3]), "alex")  # the fourth was sent, never answered
    restarted = make_controller(make_tasks(10), batch_size=4)
    assert texts(restarted.get_questions("alex").tasks) == ["text 3", "text 4", "text 5", "text 6"]


def test_controller_restart_with_another_session_skips_answered(make_controller: MakeController) -> None:
    first = make_controller(make_tasks(6), batch_size=3)
    first.give_answers(answer(first.get_questions("alex").tasks), "alex")
    restarted = make_controller(make_tasks(6), batch_size=3)
    assert texts(restarted.get_questions("bea").tasks) == ["text 3", "text 4", "text 5"]


def test_controller_excludes_other_datasets(make_controller: MakeController, sqlite_db: Database) -> None:
    sqlite_db.add_dataset("old")
    from mentor.tasks import set_hashes

    sqlite_db.add_examples([set_hashes({"text": "text 0", "answer": "accept"})], ["old"])
    ctrl = make_controller(make_tasks(3), components=None, batch_size=5)
    ctrl.components.exclude = ["old"]
    ctrl = Controller(ctrl.components, sqlite_db, ctrl.settings)
    assert texts(ctrl.get_questions("a").tasks) == ["text 1", "text 2"]


def test_controller_missing_exclude_dataset_is_an_error(make_controller: MakeController, sqlite_db: Database) -> None:
    comps = Components(dataset="ds", stream=make_tasks(3), view_id="text", exclude=["nope"])
    with pytest.raises(DatasetNotFound):
        make_controller(components=comps)


def test_controller_exclude_by_input_skips_same_text(make_controller: MakeController) -> None:
    tasks = [{"text": "same", "label": "A"}, {"text": "same", "label": "B"}, {"text": "other", "label": "A"}]
    ctrl = make_controller(tasks, exclude_by="input", batch_size=5)
    assert [(t["text"], t["label"]) for t in ctrl.get_questions("a").tasks] == [("same", "A"), ("other", "A")]
    by_task = make_controller([dict(t) for t in tasks], dataset="ds2", batch_size=5)
    assert len(by_task.get_questions("a").tasks) == 3


def test_controller_recipe_config_sets_exclude_by(make_controller: MakeController) -> None:
    comps = Components(
        dataset="ds",
        stream=[{"text": "same", "label": "A"}, {"text": "same", "label": "B"}],
        view_id="choice",
        config={"exclude_by": "input", "batch_size": 7},
    )
    ctrl = make_controller(components=comps)
    assert ctrl.settings.exclude_by == "input" and ctrl.batch_size == 7
    assert len(ctrl.get_questions("a").tasks) == 1
    # an explicit setting beats the recipe's config
    explicit = make_controller(components=Components(dataset="ds3", stream=[], view_id="t", config={"batch_size": 7}), batch_size=2)
    assert explicit.batch_size == 2


def test_controller_without_overlap_splits_tasks(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(8), batch_size=3)
    a = texts(ctrl.get_questions("a").tasks)
    b = texts(ctrl.get_questions("b").tasks)
    assert not set(a) & set(b)
    assert len(a) == len(b) == 3


def test_controller_with_overlap_every_session_sees_every_task(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(5), batch_size=10, feed_overlap=True)
    a = ctrl.get_questions("a").tasks
    b = ctrl.get_questions("b").tasks
    assert texts(a) == texts(b) == [f"text {i}" for i in range(5)]
    ctrl.give_answers(answer(a[:2]), "a")
    # restart: a continues after its own answers, b still sees everything
    again = make_controller(make_tasks(5), batch_size=10, feed_overlap=True)
    assert texts(again.get_questions("a").tasks) == [f"text {i}" for i in range(2, 5)]
    assert len(again.get_questions("b").tasks) == 5


def test_controller_overlap_and_annotations_per_task_conflict(make_controller: MakeController) -> None:
    with pytest.raises(ConfigError):
        make_controller(feed_overlap=True, annotations_per_task=2)


def test_controller_annotations_per_task_gives_n_distinct_sessions(make_controller: MakeController, sqlite_db: Database) -> None:
    ctrl = make_controller(make_tasks(6), batch_size=2, annotations_per_task=2)
    counts: Dict[str, set] = {}
    for _ in range(10):
        for name in ("a", "b", "c"):
            batch = ctrl.get_questions(name).tasks
            for task in batch:
                assert name not in counts.get(task["text"], set())
                counts.setdefault(task["text"], set()).add(name)
            if batch:
                ctrl.give_answers(answer(batch), name)
    assert {text: len(names) for text, names in counts.items()} == {f"text {i}": 2 for i in range(6)}
    assert sqlite_db.count_dataset("ds") == 12


def test_controller_declared_session_that_never_connects_holds_nothing(make_controller: MakeController) -> None:
    ctrl = make_controller(
        make_tasks(6), batch_size=2, annotations_per_task=2, allowed_sessions=["a", "b", "ghost"]
    )
    answered: Dict[str, int] = {}
    for _ in range(10):
        for name in ("a", "b"):
            batch = ctrl.get_questions(name).tasks
            if batch:
                ctrl.give_answers(answer(batch), name)
                for task in batch:
                    answered[task["text"]] = answered.get(task["text"], 0) + 1
    assert answered == {f"text {i}": 2 for i in range(6)}
    assert ctrl.get_questions("a").tasks == []


def test_controller_annotations_per_task_restart_keeps_counts(make_controller: MakeController) -> None:
    first = make_controller(make_tasks(2), batch_size=2, annotations_per_task=2)
    first.give_answers(answer(first.get_questions("a").tasks), "a")
    again = make_controller(make_tasks(2), batch_size=2, annotations_per_task=2)
    assert again.get_questions("a").tasks == []
    assert texts(again.get_questions("b").tasks) == ["text 0", "text 1"]


def test_controller_reserves_unanswered_tasks_after_timeout(make_controller: MakeController, clock: FakeClock) -> None:
    ctrl = make_controller(make_tasks(4), batch_size=2, task_timeout=60)
    lost = ctrl.get_questions("a").tasks  # tab closed: never answered
    assert texts(ctrl.get_questions("b").tasks) == ["text 2", "text 3"]
    assert ctrl.get_questions("b").tasks == []
    clock.now += 61
    assert texts(ctrl.get_questions("b").tasks) == texts(lost)


def test_controller_overlap_reserves_to_the_same_session_after_timeout(make_controller: MakeController, clock: FakeClock) -> None:
    ctrl = make_controller(make_tasks(3), batch_size=2, task_timeout=60, feed_overlap=True)
    first = ctrl.get_questions("a").tasks
    assert texts(ctrl.get_questions("a").tasks) == ["text 2"]
    clock.now += 61
    assert texts(ctrl.get_questions("a").tasks) == texts(first)


def test_controller_reload_gets_open_tasks_back_first(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(10), batch_size=3)
    first = ctrl.get_questions("a").tasks
    ctrl.give_answers(answer(first[:1]), "a")
    ctrl.reopen("a")  # the app was reloaded: its queue is gone
    assert texts(ctrl.get_questions("a").tasks) == texts(first[1:]) + ["text 3"]
    # without a reload, open tasks are not repeated
    assert texts(ctrl.get_questions("a").tasks) == ["text 4", "text 5", "text 6"]


def test_controller_open_tasks_are_not_given_to_others_before_timeout(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(2), batch_size=2)
    ctrl.get_questions("a")
    assert ctrl.get_questions("b").tasks == []


def test_controller_retried_batch_is_stored_and_learnt_once(make_controller: MakeController, sqlite_db: Database) -> None:
    updates: List[int] = []
    comps = Components(dataset="ds", stream=make_tasks(5), view_id="text", update=lambda a: updates.append(len(a)))
    ctrl = make_controller(components=comps, batch_size=5)
    batch = answer(ctrl.get_questions("a").tasks)
    assert ctrl.give_answers([dict(t) for t in batch], "a").saved == 5
    assert ctrl.give_answers([dict(t) for t in batch], "a").saved == 0
    assert sqlite_db.count_dataset("ds") == 5
    assert updates == [5]
    # a restarted server knows the session's stored answers too
    again = make_controller(components=Components(dataset="ds", stream=make_tasks(5), view_id="text"))
    assert again.give_answers([dict(t) for t in batch], "a").saved == 0
    assert sqlite_db.count_dataset("ds") == 5


def test_controller_duplicates_within_a_batch_are_stored_once(make_controller: MakeController, sqlite_db: Database) -> None:
    ctrl = make_controller(batch_size=1)
    task = ctrl.get_questions("a").tasks[0]
    assert ctrl.give_answers(answer([task, dict(task)]), "a").saved == 1


def test_controller_validate_answer_rejects_the_whole_batch(make_controller: MakeController, sqlite_db: Database) -> None:
    def validate(eg: Dict[str, Any]) -> None:
        if eg["text"] == "text 1":
            raise ValueError("Pick a label for this one")

    comps = Components(dataset="ds", stream=make_tasks(3), view_id="text", validate_answer=validate)
    ctrl = make_controller(components=comps, batch_size=3)
    batch = ctrl.get_questions("a").tasks
    with pytest.raises(AnswerRejected) as excinfo:
        ctrl.give_answers(answer(batch), "a")
    assert excinfo.value.message == "Pick a label for this one"
    assert excinfo.value.task_hash == batch[1]["_task_hash"]  # type: ignore[attr-defined]
    assert sqlite_db.count_dataset("ds") == 0
    assert ctrl.give_answers(answer([batch[0], batch[2]]), "a").saved == 2


def test_controller_refuses_malformed_answers(make_controller: MakeController) -> None:
    ctrl = make_controller()
    with pytest.raises(InvalidTask):
        ctrl.give_answers([{"text": "x", "answer": "maybe"}], "a")
    with pytest.raises(InvalidTask):
        ctrl.give_answers([{"text": "x", "answer": "accept", "_task_hash": "abc"}], "a")
    with pytest.raises(InvalidTask):
        ctrl.give_answers(["not a dict"], "a")  # type: ignore[list-item]


def test_controller_ignored_answers_are_stored_but_not_learnt(make_controller: MakeController, sqlite_db: Database) -> None:
    seen: List[List[str]] = []
    comps = Components(
        dataset="ds", stream=make_tasks(4), view_id="text", update=lambda a: seen.append([t["answer"] for t in a])
    )
    ctrl = make_controller(components=comps, batch_size=4)
    batch = ctrl.get_questions("a").tasks
    answers = answer(batch[:2], "accept") + answer(batch[2:3], "ignore") + answer(batch[3:], "reject")
    receipt = ctrl.give_answers(answers, "a")
    assert seen == [["accept", "accept", "reject"]]
    assert receipt.stats == {"accept": 2, "reject": 1, "ignore": 1, "dataset_total": 4}
    assert sqlite_db.count_dataset("ds") == 4
    ctrl.give_answers(answer(ctrl.get_questions("a").tasks, "ignore"), "a")
    assert len(seen) == 1


def test_controller_before_db_changes_what_is_stored_not_what_is_learnt(make_controller: MakeController, sqlite_db: Database) -> None:
    learnt: List[Dict[str, Any]] = []

    def strip(answers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        for eg in answers:
            eg.pop("secret", None)
        return answers

    comps = Components(
        dataset="ds", stream=[{"text": "a", "secret": 1}], view_id="text", before_db=strip, update=learnt.extend
    )
    ctrl = make_controller(components=comps)
    ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    assert "secret" not in next(sqlite_db.get_dataset_examples("ds"))
    assert learnt[0]["secret"] == 1


def test_controller_progress_from_answered_over_total(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(10), batch_size=5)
    questions = ctrl.get_questions("a")
    assert questions.total == 10 and questions.progress == 0.0 and questions.progress_kind == "answered"
    receipt = ctrl.give_answers(answer(questions.tasks), "a")
    assert receipt.progress == 0.5 and receipt.progress_kind == "answered"


def test_controller_progress_unknown_for_endless_stream(make_controller: MakeController) -> None:
    def endless() -> Iterator[Dict[str, Any]]:
        i = 0
        while True:
            yield {"text": f"t{i}"}
            i += 1

    ctrl = make_controller(components=Components(dataset="ds", stream=endless(), view_id="text"))
    questions = ctrl.get_questions("a")
    assert len(questions.tasks) == 10
    assert questions.total is None and questions.progress is None and questions.progress_kind is None


def test_controller_progress_is_one_when_stream_is_done(make_controller: MakeController) -> None:
    ctrl = make_controller(components=Components(dataset="ds", stream=iter(make_tasks(2)), view_id="text"))
    ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    questions = ctrl.get_questions("a")
    assert questions.tasks == [] and questions.progress == 1.0


def test_controller_progress_from_update_loss(make_controller: MakeController) -> None:
    losses = iter([10.0, 8.0, 6.0, 4.0])
    comps = Components(dataset="ds", stream=make_tasks(100), view_id="text", update=lambda a: next(losses))
    ctrl = make_controller(components=comps, batch_size=10)
    kinds = []
    for _ in range(3):
        receipt = ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
        kinds.append(receipt.progress_kind)
    # the first loss alone says nothing yet: answered/total until the line can be fitted
    assert kinds == ["answered", "loss", "loss"]
    # losses 10, 8, 6 at 10, 20, 30 answers: zero at 60 answers, 30 done
    assert receipt.progress == pytest.approx(0.5)


def test_controller_says_how_many_answers_teach_progress_waits_for(make_controller: MakeController) -> None:
    def endless() -> Iterator[Dict[str, Any]]:  # a teach sorter: no total
        i = 0
        while True:
            yield {"text": f"t{i}"}
            i += 1

    losses = iter([10.0, 8.0, 6.0])
    comps = Components(dataset="ds", stream=endless(), view_id="text", update=lambda a: next(losses))
    ctrl = make_controller(components=comps, batch_size=10)
    questions = ctrl.get_questions("a")
    assert (questions.progress, questions.progress_after) == (None, 20)  # two losses make a line
    receipt = ctrl.give_answers(answer(questions.tasks), "a")
    assert (receipt.progress, receipt.progress_after) == (None, 10)
    receipt = ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    assert receipt.progress_kind == "loss" and receipt.progress is not None and receipt.progress_after is None


def test_controller_announces_no_wait_when_update_returns_no_loss(make_controller: MakeController) -> None:
    comps = Components(dataset="ds", stream=iter(make_tasks(100)), view_id="text", update=lambda a: None)
    ctrl = make_controller(components=comps, batch_size=10)
    assert ctrl.get_questions("a").progress_after == 20
    receipt = ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    assert (receipt.progress, receipt.progress_after) == (None, None)  # ∞: no estimate will come


def test_controller_progress_from_recipe(make_controller: MakeController) -> None:
    calls: List[Any] = []

    def progress(ctrl: Controller, update_return: Any) -> float:
        calls.append(update_return)
        return 0.25

    comps = Components(dataset="ds", stream=make_tasks(5), view_id="text", progress=progress, update=lambda a: "u")
    ctrl = make_controller(components=comps)
    receipt = ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    assert (receipt.progress, receipt.progress_kind) == (0.25, "recipe")
    assert calls[-1] == "u"


def test_controller_allowed_sessions(make_controller: MakeController) -> None:
    ctrl = make_controller(allowed_sessions=["alex"])
    assert ctrl.get_questions("alex").session_id == "ds-alex"
    assert ctrl.get_questions("ds-alex").session_id == "ds-alex"
    with pytest.raises(SessionNotAllowed):
        ctrl.get_questions("mallory")
    with pytest.raises(SessionNotAllowed):
        ctrl.get_questions(None)
    with pytest.raises(SessionNotAllowed):
        ctrl.give_answers([{"text": "x", "answer": "accept"}], "mallory")


def test_controller_stats_count_this_session_and_dataset(make_controller: MakeController) -> None:
    ctrl = make_controller(batch_size=2)
    ctrl.give_answers(answer(ctrl.get_questions("a").tasks, "reject"), "a")
    receipt = ctrl.give_answers(answer(ctrl.get_questions("b").tasks), "b")
    assert receipt.stats == {"accept": 2, "reject": 0, "ignore": 0, "dataset_total": 4}
    again = make_controller()
    assert again.stats(again.get_session("a")) == {"accept": 0, "reject": 2, "ignore": 0, "dataset_total": 4}


def test_controller_without_dataset_stores_nothing(make_controller: MakeController, sqlite_db: Database) -> None:
    ctrl = make_controller(dataset=False, batch_size=2)
    receipt = ctrl.give_answers(answer(ctrl.get_questions("a").tasks), "a")
    assert receipt.saved == 2 and sqlite_db.datasets == []


def test_controller_on_load_and_on_exit_run_once(make_controller: MakeController) -> None:
    events: List[str] = []
    comps = Components(
        dataset="ds", stream=[], view_id="text", on_load=lambda c: events.append("load"), on_exit=lambda c: events.append("exit")
    )
    ctrl = make_controller(components=comps)
    ctrl.start(), ctrl.start(), ctrl.close(), ctrl.close()
    assert events == ["load", "exit"]


def test_controller_counts_what_on_load_stores(make_controller: MakeController, sqlite_db: Database) -> None:
    def store_seeds(ctrl: Controller) -> None:  # as terms.teach stores its seed terms
        sqlite_db.add_dataset("ds")
        sqlite_db.add_examples([{"text": "seed", "answer": "accept"}], datasets=["ds"])

    ctrl = make_controller(components=Components(dataset="ds", stream=[], view_id="text", on_load=store_seeds))
    ctrl.start()
    assert ctrl.stats(ctrl.get_session("a"))["dataset_total"] == 1


def test_controller_threads_never_get_the_same_task(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(400), batch_size=5)
    served: List[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while True:
            batch = ctrl.get_questions(name).tasks
            if not batch:
                return
            ctrl.give_answers(answer(batch), name)
            with lock:
                served.extend(texts(batch))

    threads = [threading.Thread(target=work, args=(f"s{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(served) == sorted(f"text {i}" for i in range(400))


def test_controller_ui_config_hides_private_settings(make_controller: MakeController) -> None:
    comps = Components(dataset="ds", stream=[], view_id="choice", config={"labels": ["A"], "choice_style": "multiple"})
    ctrl = make_controller(components=comps, basic_auth={"u": "secret"}, db_url="sqlite:///x.db", custom_theme={"a": 1})
    config = ctrl.ui_config()
    assert config["choice_style"] == "multiple" and config["labels"] == ["A"] and config["batch_size"] == 10
    assert config["custom_theme"] == {"a": 1}
    assert "basic_auth" not in config and "db_url" not in config and "secret" not in str(config)


@pytest.mark.parametrize(
    "forged",
    [
        {"answer": "accept"},  # bare
        {"text": "never served", "answer": "accept"},
        {"text": "never served", "answer": "accept", "_input_hash": 1, "_task_hash": 2},
    ],
)
def test_issue12_controller_refuses_answers_to_tasks_it_never_sent(
    make_controller: MakeController, sqlite_db: Database, forged: Dict[str, Any]
) -> None:
    ctrl = make_controller()
    ctrl.get_questions("a")
    with pytest.raises(AnswerNotServed) as excinfo:
        ctrl.give_answers([forged], "a")
    assert excinfo.value.index == 0 and excinfo.value.code == "M062"
    assert sqlite_db.count_dataset("ds") == 0


def test_issue12_controller_forged_text_on_a_served_hash_does_not_shadow_the_real_answer(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller(batch_size=1)
    task = ctrl.get_questions("a").tasks[0]
    with pytest.raises(AnswerNotServed) as excinfo:
        ctrl.give_answers([{**task, "text": "something else", "answer": "accept"}], "a")
    assert excinfo.value.task_hash == task["_task_hash"]
    assert ctrl.give_answers(answer([task]), "a").saved == 1
    (stored,) = list(sqlite_db.get_dataset_examples("ds"))
    assert stored["text"] == task["text"] and "_mentor_sig" not in stored


def test_issue12_controller_string_hash_is_refused_and_the_dataset_still_opens(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller()
    task = ctrl.get_questions("a").tasks[0]
    with pytest.raises(InvalidAnswer) as excinfo:
        ctrl.give_answers([{**task, "_task_hash": "abc", "answer": "accept"}], "a")
    assert excinfo.value.field == "_task_hash"
    assert sqlite_db.count_dataset("ds") == 0
    assert make_controller().get_questions("a").tasks  # the next start reads the dataset fine


def test_issue12_controller_one_bad_answer_names_its_task_and_the_rest_go_in_after(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller(batch_size=3)
    batch = answer(ctrl.get_questions("a").tasks)
    batch[1]["_timestamp"] = 1e300
    with pytest.raises(InvalidAnswer) as excinfo:
        ctrl.give_answers(batch, "a")
    assert (excinfo.value.field, excinfo.value.index) == ("_timestamp", 1)
    assert excinfo.value.task_hash == batch[1]["_task_hash"]
    assert sqlite_db.count_dataset("ds") == 0
    assert ctrl.give_answers([batch[0], batch[2]], "a").saved == 2


@pytest.mark.parametrize("name", ["../../etc/passwd", "a\x00b", "x" * 300, "a/b", "a:b", "a b"])
def test_issue12_controller_refuses_bad_session_names(make_controller: MakeController, name: str) -> None:
    ctrl = make_controller()
    with pytest.raises(InvalidSessionName):
        ctrl.get_questions(name)


def test_issue12_controller_sessions_are_capped_and_stored_on_first_answer(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller(max_sessions=3, batch_size=2)
    for name in ("a", "b", "c"):
        ctrl.get_questions(name)
    with pytest.raises(TooManySessions):
        ctrl.get_questions("d")
    assert ctrl.get_questions("a").session_id == "ds-a"  # names already in use go on working
    assert sqlite_db.sessions == []  # asking for tasks leaves nothing in the database
    ctrl.give_answers(answer(ctrl.get_questions("b").tasks[:1]), "b")
    assert sqlite_db.sessions == ["ds-b"] and sqlite_db.count_dataset("ds-b") == 1
    assert make_controller(allowed_sessions=["a", "b", "c", "d"], max_sessions=1).get_questions("d")
