"""Two real server processes on one database share a dataset (issue 13 part 3).

With ``feed_overlap`` off every task is answered exactly once, whichever
process served it (with ``annotations_per_task`` 2, by exactly two sessions,
none twice), and the tasks a killed process held go to the other once
their lease runs out. On PostgreSQL, MariaDB and SQLite (the ``db_url``
fixture's backends); bench/server_load.py --processes 2 measures it under load.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import httpx

from mentor.db import Database

N_TASKS = 60
LEASE = 2.0


def ask(client: httpx.Client, session: str) -> Dict:
    reply = client.post("/get_session_questions", json={"session_id": session, "tab_id": f"{session}-tab"})
    assert reply.status_code == 200, reply.text
    return reply.json()


def give(client: httpx.Client, session: str, tasks: List[Dict]) -> None:
    body = {"session_id": session, "tab_id": f"{session}-tab", "answers": [{**t, "answer": "accept"} for t in tasks]}
    reply = client.post("/give_answers", json=body)
    assert reply.status_code == 200, reply.text


def annotate(url: str, session: str, served: List[str], deadline: float, batches: Optional[int] = None) -> None:
    """Ask and answer ``batches`` times, or until the server says nothing is left here or anywhere."""
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.time() < deadline and batches != 0:
            out = ask(client, session)
            if not out["tasks"]:
                if out["held_elsewhere"] == 0:
                    return
                time.sleep(0.2)
                continue
            served.extend(t["text"] for t in out["tasks"])
            give(client, session, out["tasks"])
            batches = None if batches is None else batches - 1


def in_threads(*calls: Tuple[Callable, tuple]) -> list:
    results: Dict[int, object] = {}

    def run(index: int, function: Callable, args: tuple) -> None:
        results[index] = function(*args)

    threads = [threading.Thread(target=run, args=(i, f, a)) for i, (f, a) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results.get(i) for i in range(len(calls))]


def start_two(start_server: Callable, tmp_path: Path, db_url: str, settings: Dict) -> list:
    """Two textcat.manual servers over N_TASKS texts on one database, started side by side (each takes seconds)."""
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(N_TASKS)))
    env = {"MENTOR_CONFIG_OVERRIDES": json.dumps(settings)}
    args = ["textcat.manual", "news", str(source), "--label", "A,B"]
    return in_threads(
        (lambda: start_server(args, db_url=db_url, extra_env=env), ()),
        (lambda: start_server(args, db_url=db_url, extra_env=env, own_port=True), ()),
    )


def stored_texts(db_url: str) -> Counter:
    db = Database(db_url)
    try:
        return Counter(task["text"] for task in db.get_dataset_examples("news"))
    finally:
        db.close()


def test_issue13_two_server_processes_answer_each_task_once_and_hand_on_a_killed_one_s(
    start_server: Callable, tmp_path: Path, db_url: str
) -> None:
    first, second = start_two(start_server, tmp_path, db_url, {"batch_size": 4, "session_hold_seconds": LEASE})
    served: List[str] = []
    deadline = time.time() + 60
    # four annotators, two on each server, two batches each: 32 of the 60 tasks, all at once
    in_threads(*[(annotate, (s.url, f"{n}{i}", served, deadline, 2)) for i, s in enumerate((first, second)) for n in "ab"])
    assert len(served) == 32 and len(set(served)) == 32  # no task went to both servers
    with httpx.Client(base_url=first.url, timeout=30) as client:
        lost = [t["text"] for t in ask(client, "carl")["tasks"]]
    assert len(lost) == 4 and not set(lost) & set(served)
    first.kill()  # kill -9 with four tasks claimed: nobody renews their lease any more
    killed = time.time()
    annotate(second.url, "bea", served, deadline)
    # carl's tasks came once their lease ran out (the unit tests time it exactly), not after task_timeout
    assert time.time() - killed < LEASE + 15
    assert sorted(served) == sorted(f"text {i}" for i in range(N_TASKS))  # every task once, whichever server
    stored = stored_texts(db_url)
    assert len(stored) == N_TASKS and max(stored.values()) == 1


def stored_pairs(db_url: str) -> Counter:
    db = Database(db_url)
    try:
        return Counter((task["text"], task["_session_id"]) for task in db.get_dataset_examples("news"))
    finally:
        db.close()


def test_issue13_two_server_processes_with_two_annotations_per_task_give_each_task_to_two_sessions(
    start_server: Callable, tmp_path: Path, db_url: str
) -> None:
    """``annotations_per_task`` 2 over two servers: two sessions a task (not four), a session once, slots of a killed one handed on."""
    settings = {"batch_size": 4, "session_hold_seconds": LEASE, "annotations_per_task": 2}
    first, second = start_two(start_server, tmp_path, db_url, settings)
    served: Dict[str, List[str]] = {}

    def work(url: str, name: str, batches: Optional[int]) -> None:
        texts: List[str] = []
        annotate(url, name, texts, deadline, batches)
        for text in texts:
            served.setdefault(text, []).append(name)  # atomic under the GIL: the threads share ``served``

    deadline = time.time() + 90
    # alex and bea annotate on both servers at once, carl and dan on one each
    in_threads(*[(work, (s.url, n, 2)) for s, names in ((first, "alex bea carl"), (second, "alex bea dan"))
                 for n in names.split()])
    with httpx.Client(base_url=first.url, timeout=30) as client:
        kept = [t["text"] for t in ask(client, "erin")["tasks"]]  # erin holds four slots when the server dies
    assert len(kept) == 4
    first.kill()
    killed = time.time()
    in_threads(*[(work, (second.url, n, None)) for n in ("alex", "bea", "dan", "finn")])
    assert time.time() - killed < LEASE + 30
    assert sorted(served) == sorted(f"text {i}" for i in range(N_TASKS))
    assert all(len(names) == 2 and len(set(names)) == 2 for names in served.values()), served
    stored = stored_pairs(db_url)
    assert len(stored) == 2 * N_TASKS and max(stored.values()) == 1
