"""Routing across tabs and silent sessions (issue 13 part 3, one process).

Two tabs of one session share its queue without getting the same task; a tab
or session that stops asking and answering lets go of its tasks after
``session_hold_seconds``; and an empty batch says how many tasks others still
hold, so a page that ran out waits instead of saying it is done.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List

import pytest

from mentor.core.controller import Controller

if TYPE_CHECKING:
    from conftest import Clock  # the clock fixture's type (tests/unit/core/conftest.py)

MakeController = Callable[..., Controller]


def make_tasks(n: int) -> List[Dict[str, Any]]:
    return [{"text": f"text {i}"} for i in range(n)]


def texts(tasks: List[Dict[str, Any]]) -> List[str]:
    return [task["text"] for task in tasks]


def answer(tasks: List[Dict[str, Any]], value: str = "accept") -> List[Dict[str, Any]]:
    return [{**task, "answer": value} for task in tasks]


@pytest.mark.parametrize("overlap", [False, True])
def test_issue13_two_tabs_of_one_session_never_get_the_same_task(make_controller: MakeController, overlap: bool) -> None:
    ctrl = make_controller(make_tasks(9), batch_size=2, feed_overlap=overlap)
    ctrl.reopen("alex", "tab-1")
    one = texts(ctrl.get_questions("alex", "tab-1").tasks)
    ctrl.reopen("alex", "tab-2")  # the second tab loads: tab-1's tasks stay tab-1's
    two = texts(ctrl.get_questions("alex", "tab-2").tasks)
    assert one == ["text 0", "text 1"] and two == ["text 2", "text 3"]
    seen = one + two
    for _ in range(4):
        for tab in ("tab-1", "tab-2"):
            seen += texts(ctrl.get_questions("alex", tab).tasks)
    assert sorted(seen) == sorted(texts(make_tasks(9)))  # every task once, none to both tabs


def test_issue13_reloading_a_tab_gets_back_only_that_tabs_tasks(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(10), batch_size=2)
    one = ctrl.get_questions("alex", "tab-1").tasks
    ctrl.get_questions("alex", "tab-2")
    ctrl.reopen("alex", "tab-1")
    assert texts(ctrl.get_questions("alex", "tab-1").tasks) == texts(one)


def test_issue13_prodigy_client_without_a_tab_id_works_as_before(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(10), batch_size=3)
    first = ctrl.get_questions("a").tasks
    ctrl.give_answers(answer(first[:1]), "a")
    ctrl.reopen("a")
    assert texts(ctrl.get_questions("a").tasks) == texts(first[1:]) + ["text 3"]


@pytest.mark.parametrize("overlap", [False, True])
def test_issue13_a_silent_tab_lets_go_after_the_hold(make_controller: MakeController, clock: Clock, overlap: bool) -> None:
    ctrl = make_controller(make_tasks(4), batch_size=2, session_hold_seconds=60, feed_overlap=overlap)
    held = texts(ctrl.get_questions("alex", "closed").tasks)
    assert texts(ctrl.get_questions("alex", "open").tasks) == ["text 2", "text 3"]
    empty = ctrl.get_questions("alex", "open")
    assert empty.tasks == [] and empty.held_elsewhere == 2
    clock.now += 59
    assert ctrl.get_questions("alex", "open").tasks == []
    clock.now += 2  # the closed tab has been silent for 61 s
    again = ctrl.get_questions("alex", "open")
    assert texts(again.tasks) == held and again.held_elsewhere == 0


def test_issue13_a_closed_session_s_tasks_go_to_another_after_the_hold(make_controller: MakeController, clock: Clock) -> None:
    ctrl = make_controller(make_tasks(4), batch_size=2, session_hold_seconds=60)
    lost = texts(ctrl.get_questions("bea").tasks)  # bea closes her tab
    mine = ctrl.get_questions("alex").tasks
    ctrl.give_answers(answer(mine), "alex")
    out = ctrl.get_questions("alex")
    assert out.tasks == [] and out.held_elsewhere == 2  # not done: bea holds two
    clock.now += 61  # well before task_timeout (300)
    out = ctrl.get_questions("alex")
    assert texts(out.tasks) == lost and out.held_elsewhere == 0
    ctrl.give_answers(answer(out.tasks), "alex")
    done = ctrl.get_questions("alex")
    assert done.tasks == [] and done.held_elsewhere == 0


def test_issue13_a_session_that_keeps_answering_or_pinging_keeps_its_tasks(make_controller: MakeController, clock: Clock) -> None:
    ctrl = make_controller(make_tasks(4), batch_size=2, session_hold_seconds=60)
    bea = ctrl.get_questions("bea", "t").tasks
    for _ in range(3):
        clock.now += 40
        ctrl.give_answers([], "bea", "t")  # the app's ping: an empty batch
        out = ctrl.get_questions("alex", "x")
        assert texts(out.tasks) in (["text 2", "text 3"], [])
    assert out.held_elsewhere == 2
    clock.now += 61
    assert texts(ctrl.get_questions("alex", "x").tasks) == texts(bea)


def test_issue13_task_timeout_still_bounds_a_live_holder(make_controller: MakeController, clock: Clock) -> None:
    ctrl = make_controller(make_tasks(2), batch_size=2, session_hold_seconds=60, task_timeout=100)
    held = ctrl.get_questions("bea").tasks
    for _ in range(3):
        clock.now += 40
        ctrl.give_answers([], "bea")
    assert texts(ctrl.get_questions("alex").tasks) == texts(held)


def test_issue13_per_task_counts_a_session_once_however_many_tabs(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(2), batch_size=2, annotations_per_task=2)
    assert texts(ctrl.get_questions("alex", "1").tasks) == ["text 0", "text 1"]
    out = ctrl.get_questions("alex", "2")
    assert out.tasks == [] and out.held_elsewhere == 2
    assert texts(ctrl.get_questions("bea").tasks) == ["text 0", "text 1"]


def test_issue13_hold_setting_reaches_the_app(make_controller: MakeController) -> None:
    ctrl = make_controller(make_tasks(1), session_hold_seconds=5)
    assert ctrl.ui_config()["session_hold_seconds"] == 5
    assert make_controller(make_tasks(1)).settings.session_hold_seconds == 60
