"""Issue 12, R23: two texts whose 32-bit hashes collide are two tasks, served, stored and excluded apart.

``A`` and ``B`` below were found by a birthday search over generated strings:
they share ``_input_hash`` and ``_task_hash``, so everything keyed on the
32-bit hashes alone took one for the other.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Callable, Dict, List, Tuple

import pytest

from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.core.keys import DIGEST_FIELD, KeySet, format_digest, read_stored_keys, stored_key
from mentor.core.signing import TaskSigner
from mentor.db import Database
from mentor.tasks import input_digest, set_hashes, task_key

A = "collision probe 43663"
B = "collision probe 237330"

MakeController = Callable[..., Controller]


def stream() -> List[Dict[str, Any]]:
    return [{"text": "before"}, {"text": A}, {"text": "between"}, {"text": B}, {"text": "after"}]


def answer(tasks: List[Dict[str, Any]], value: str = "accept") -> List[Dict[str, Any]]:
    return [{**task, "answer": value} for task in tasks]


def served_all(ctrl: Controller, session: str = "alex") -> List[Dict[str, Any]]:
    """Every task the controller serves a session, answering none."""
    out: List[Dict[str, Any]] = []
    while True:
        batch = ctrl.get_questions(session).tasks
        if not batch:
            return out
        out += batch


def test_issue12_collision_pair_shares_both_hashes_but_not_its_keys() -> None:
    a, b = set_hashes({"text": A}), set_hashes({"text": B})
    assert (a["_input_hash"], a["_task_hash"]) == (b["_input_hash"], b["_task_hash"])
    assert task_key(a) != task_key(b) and task_key(a, "input") != task_key(b, "input")
    # the key keeps Prodigy's hash in its top bits, and never merges what the hashes tell apart
    assert task_key(a) >> 64 == a["_task_hash"] and task_key(a, "input") >> 64 == a["_input_hash"]
    assert task_key({**a, "_task_hash": a["_task_hash"] + 1}) != task_key(a)
    # the question may change in an answer (a manual view): the key stays, so the answer finds its task
    assert task_key({**a, "spans": [{"start": 0, "end": 9, "label": "X"}], "answer": "accept"}) == task_key(a)


@pytest.mark.parametrize("overlap", [False, True])
def test_issue12_collision_feed_serves_both_texts(make_controller: MakeController, overlap: bool) -> None:
    ctrl = make_controller(stream(), batch_size=2, feed_overlap=overlap)
    assert [t["text"] for t in served_all(ctrl)] == ["before", A, "between", B, "after"]


def test_issue12_collision_both_answers_are_stored_and_the_second_is_no_repeat(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller(stream(), batch_size=5)
    tasks = {t["text"]: t for t in ctrl.get_questions("alex").tasks}
    assert ctrl.give_answers(answer([tasks[A]]), "alex").saved == 1
    assert ctrl.give_answers(answer([tasks[B]]), "alex").saved == 1  # not taken for a repeat of A
    assert ctrl.give_answers(answer([tasks[A], tasks[B]]), "alex").saved == 0  # a retry still is one
    stored = list(sqlite_db.get_dataset_examples("ds"))
    assert [e["text"] for e in stored] == [A, B]
    assert [e[DIGEST_FIELD] for e in stored] == [format_digest(input_digest({"text": t})) for t in (A, B)]
    # both in one batch: neither is dropped as the other's repeat
    ctrl = make_controller(stream(), dataset="other", batch_size=5)
    tasks = {t["text"]: t for t in ctrl.get_questions("bea").tasks}
    assert ctrl.give_answers(answer([tasks[A], tasks[B]]), "bea").saved == 2


@pytest.mark.parametrize("exclude_by", ["task", "input"])
def test_issue12_collision_restart_excludes_exactly_the_answered_text(
    make_controller: MakeController, exclude_by: str
) -> None:
    first = make_controller(stream(), batch_size=5, exclude_by=exclude_by)
    tasks = {t["text"]: t for t in first.get_questions("alex").tasks}
    first.give_answers(answer([tasks[A], tasks["before"]]), "alex")
    restarted = make_controller(stream(), batch_size=5, exclude_by=exclude_by)
    assert [t["text"] for t in served_all(restarted, "bea")] == ["between", B, "after"]
    # the session that answered A reads its answers back: B is no repeat of A
    again = make_controller(stream(), batch_size=5, exclude_by=exclude_by)
    assert again.give_answers(answer([tasks[B]]), "alex").saved == 1
    assert again.give_answers(answer([tasks[A]]), "alex").saved == 0


def test_issue12_collision_exclude_dataset_skips_only_the_answered_text(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    old = make_controller(stream(), dataset="old", batch_size=5)
    tasks = {t["text"]: t for t in old.get_questions("alex").tasks}
    old.give_answers(answer([tasks[A]]), "alex")
    ctrl = make_controller(stream(), components=Components(dataset="new", stream=stream(), view_id="text",
                                                           exclude=["old"]))
    assert [t["text"] for t in served_all(ctrl)] == ["before", "between", B, "after"]


def test_issue12_collision_annotations_per_task_restart_keeps_texts_apart(make_controller: MakeController) -> None:
    first = make_controller(stream(), batch_size=5, annotations_per_task=2)
    tasks = {t["text"]: t for t in first.get_questions("alex").tasks}
    first.give_answers(answer([tasks[A]]), "alex")
    first.give_answers(answer([{**tasks[A], "_mentor_sig": tasks[A]["_mentor_sig"]}]), "bea")
    restarted = make_controller(stream(), batch_size=5, annotations_per_task=2)
    # A has its two answers; B has none and goes to both sessions
    assert [t["text"] for t in served_all(restarted, "cy")] == ["before", "between", B, "after"]


def test_issue12_collision_stripped_input_still_excludes_its_task(make_controller: MakeController) -> None:
    """``before_db`` may drop the input (a base64 image): the stored digest still names the text served."""

    def strip(answers: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [{k: v for k, v in eg.items() if k != "text"} for eg in answers]

    comps = Components(dataset="ds", stream=stream(), view_id="text", before_db=strip)
    first = make_controller(components=comps, batch_size=5)
    tasks = {t["text"]: t for t in first.get_questions("alex").tasks}
    first.give_answers(answer([tasks[A]]), "alex")
    restarted = make_controller(stream(), batch_size=5)
    assert [t["text"] for t in served_all(restarted, "bea")] == ["before", "between", B, "after"]


def test_issue12_collision_answers_without_a_digest_exclude_by_their_hash(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    """A Prodigy import carries no ``_input_digest``: its hash alone counts, as before (and as in Prodigy)."""
    sqlite_db.add_dataset("prodigy")
    sqlite_db.add_examples([set_hashes({"text": A, "answer": "accept"})], ["prodigy"])
    ctrl = make_controller(components=Components(dataset="ds", stream=stream(), view_id="text",
                                                 exclude=["prodigy"]))
    assert [t["text"] for t in served_all(ctrl)] == ["before", "between", "after"]


def test_issue12_collision_digest_cant_be_set_by_the_client(
    make_controller: MakeController, sqlite_db: Database
) -> None:
    ctrl = make_controller(stream(), batch_size=5)
    tasks = {t["text"]: t for t in ctrl.get_questions("alex").tasks}
    forged = format_digest(input_digest({"text": B}))
    assert ctrl.give_answers([{**tasks[A], "answer": "accept", DIGEST_FIELD: forged}], "alex").saved == 1
    [stored] = sqlite_db.get_dataset_examples("ds")
    assert stored[DIGEST_FIELD] == format_digest(input_digest({"text": A}))
    assert ctrl.give_answers(answer([tasks[B]]), "alex").saved == 1


def test_issue12_keys_digest_is_read_from_the_end_of_the_stored_json() -> None:
    digest = input_digest({"text": A})

    def row(record: Dict[str, Any]) -> Tuple[int, int, str]:
        return 10, -5, json.dumps(record, separators=(",", ":"))

    decoy = f'says "{DIGEST_FIELD}":"{"0" * 16}"'  # in a string its quotes are escaped: never a match
    record = {"text": decoy, "meta": {DIGEST_FIELD: "f" * 16}, DIGEST_FIELD: format_digest(digest)}
    keys = read_stored_keys([row(record)], "task")
    assert keys.keys == {-5 << 64 | digest} and not keys.hashes
    assert read_stored_keys([row({"text": decoy})], "input").hashes == {10}
    assert read_stored_keys([row({"text": "x", DIGEST_FIELD: "not-hex-digits!!"})], "task").hashes == {-5}
    # a stored answer's key is the one its task had when served
    served = set_hashes({"text": A})
    stored = {**served, "answer": "accept", DIGEST_FIELD: format_digest(digest)}
    content = json.dumps(stored, separators=(",", ":"))
    by_row = read_stored_keys([(served["_input_hash"], served["_task_hash"], content)], "task")
    assert by_row.keys == {task_key(served)} and stored_key(served["_task_hash"], digest) == (task_key(served), None)
    # bare hashes (answers stored without a digest) match every key with that hash
    bare = KeySet(hashes=[7])
    assert (7 << 64 | 12345) in bare and (8 << 64 | 12345) not in bare and len(bare) == 1


def test_issue12_collision_signatures_are_the_ones_sent_before_the_key() -> None:
    """The signer takes the key's digest now: a signature a browser kept across the upgrade still verifies."""
    task = set_hashes({"text": A})
    data = json.dumps(A).encode()
    signed = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)
    message = f"{task['_task_hash']}:{task['_input_hash']}:{signed}".encode()
    before = hmac.new(b"k" * 32, message, hashlib.sha256).hexdigest()[:32]
    signer = TaskSigner(b"k" * 32)
    assert signer.sign(task)["_mentor_sig"] == signer.sign(task, input_digest(task))["_mentor_sig"] == before
    assert signer.verify({**task, "_mentor_sig": before, "answer": "accept"})
