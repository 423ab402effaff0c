"""Two real server processes on one database share a dataset (issue 13 part 3).

With ``feed_overlap`` off every task is answered exactly once, whichever
process served it, and the tasks a killed process held go to the other once
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


def stored_texts(db_url: str) -> Counter:
    db = Database(db_url)
    try:
        return Counter(task["text"] for task in db.get_dataset_examples("news"))
    finally:
        db.close()


def test_issue13_two_server_processes_answer_each_task_once_and_hand_on_a_killed_one_s(
    start_server: Callable, tmp_path: Path, db_url: str
) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(N_TASKS)))
    env = {"MENTOR_CONFIG_OVERRIDES": json.dumps({"batch_size": 4, "session_hold_seconds": LEASE})}
    args = ["textcat.manual", "news", str(source), "--label", "A,B"]
    first, second = in_threads(  # started side by side: each takes seconds
        (lambda: start_server(args, db_url=db_url, extra_env=env), ()),
        (lambda: start_server(args, db_url=db_url, extra_env=env, own_port=True), ()),
    )
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
