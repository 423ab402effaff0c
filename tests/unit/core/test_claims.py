"""Two server processes on one database share a dataset through claims (issue 13 part 3).

Two controllers with different ``claim_owner``s on one SQLite file stand for
two processes (tests/integration/server/test_shared_dataset.py runs real ones
on PostgreSQL and MariaDB): each task goes to one of them, a claim whose lease
ran out goes to the other, and an answer stored through one is never served
by the other.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from mentor.core.sessions import StorageUnavailable
from mentor.core.controller import Controller
from mentor.db import Database
from mentor.db.tables import claim as claim_table
from support.services import create_temp_database

if TYPE_CHECKING:
    from conftest import Clock  # the clock fixture's type

MakeController = Callable[..., Controller]


def texts(tasks: List[Dict[str, Any]]) -> List[str]:
    return [task["text"] for task in tasks]


def answer(tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{**task, "answer": "accept"} for task in tasks]


def pair(make_controller: MakeController, n: int, **settings: Any) -> List[Controller]:
    tasks = [{"text": f"text {i}"} for i in range(n)]
    return [make_controller(list(tasks), claim_owner=owner, **settings) for owner in ("host:1", "host:2")]


def drain(ctrl: Controller, name: str) -> List[str]:
    """Ask and answer until a batch comes back empty; the texts answered."""
    done: List[str] = []
    while True:
        batch = ctrl.get_questions(name).tasks
        if not batch:
            return done
        done += texts(batch)
        ctrl.give_answers(answer(batch), name)


def test_issue13_two_processes_never_serve_the_same_task(make_controller: MakeController, clock: Clock) -> None:
    one, two = pair(make_controller, 53, batch_size=2)
    served: List[str] = []
    for _ in range(20):
        for ctrl, name in ((one, "alex"), (two, "bea")):
            batch = ctrl.get_questions(name).tasks
            served += texts(batch)
            ctrl.give_answers(answer(batch), name)
    assert sorted(served) == sorted(f"text {i}" for i in range(53))  # each once, whichever process
    assert served[2:4] == ["text 10", "text 11"]  # each claims five batches at a time: both worked
    clock.now += 3  # a tab that ran out learns from the claims that the other server answered the rest
    for ctrl, name in ((one, "alex"), (two, "bea")):
        out = ctrl.get_questions(name)
        assert out.tasks == [] and out.held_elsewhere == 0
    assert one.db is not None and one.db.count_dataset("ds") == 53


def test_issue13_a_lease_that_runs_out_hands_the_task_to_the_other_process(
    make_controller: MakeController, clock: Clock
) -> None:
    one, two = pair(make_controller, 24, batch_size=2, session_hold_seconds=60)
    assert texts(one.get_questions("alex").tasks) == ["text 0", "text 1"]  # claims 0-9; then its tab goes quiet
    assert sorted(drain(two, "bea")) == sorted(f"text {i}" for i in range(10, 24))
    out = two.get_questions("bea")
    assert out.tasks == [] and out.held_elsewhere == 10  # waits: the other server holds ten
    clock.now += 59
    assert two.get_questions("bea").tasks == []
    clock.now += 2  # the lease (session_hold_seconds) has run out: nobody renewed it
    assert sorted(drain(two, "bea")) == sorted(f"text {i}" for i in range(10))
    # alex's server serves nothing more, and knows the work is done once it looks
    clock.now += 61
    done = one.get_questions("alex")
    assert done.tasks == [] and done.held_elsewhere == 0


def test_issue13_an_answer_stored_through_one_process_is_never_served_by_the_other(
    make_controller: MakeController, clock: Clock
) -> None:
    one, two = pair(make_controller, 2, batch_size=2, claim_lease_seconds=5)
    batch = one.get_questions("alex").tasks
    one.give_answers(answer(batch), "alex")  # stored; the claims stay until their lease ends
    clock.now += 10  # long past the lease, as after a kill -9 right after the answer
    out = two.get_questions("bea")
    assert out.tasks == [] and out.held_elsewhere == 0


def test_issue13_a_restarted_server_with_a_fixed_claim_owner_gets_its_claims_back(make_controller: MakeController) -> None:
    tasks = [{"text": f"text {i}"} for i in range(4)]
    first = make_controller(list(tasks), batch_size=2, claim_owner="host:1")
    held = texts(first.get_questions("alex").tasks)
    again = make_controller(list(tasks), batch_size=2, claim_owner="host:1")  # same address, new process
    assert texts(again.get_questions("alex").tasks) == held


def test_issue13_a_second_process_is_told_at_start(make_controller: MakeController) -> None:
    one, two = pair(make_controller, 4, batch_size=2)
    assert two.sharing_notice() is None
    one.get_questions("alex")
    notice = two.sharing_notice()
    assert notice is not None and "host:1 (4 tasks)" in notice and "'ds'" in notice


@pytest.mark.parametrize("first_ask", [True, False])
def test_issue13_a_claim_the_database_refuses_loses_no_task(
    make_controller: MakeController, monkeypatch: pytest.MonkeyPatch, first_ask: bool
) -> None:
    ctrl = make_controller([{"text": f"text {i}"} for i in range(4)], batch_size=2, claim_owner="host:1")
    if not first_ask:  # claimed when pulled, then due again when sent
        assert texts(ctrl.get_questions("alex").tasks) == ["text 0", "text 1"]
        for state in ctrl._feed.pool.values():
            state.claimed_until = 0.0  # the claim made at the pull has run out
    store = ctrl._claims.store
    real = store.claim

    def down(*args: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(store, "claim", down)
    with pytest.raises(StorageUnavailable):
        ctrl.get_questions("bea")
    monkeypatch.setattr(store, "claim", real)
    got = texts(ctrl.get_questions("bea").tasks) + texts(ctrl.get_questions("bea").tasks)
    assert sorted(got) == (["text 2", "text 3"] if not first_ask else ["text 0", "text 1", "text 2", "text 3"])


@pytest.mark.parametrize("per_task", [1, 2])
def test_issue13_a_held_task_s_claim_is_renewed_past_its_lease(make_controller: MakeController, per_task: int) -> None:
    one, two = pair(make_controller, 4, batch_size=2, claim_lease_seconds=0.3, annotations_per_task=per_task)
    # alex holds two (session_hold_seconds 60), with two per task bea the same two: every place; claims last 0.3 s
    held = [texts(one.get_questions(name).tasks) for name in ("alex", "bea")[:per_task]][0]
    time.sleep(1.0)  # three leases: only the renewal thread keeps them
    out = two.get_questions("carl")
    assert not set(texts(out.tasks)) & set(held)
    one.close()  # stops renewing, as a stopped server does
    time.sleep(0.5)
    assert sorted(texts(two.get_questions("carl").tasks)) == sorted(held)


def test_issue13_a_server_stopped_cleanly_lets_go_of_its_claims(make_controller: MakeController) -> None:
    one, two = pair(make_controller, 20, batch_size=2)
    held = texts(one.get_questions("alex").tasks)  # claims 0-9
    assert texts(two.get_questions("bea").tasks) == ["text 10", "text 11"]
    one.close()  # Ctrl-C: its claims go with it, no lease to wait for
    rest = drain(two, "bea")  # its own block, then (the stream done) the ones the other let go
    assert sorted(rest) == sorted(f"text {i}" for i in range(20) if i not in (10, 11))
    assert set(held) <= set(rest)


def test_issue11_a_model_in_the_loop_gets_its_questions_one_batch_at_a_time(make_controller: MakeController) -> None:
    """Claims pull blocks of five batches ahead; a teach recipe's questions must come from its latest model."""
    from mentor.core.components import Components

    pulled: List[int] = []

    def stream():
        for i in range(60):
            pulled.append(i)
            yield {"text": f"text {i}"}

    def update(answers: List[Dict[str, Any]]) -> float:
        return 0.5

    teach = make_controller(components=Components(dataset="ds", stream=stream(), view_id="classification",
                                                  update=update), batch_size=5)
    batch = teach.get_questions("alex").tasks
    assert len(batch) == 5 and len(pulled) <= 6  # one batch (a lazy stream may read one ahead), not a block of 25
    plain = make_controller(components=Components(dataset="ds2", stream=iter([{"text": f"t {i}"} for i in range(60)]),
                                                  view_id="classification"), batch_size=5)
    assert plain._block == 25  # without a model the block stands (fewer claims across processes)


def test_issue13_expired_claims_are_pruned_and_pruning_changes_nothing_a_process_sees(tmp_path) -> None:
    from mentor.core.claims import PRUNE_EVERY, TaskClaims
    from mentor.db import Database

    db = Database(f"sqlite:///{tmp_path / 'claims.db'}")
    db.add_dataset("ds")
    one = TaskClaims(db, "ds", by="task", lease=60, owner="host:1")
    two = TaskClaims(db, "ds", by="task", lease=60, owner="host:2")
    old = [(i, (i << 64) | i) for i in range(1, 6)]
    fresh = [(i, (i << 64) | i) for i in range(6, 9)]
    assert sorted(one.claim(old, now=1_000).granted) == [1, 2, 3, 4, 5]  # leases end at 1,060
    assert sorted(one.claim(fresh, now=1_100).granted) == [6, 7, 8]  # leases end at 1,160
    assert one.prune(now=1_130) == 5  # ended over a lease before: gone; the others stay
    assert one.prune(now=1_300) == 0  # not again until PRUNE_EVERY leases have passed
    assert set(one.store.holders(str(key) for _, key in old + fresh)) == {str(key) for _, key in fresh}
    verdict = two.claim(old + fresh, now=1_130)  # what the other process gets is what it got before pruning
    assert sorted(verdict.granted) == [1, 2, 3, 4, 5] and sorted(verdict.held) == [6, 7, 8]
    assert one.prune(now=1_000 + PRUNE_EVERY * 60 + 200) == 8  # every lease over: the table is empty
    db.close()


# -- annotations_per_task > 1: slots ---------------------------------------------------------------


def ask_and_answer(ctrl: Controller, name: str, served: List[Tuple[str, str]]) -> int:
    """One ask, answered at once; the ``(text, session)`` pairs sent are added to ``served``."""
    batch = ctrl.get_questions(name).tasks
    served.extend((task["text"], name) for task in batch)
    if batch:
        ctrl.give_answers(answer(batch), name)
    return len(batch)


def nothing_left(ctrl: Controller, name: str) -> bool:
    """The server has nothing for the session, here or held by anyone: its work is done."""
    out = ctrl.get_questions(name)
    return out.tasks == [] and out.held_elsewhere == 0


def per_text(served: List[Tuple[str, str]]) -> Dict[str, List[str]]:
    sessions: Dict[str, List[str]] = {}
    for text, name in served:
        sessions.setdefault(text, []).append(name)
    return sessions


def database_for(backend: str, request: pytest.FixtureRequest) -> Optional[Database]:
    """None for SQLite (the controllers' own file), else a new database on that server, closed and dropped after the test."""
    if backend == "sqlite":
        return None
    url, drop = create_temp_database(backend)
    request.addfinalizer(drop)
    db = Database(url)
    request.addfinalizer(db.close)
    return db


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                                     pytest.param("mysql", marks=pytest.mark.mysql)])
def test_issue13_two_processes_with_two_annotations_per_task_give_a_task_to_two_sessions_at_most(
    make_controller: MakeController, clock: Clock, backend: str, request: pytest.FixtureRequest
) -> None:
    """Three sessions on each process (two of them on both): each task answered by 2 sessions, none twice by one."""
    db = database_for(backend, request)
    one, two = pair(make_controller, 30, batch_size=3, annotations_per_task=2, **({"db": db} if db else {}))
    served: List[Tuple[str, str]] = []
    names = {one: ("alex", "bea", "carl"), two: ("bea", "carl", "dan")}  # bea and carl use both servers
    for _ in range(40):
        for ctrl in (one, two):
            for name in names[ctrl]:
                ask_and_answer(ctrl, name, served)
    sessions = per_text(served)
    assert sorted(sessions) == sorted(f"text {i}" for i in range(30))  # the work got done
    assert all(len(names_) == len(set(names_)) for names_ in sessions.values())  # never twice to one session
    assert all(len(names_) == 2 for names_ in sessions.values()), sessions  # two sessions each, not four
    stored = (db or one.db).get_dataset_examples("ds")  # type: ignore[union-attr]
    assert sum(1 for _ in stored) == 60
    assert all(nothing_left(ctrl, name) for ctrl in (one, two) for name in names[ctrl])


def test_issue13_a_slot_held_by_a_quiet_process_goes_to_the_other_once_its_lease_runs_out(
    make_controller: MakeController, clock: Clock
) -> None:
    one, two = pair(make_controller, 2, batch_size=2, annotations_per_task=2, session_hold_seconds=60)
    assert texts(one.get_questions("alex").tasks) == ["text 0", "text 1"]  # alex and bea hold both slots,
    assert texts(one.get_questions("bea").tasks) == ["text 0", "text 1"]  # then the process is killed
    out = two.get_questions("carl")
    assert out.tasks == [] and out.held_elsewhere == 2  # waits: the other server's sessions fill both places
    clock.now += 59
    assert two.get_questions("carl").tasks == []
    clock.now += 2  # the lease (session_hold_seconds) has run out: nobody renewed it
    served: List[Tuple[str, str]] = []
    assert ask_and_answer(two, "carl", served) == 2 and ask_and_answer(two, "dan", served) == 2
    assert ask_and_answer(two, "erin", served) == 0 and nothing_left(two, "erin")  # two sessions answered each
    assert nothing_left(one, "alex")  # alex's tab comes back to its server: both places are answered


def test_issue13_a_session_never_gets_a_task_again_through_the_other_process(
    make_controller: MakeController, clock: Clock
) -> None:
    one, two = pair(make_controller, 4, batch_size=2, annotations_per_task=3)
    served: List[Tuple[str, str]] = []
    ask_and_answer(one, "alex", served)  # text 0, text 1
    held = texts(one.get_questions("bea").tasks)  # bea holds text 0, text 1 on one
    assert ask_and_answer(two, "alex", served) == 2 and ask_and_answer(two, "alex", served) == 0
    assert [text for text, _ in served] == ["text 0", "text 1", "text 2", "text 3"]  # answered ones not again
    out = two.get_questions("bea")  # bea's tab on the other server: never the tasks its first tab holds
    assert not set(texts(out.tasks)) & set(held) and texts(out.tasks) == ["text 2", "text 3"]


def test_issue13_a_quiet_tab_s_slot_goes_to_another_session_of_its_server_at_once(
    make_controller: MakeController, clock: Clock
) -> None:
    """The server hands its own slot on when its tab lets go (as with one server), not a lease later; the other waits."""
    one, two = pair(make_controller, 2, batch_size=2, annotations_per_task=2, session_hold_seconds=60,
                    claim_lease_seconds=300)
    assert texts(one.get_questions("alex").tasks) == ["text 0", "text 1"]
    assert texts(one.get_questions("bea").tasks) == ["text 0", "text 1"]
    clock.now += 50
    one.give_answers([], "bea")  # bea's tab is still there; alex's goes quiet
    clock.now += 11
    assert texts(one.get_questions("carl").tasks) == ["text 0", "text 1"]  # alex's places, at once
    out = two.get_questions("dan")
    assert out.tasks == [] and out.held_elsewhere == 2  # bea and carl fill both places


def count_slot_claims(ctrl: Controller, monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """The number of tasks each slot claim (one transaction) of ``ctrl`` names, in order."""
    store = ctrl._claims.store  # type: ignore[union-attr]
    real = store.claim_slots
    named: List[int] = []

    def counted(keys: Any, *args: Any, **kwargs: Any) -> Any:
        named.append(len(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(store, "claim_slots", counted)
    return named


def test_issue13_one_slot_claim_serves_a_session_s_next_batches(
    make_controller: MakeController, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim reserves slots of the tasks the session takes next: most batches go out with no claim of their own."""
    one, two = pair(make_controller, 60, batch_size=2, annotations_per_task=2)
    named = count_slot_claims(one, monkeypatch)
    served: List[Tuple[str, str]] = []
    for _ in range(20):
        assert ask_and_answer(one, "alex", served) == 2
    assert len(named) <= 6, named  # one claim a batch before: 20
    assert named[:3] == [2, 4, 8] and max(named) == 10  # the first batch alone, then twice as many, up to five batches
    assert [text for text, _ in served] == [f"text {i}" for i in range(40)]  # in stream order, none skipped
    # the reserved slots are alex's in the database: its tab on the other server gets none of them
    reserved = {one._feed.pool[ident].task["text"] for ident in one._feed.ahead.get("ds-alex", {})}
    assert reserved
    out = two.get_questions("alex")
    assert not set(texts(out.tasks)) & reserved


def test_issue13_a_session_that_asks_once_reserves_nothing(
    make_controller: MakeController, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reservations only for a session that came back for more: one batch holds one batch of places."""
    one, two = pair(make_controller, 8, batch_size=2, annotations_per_task=2)
    named = count_slot_claims(one, monkeypatch)
    for name in ("alex", "bea"):
        assert texts(one.get_questions(name).tasks) == ["text 0", "text 1"]
    assert named == [2, 2]
    assert texts(two.get_questions("carl").tasks) == ["text 2", "text 3"]  # nothing further held


def test_issue13_a_slot_reserved_by_a_claim_is_not_handed_on_by_a_claim_that_runs_before_it_is_recorded(
    make_controller: MakeController, clock: Clock
) -> None:
    """Claims of one process run side by side: one that runs between another's commit and its bookkeeping keeps off its slots."""
    one, two = pair(make_controller, 20, batch_size=2, annotations_per_task=2)
    served: List[Tuple[str, str]] = []
    ask_and_answer(one, "alex", served)  # text 0, 1: alex's first claim reserves nothing
    bea = one.get_session("bea")
    feed = one._feed
    real = feed.reserve
    raced: List[int] = []

    def reserve(session: Any, idents: Any, until: float) -> None:
        idents = list(idents)
        if session.id == "ds-alex" and not raced:
            # alex's claim has committed its reservations; another thread's claim for bea runs now
            raced.extend(idents)
            for ident in idents:
                got = one._claimed_slots(bea, [(ident, feed.pool[ident].task)], clock.now)
                served.extend((task["text"], "bea") for _, task in got)
        real(session, idents, until)

    feed.reserve = reserve  # type: ignore[method-assign]
    ask_and_answer(one, "alex", served)  # text 2, 3 and a reservation of text 4, 5
    feed.reserve = real  # type: ignore[method-assign]
    assert [feed.pool[i].task["text"] for i in raced] == ["text 4", "text 5"]
    # bea got the other place of each, and alex's reservation kept the first: no third session can have one
    assert sorted(text for text, name in served if name == "bea") == ["text 4", "text 5"]
    assert one.db is not None
    with one.db.engine.connect() as conn:
        rows = conn.execute(sa.select(claim_table.c.task_key, claim_table.c.session)).all()
    for ident in raced:
        assert sorted(holder for key, holder in rows if key == str(feed.pool[ident].key)) == ["ds-alex", "ds-bea"]
    out = two.get_questions("carl")
    assert not {"text 4", "text 5"} & set(texts(out.tasks))
    ask_and_answer(one, "alex", served)  # its reserved tasks, sent with no claim
    assert per_text(served)["text 4"] == ["bea", "alex"] and per_text(served)["text 5"] == ["bea", "alex"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_issue13_threads_of_two_processes_claiming_at_once_give_a_task_to_two_sessions_never_twice_to_one(
    make_controller: MakeController, backend: str, request: pytest.FixtureRequest
) -> None:
    """Ten annotators at once, in threads, on two processes (two of them on both): slots claimed with no lock per process."""
    db = database_for(backend, request)
    one, two = pair(make_controller, 150, batch_size=3, annotations_per_task=2, claim_lease_seconds=3,
                    **({"db": db} if db else {}))
    served: List[Tuple[str, str]] = []
    errors: List[BaseException] = []
    deadline = time.time() + 60

    def annotate(ctrl: Controller, name: str) -> None:
        try:
            while time.time() < deadline:
                out = ctrl.get_questions(name)
                if not out.tasks:
                    if out.held_elsewhere == 0:
                        return
                    time.sleep(0.05)
                    continue
                served.extend((task["text"], name) for task in out.tasks)  # atomic under the GIL
                ctrl.give_answers(answer(out.tasks), name)
        except BaseException as err:  # noqa: BLE001 (reported below)
            errors.append(err)

    names = {one: ("alex", "bea", "carl", "dan", "erin", "finn"), two: ("alex", "bea", "gus", "hana")}
    threads = [threading.Thread(target=annotate, args=(ctrl, name)) for ctrl in (one, two) for name in names[ctrl]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    sessions = per_text(served)
    assert sorted(sessions) == sorted(f"text {i}" for i in range(150))
    assert all(len(names_) == 2 and len(set(names_)) == 2 for names_ in sessions.values()), sessions


def test_issue13_a_task_that_leaves_the_feed_between_its_take_and_its_claim_is_not_sent(
    make_controller: MakeController, clock: Clock
) -> None:
    """Another thread's claim learns the task is answered by two sessions just after this session took it: not sent."""
    one, two = pair(make_controller, 6, batch_size=2, annotations_per_task=2)
    served: List[Tuple[str, str]] = []
    for name in ("alex", "bea"):
        ask_and_answer(two, name, served)  # text 0 and 1 answered by two sessions, through the other server
    feed = one._feed
    real = feed.unclaimed_slots

    def learnt_meanwhile(session: Any, idents: List[int], before: float) -> List[int]:
        for ident in idents:  # as another thread's claim would, between carl's take and this check
            feed.learn_answers(ident, {"ds-alex", "ds-bea"}, one.sessions)
        return real(session, idents, before)

    feed.unclaimed_slots = learnt_meanwhile  # type: ignore[method-assign]
    out = one.get_questions("carl")
    assert not {"text 0", "text 1"} & set(texts(out.tasks)), texts(out.tasks)


def test_issue13_one_claim_tells_all_of_a_process_s_sessions_that_other_processes_fill_a_task(
    make_controller: MakeController, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A task whose places the other server's sessions fill is offered to none of this server's until a lease may end."""
    one, two = pair(make_controller, 2, batch_size=2, annotations_per_task=2)
    for name in ("alex", "bea"):
        assert texts(one.get_questions(name).tasks) == ["text 0", "text 1"]  # both places of both tasks
    named = count_slot_claims(two, monkeypatch)
    for name in ("carl", "dan", "erin"):
        out = two.get_questions(name)
        assert out.tasks == [] and out.held_elsewhere == 2
    assert named == [2]  # carl's claim learnt it for dan and erin: one claim, not three
    clock.now += 61  # alex's and bea's leases ran out unrenewed (their server is gone)
    assert texts(two.get_questions("dan").tasks) == ["text 0", "text 1"]


def test_issue13_a_task_answered_between_its_take_and_its_claim_check_is_not_sent(
    make_controller: MakeController, clock: Clock
) -> None:
    """annotations_per_task 1: a late answer lands while another session's thread is between its take and its claim check.

    The answer takes the task out of the feed, so the check must not read "not in the pool" as "claimed":
    the task's claim had run out and the other server holds it now.
    """
    one, two = pair(make_controller, 4, batch_size=2, session_hold_seconds=60)
    late = one.get_questions("alex").tasks  # text 0, 1; one claims text 0-3 for 60 s
    assert texts(late) == ["text 0", "text 1"]
    clock.now += 61  # alex's tab went quiet: its tasks are free for another session, the claims have run out
    assert texts(two.get_questions("dan").tasks) == ["text 0", "text 1"]  # the other server claims them now
    feed = one._feed
    real = feed.unclaimed
    raced: List[int] = []

    def answered_meanwhile(idents: List[int], before: float) -> List[int]:
        if not raced:  # as alex's thread would, between bea's take and this check
            raced.extend(idents)
            one.give_answers(answer(late), "alex")
        return real(idents, before)

    feed.unclaimed = answered_meanwhile  # type: ignore[method-assign]
    out = one.get_questions("bea")
    feed.unclaimed = real  # type: ignore[method-assign]
    assert len(raced) == 2  # bea took text 0 and 1 before alex's answer came
    assert not {"text 0", "text 1"} & set(texts(out.tasks)), texts(out.tasks)
