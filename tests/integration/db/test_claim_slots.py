"""Slot claims in the database (``annotations_per_task`` > 1), on SQLite, PostgreSQL and MariaDB in turn.

mentor.db.claims decides who gets a place of a task from what it reads after
locking the task's slot rows: these tests drive that layer alone, with the
answers given as the callback the controller passes (tests/unit/core/test_claims.py
runs it through two controllers).
"""
import threading
from typing import Dict, List, Set

import sqlalchemy as sa

from mentor.db import Database

KEYS = [str((i << 64) | i) for i in range(1, 21)]


def nothing_answered(conn: sa.Connection) -> Dict[str, Set[str]]:
    return {}


def test_a_task_s_slots_go_to_as_many_sessions_and_an_answer_keeps_its_place(db):
    db.add_dataset("ds")
    one, two = db.claims("ds", "host:1"), db.claims("ds", "host:2")
    key = KEYS[0]
    assert one.claim_slots([key], "alex", 2, 1_060, 1_000, nothing_answered).granted == [key]
    assert two.claim_slots([key], "bea", 2, 1_060, 1_000, nothing_answered).granted == [key]
    full = two.claim_slots([key], "carl", 2, 1_070, 1_010, nothing_answered)
    assert full.granted == [] and full.held == {key: 1_060}  # both places held: try again when one may end
    # alex's tab on the other server: never the task its session holds on the first
    assert two.claim_slots([key], "alex", 2, 1_070, 1_010, nothing_answered).held == {key: 1_060}
    assert one.claim_slots([key], "alex", 2, 1_070, 1_010, nothing_answered).granted == [key]  # its own: renewed

    def alex_answered(conn: sa.Connection) -> Dict[str, Set[str]]:
        return {key: {"alex"}}

    # both leases over; alex answered, so one place is left: it goes to one session, not two
    assert two.claim_slots([key], "carl", 2, 1_200, 1_100, alex_answered).granted == [key]
    assert one.claim_slots([key], "dan", 2, 1_200, 1_100, alex_answered).held == {key: 1_200}
    done = one.claim_slots([key], "alex", 2, 1_200, 1_100, alex_answered)  # alex answered: not again
    assert done.granted == [] and done.held == {} and done.sessions == {key: {"alex"}}

    def both_answered(conn: sa.Connection) -> Dict[str, Set[str]]:
        return {key: {"alex", "carl"}}

    over = one.claim_slots([key], "erin", 2, 1_400, 1_300, both_answered)  # two sessions answered: done
    assert over.granted == [] and over.held == {}


def test_an_expired_slot_is_taken_over_and_renewal_keeps_only_the_sessions_that_hold(db):
    db.add_dataset("ds")
    one, two = db.claims("ds", "host:1"), db.claims("ds", "host:2")
    assert one.claim_slots(KEYS[:2], "alex", 2, 1_060, 1_000, nothing_answered).granted == KEYS[:2]
    assert one.claim_slots(KEYS[:2], "bea", 2, 1_060, 1_000, nothing_answered).granted == KEYS[:2]
    assert one.renew_slots([(KEYS[0], "alex"), (KEYS[1], "alex")], 1_120) == 2  # bea went quiet: not renewed
    got = two.claim_slots(KEYS[:2], "carl", 2, 1_130, 1_070, nothing_answered)
    assert got.granted == KEYS[:2]  # bea's slots ran out: carl's now, alex's still alex's
    assert two.claim_slots(KEYS[:2], "dan", 2, 1_130, 1_070, nothing_answered).held == {k: 1_120 for k in KEYS[:2]}
    assert one.claim_slots(KEYS[:2], "bea", 2, 1_130, 1_070, nothing_answered).held == {k: 1_120 for k in KEYS[:2]}
    assert one.release() == 2  # a clean stop: alex's slots go at once, and carl's stay
    assert two.claim_slots(KEYS[:2], "dan", 2, 1_130, 1_071, nothing_answered).granted == KEYS[:2]
    assert one.prune(2_000) >= 4  # every lease over: rows go, and nothing changes for whoever claims next


def test_processes_claiming_the_same_tasks_at_once_never_fill_a_task_past_its_slots(db):
    """Eight owners claim for eight sessions at the same moment: the database queues the claims of a task."""
    db.add_dataset("ds")
    granted: Dict[str, List[str]] = {key: [] for key in KEYS}
    lock = threading.Lock()
    start = threading.Barrier(8)
    errors: List[BaseException] = []

    def claim(i: int) -> None:
        try:
            claims = db.claims("ds", f"host:{i}")
            start.wait()
            for _ in range(3):  # again and again: a process asks each time its annotator does
                for key in claims.claim_slots(KEYS, f"s{i}", 2, 1_060, 1_000, nothing_answered).granted:
                    with lock:
                        if f"s{i}" not in granted[key]:
                            granted[key].append(f"s{i}")
        except BaseException as err:  # noqa: BLE001 (reported below)
            errors.append(err)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all(len(sessions) == 2 for sessions in granted.values()), granted


def test_a_claim_table_an_older_mentor_created_gets_its_slots(db_url):
    """The claim table's primary key gained ``slot``: an old table is created anew (it holds only leases)."""
    Database(db_url).close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # the table as the previous mentor created it, with a claim in it
        conn.execute(sa.text("DROP TABLE claim"))
        conn.execute(sa.text(
            "CREATE TABLE claim (dataset_id BIGINT NOT NULL, task_key VARCHAR(48) NOT NULL, "
            "owner VARCHAR(255) NOT NULL, expires DOUBLE PRECISION NOT NULL, PRIMARY KEY (dataset_id, task_key))"
        ))
    engine.dispose()
    db = Database(db_url)
    try:
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("claim")}
        assert {"slot", "session"} <= columns
        db.add_dataset("ds")
        assert db.claims("ds", "host:1").claim([KEYS[0]], 1_060, 1_000).granted == [KEYS[0]]
        assert db.claims("ds", "host:2").claim_slots([KEYS[1]], "alex", 2, 1_060, 1_000, nothing_answered).granted
    finally:
        db.close()


def test_the_owner_s_holders_are_read_after_the_task_s_slots_are_locked(db):
    """``holding`` as a callable runs inside the claim, after the locks: a claim of the same task waits for it.

    That is what lets one process's threads claim at once without a lock of
    their own: what each reads of the process's sessions is no older than the
    rows it decides on.
    """
    db.add_dataset("ds")
    one, two = db.claims("ds", "host:1"), db.claims("ds", "host:2")
    key = KEYS[0]
    assert one.claim_slots([key], "alex", 2, 1_060, 1_000, nothing_answered).granted == [key]
    finished: List[str] = []
    other: Dict[str, object] = {}

    def carl() -> None:
        other["outcome"] = two.claim_slots([key], "carl", 2, 1_060, 1_000, nothing_answered)
        finished.append("carl")

    racer = threading.Thread(target=carl)

    def holding() -> Dict[str, Set[str]]:
        racer.start()  # another process claims the same task now: it queues on the rows this claim locked
        racer.join(0.5)
        finished.append("holding read")
        return {key: {"alex"}}  # alex still holds it: its slot is not bea's to take

    got = one.claim_slots([key], "bea", 2, 1_060, 1_000, nothing_answered, holding)
    racer.join()
    assert got.granted == [key]
    assert finished == ["holding read", "carl"]  # carl's claim waited for this one to decide and commit
    assert other["outcome"].granted == [] and other["outcome"].held == {key: 1_060}  # alex and bea fill both places


def test_an_answer_that_lands_during_a_claim_keeps_its_session_s_place(db):
    """The owner's holders are read before the answers: an answer committed between the two reads is in the second.

    alex (host:1) answers while host:1 claims for bea: host:1 stops counting
    alex as a holder once the answer is stored, so the answers read after must
    have it, or alex's slot looks free and a third session gets a place.
    """
    db.add_dataset("ds")
    one, two = db.claims("ds", "host:1"), db.claims("ds", "host:2")
    key = KEYS[0]
    assert one.claim_slots([key], "alex", 2, 1_060, 1_000, nothing_answered).granted == [key]
    landed: List[str] = []  # alex's answer is committed as soon as either read has run

    def answered(conn: sa.Connection) -> Dict[str, Set[str]]:
        seen = {key: {"alex"}} if landed else {}
        landed.append("answers read")
        return seen

    def holding() -> Dict[str, Set[str]]:
        held = {key: set()} if landed else {key: {"alex"}}  # once answered, alex holds the task no more
        landed.append("holders read")
        return held

    assert one.claim_slots([key], "bea", 2, 1_060, 1_000, answered, holding).granted == [key]
    assert landed == ["holders read", "answers read"]

    def alex_answered(conn: sa.Connection) -> Dict[str, Set[str]]:
        return {key: {"alex"}}

    carl = two.claim_slots([key], "carl", 2, 1_060, 1_000, alex_answered)
    assert carl.granted == [] and carl.held == {key: 1_060}  # alex answered and bea holds: no third place
