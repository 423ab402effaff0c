"""The real server as a process: SIGKILL mid-way and restart lose no acknowledged answer."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

import httpx
import pytest

from mentor.db import Database

N_TASKS = 60


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"message number {i}"}) for i in range(N_TASKS)) + "\n")
    return path


def annotate(client: httpx.Client, session: str, acknowledged: Set[Tuple[str, int]]) -> List[Dict]:
    tasks = client.post("/get_session_questions", json={"session_id": session}).json()["tasks"]
    if tasks:
        answers = [{**t, "answer": "accept", "accept": ["SPAM"]} for t in tasks]
        reply = client.post("/give_answers", json={"answers": answers, "session_id": session})
        assert reply.status_code == 200, reply.text
        acknowledged.update((f"news-{session}", t["_task_hash"]) for t in tasks)
    return tasks


def test_server_process_survives_sigkill_without_losing_answers(
    start_server: Callable, source: Path, db_url: str
) -> None:
    args = ["textcat.manual", "news", str(source), "--label", "SPAM,HAM"]
    server = start_server(args, db_url=db_url)
    acknowledged: Set[Tuple[str, int]] = set()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for _ in range(2):
            for session in ("alex", "bea"):
                annotate(client, session, acknowledged)
        # a batch fetched, never answered: the tab was open when the server died
        client.post("/get_session_questions", json={"session_id": "alex"})
        last = client.post("/get_session_questions", json={"session_id": "bea"}).json()["tasks"]
    server.kill()
    assert len(acknowledged) == 40

    server = start_server(args, db_url=db_url)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        # the browser retries a batch whose acknowledgement it never saw: stored once
        retry = [{**t, "answer": "accept", "accept": ["SPAM"]} for t in last]
        first = client.post("/give_answers", json={"answers": retry, "session_id": "bea"}).json()
        again = client.post("/give_answers", json={"answers": retry, "session_id": "bea"}).json()
        assert (first["saved"], again["saved"]) == (10, 0)
        acknowledged.update(("news-bea", t["_task_hash"]) for t in last)
        client.get("/project", params={"session": "alex"})
        served_after: List[int] = []
        while True:
            batch = annotate(client, "alex", acknowledged)
            if not batch:
                break
            served_after.extend(t["_task_hash"] for t in batch)
    server.terminate()

    before = {h for _, h in acknowledged} - set(served_after)
    assert not set(served_after) & before, "an acknowledged task was served again after the restart"
    db = Database(db_url)
    try:
        stored = Counter((e["_session_id"], e["_task_hash"]) for e in db.get_dataset_examples("news"))
        assert set(stored) == acknowledged
        assert max(stored.values()) == 1
        assert len({h for _, h in stored}) == N_TASKS
        assert set(db.sessions) >= {"news-alex", "news-bea"}
    finally:
        db.close()


def test_server_process_sigterm_runs_on_exit(start_server: Callable, source: Path, tmp_path: Path) -> None:
    server = start_server(["mark", "marks", str(source), "--view-id", "text"])
    # a second server on the same port says so and exits 1, leaving the first alone
    second = subprocess.run(
        [sys.executable, "-m", "mentor", "mark", "marks", str(source)],
        env=server.env, capture_output=True, text=True, timeout=60,
    )
    assert second.returncode == 1 and "already in use" in second.stdout + second.stderr
    with httpx.Client(base_url=server.url, timeout=30) as client:
        tasks = client.post("/get_session_questions", json={"session_id": "a"}).json()["tasks"]
        answers = [{**t, "answer": "reject" if i % 2 else "accept"} for i, t in enumerate(tasks)]
        assert client.post("/give_answers", json={"answers": answers, "session_id": "a"}).status_code == 200
    assert server.terminate() == 0
    log = (tmp_path / "server.log").read_text()
    assert "Accept" in log and "Reject" in log and "Total" in log


def test_issue12_strict_sources_stops_the_recipe_at_start_with_one_line(tmp_path: Path) -> None:
    """MENTOR_STRICT_SOURCES: a source with a bad line exits 1 with one stderr line, before serving."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a"}\n{"text": \n{"text": "b"}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env.update({"MENTOR_HOME": str(tmp_path / "home"), "MENTOR_PORT": "0", "MENTOR_STRICT_SOURCES": "1"})
    done = subprocess.run(
        [sys.executable, "-m", "mentor", "mark", "strict_ds", str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert f"{path}:2:" in line and "[M086]" in line
