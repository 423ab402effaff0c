"""Issue 12's hostile inputs, one case each, against the real server process (the R-table in docs/server.md).

Each case was a 5xx, a traceback, a lost task or stored junk before issue 12;
here each must get the answer the R-table names (status and code), never a
5xx, and store nothing it refused. Cases run ``mentor mark`` as a process,
so what is checked is what a user (or an attacker) meets.
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import httpx
import pytest

from mentor.db import Database

N_TASKS = 30


def write_source(path: Path, bad: Optional[Dict[int, str]] = None, n: int = N_TASKS) -> Path:
    """``n`` JSONL tasks, with the lines in ``bad`` (1-based) replaced by raw text."""
    lines = [json.dumps({"text": f"message number {i}"}) for i in range(1, n + 1)]
    for number, raw in (bad or {}).items():
        lines[number - 1] = raw
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def served_task(client: httpx.Client, session: str = "alex") -> Dict[str, Any]:
    return dict(client.post("/get_session_questions", json={"session_id": session}).json()["tasks"][0])


def give(client: httpx.Client, answers: List[Any], session: str = "alex") -> httpx.Response:
    return client.post("/give_answers", json={"answers": answers, "session_id": session})


# -- requests a running server must refuse -------------------------------------------------------


@dataclass
class Hostile:
    """One request case: ``send`` makes the hostile request(s) and returns the reply to check."""

    send: Callable[[httpx.Client], httpx.Response]
    status: int
    code: Optional[str]
    env: Dict[str, str] = field(default_factory=dict)


def _bad_answer(**changes: Any) -> Callable[[httpx.Client], httpx.Response]:
    def send(client: httpx.Client) -> httpx.Response:
        return give(client, [{**served_task(client), "answer": "accept", **changes}])

    return send


def _huge_body(client: httpx.Client) -> httpx.Response:
    task = served_task(client)
    return give(client, [{**task, "answer": "accept", "note": "x" * 11_000_000}])


def _many_answers(client: httpx.Client) -> httpx.Response:
    answer = {**served_task(client), "answer": "accept"}
    return give(client, [answer] * 1001)


def _new_names(count: int) -> Callable[[httpx.Client], httpx.Response]:
    def send(client: httpx.Client) -> httpx.Response:
        for i in range(count):
            reply = client.post("/get_session_questions", json={"session_id": f"bot{i}"})
            assert reply.status_code == 200, reply.text
        return client.post("/get_session_questions", json={"session_id": "one-too-many"})

    return send


def _forged_text(client: httpx.Client) -> httpx.Response:
    task = served_task(client)
    refused = give(client, [{**task, "text": "something else", "answer": "accept"}])
    real = give(client, [{**task, "answer": "accept"}])
    assert real.status_code == 200 and real.json()["saved"] == 1  # the real answer is not dropped as a repeat
    return refused


REQUESTS: Dict[str, Hostile] = {
    "R10-session-nul": Hostile(lambda c: c.post("/get_session_questions", json={"session_id": "a\x00b"}), 422, "M084"),
    "R10-session-path": Hostile(
        lambda c: c.post("/get_session_questions", json={"session_id": "../../etc/passwd"}), 422, "M084"
    ),
    "R12-timestamp-1e300": Hostile(_bad_answer(_timestamp=1e300), 422, "M061"),
    "R12-text-not-a-string": Hostile(_bad_answer(text=123), 422, "M061"),
    "R12-span-outside-text": Hostile(_bad_answer(spans=[{"start": 0, "end": 999, "label": "X"}]), 422, "M061"),
    "R12-string-task-hash": Hostile(_bad_answer(_task_hash="abc"), 422, "M061"),
    "R11-options-not-a-list": Hostile(_bad_answer(options="x"), 422, "M061"),
    "R13-never-served": Hostile(lambda c: give(c, [{"text": "made up", "answer": "accept",
                                                  "_input_hash": 1, "_task_hash": 2}]), 422, "M062"),
    "R13-bare-answer": Hostile(lambda c: give(c, [{"answer": "accept"}]), 422, "M062"),
    "R14-forged-text-on-served-hash": Hostile(_forged_text, 422, "M062"),
    "R15-body-over-10mb": Hostile(_huge_body, 413, "M063"),
    "R16-answers-over-the-cap": Hostile(_many_answers, 413, "M087"),
    "R17-new-names-too-fast": Hostile(_new_names(3), 429, "M088", {"MENTOR_MAX_NEW_SESSIONS_PER_MINUTE": "3"}),
    "R17-names-past-max-sessions": Hostile(_new_names(2), 403, "M083", {"MENTOR_MAX_SESSIONS": "2"}),
    "R18-rebound-host": Hostile(lambda c: c.get("/project", headers={"Host": "evil.example:80"}), 400, "M085"),
}


@pytest.mark.parametrize("case", list(REQUESTS))
def test_issue12_hostile_request_is_refused_with_its_code(start_server: Callable, tmp_path: Path, case: str) -> None:
    hostile = REQUESTS[case]
    source = write_source(tmp_path / "texts.jsonl")
    server = start_server(["mark", "news", str(source), "--view-id", "text"], extra_env=hostile.env)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        reply = hostile.send(client)
        assert reply.status_code == hostile.status, reply.text
        assert reply.json()["code"] == hostile.code
        known = "bot0" if case.startswith("R17") else "alex"  # a name the case already used
        assert client.get("/project", params={"session": known}).status_code == 200  # still serving
    db = Database(f"sqlite:///{tmp_path / 'home' / 'mentor.db'}")
    try:
        stored = list(db.get_dataset_examples("news")) if "news" in db else []
        # only the forged-text case stores anything: the real answer it sends afterwards
        assert len(stored) == (1 if case.startswith("R14") else 0)
        assert all(isinstance(eg["text"], str) and eg["text"].startswith("message") for eg in stored)
    finally:
        db.close()


def test_issue12_hostile_responses_carry_security_headers(start_server: Callable, tmp_path: Path) -> None:
    """R19: CSP, X-Frame-Options and nosniff on the page and on the API."""
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"])
    for path in ("/", "/project"):
        headers = httpx.get(server.url + path, timeout=30).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


# -- sources with bad records: every valid task is served, the rest counted -------------------------


def _truncated_gz(tmp_path: Path) -> Path:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(write_source(tmp_path / "full.jsonl", n=3000).read_bytes())
    path.write_bytes(data[: len(data) // 2])
    return path


def _csv_with_big_cell(tmp_path: Path) -> Path:
    path = tmp_path / "big.csv"
    rows = [f"message number {i}" for i in range(1, N_TASKS + 1)]
    rows[9] = "x" * 200_000
    path.write_text("text\n" + "\n".join(rows) + "\n", encoding="utf8")
    return path


SOURCES: Dict[str, Callable[[Path], Path]] = {
    "R1-bad-line-in-the-middle": lambda p: write_source(p / "mid.jsonl", {16: '{"text": "broken'}),
    "R1-bad-line-near-the-start": lambda p: write_source(p / "early.jsonl", {6: '{"text": "broken'}),
    "R5-lone-surrogate": lambda p: write_source(p / "sur.jsonl", {12: '{"text": "a\\ud800b"}'}),
    "R5-csv-cell-over-128kb": _csv_with_big_cell,
}


@pytest.mark.parametrize("case", list(SOURCES))
def test_issue12_hostile_source_serves_every_valid_task(start_server: Callable, tmp_path: Path, case: str) -> None:
    source = SOURCES[case](tmp_path)
    server = start_server(["mark", "news", str(source), "--view-id", "text"])
    served: List[str] = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        while True:
            reply = client.post("/get_session_questions", json={"session_id": "alex"})
            assert reply.status_code == 200, reply.text
            tasks = reply.json()["tasks"]
            if not tasks:
                break
            served += [t["text"] for t in tasks]
            assert give(client, [{**t, "answer": "accept"} for t in tasks]).status_code == 200
        project = client.get("/project", params={"session": "alex"}).json()
    assert len(served) == N_TASKS - 1 and len(set(served)) == N_TASKS - 1
    assert project["skipped"] == 1 and source.name in project["skipped_lines"][0]


def test_issue12_hostile_truncated_gz_serves_what_it_holds(start_server: Callable, tmp_path: Path) -> None:
    """R4: the tasks before the damage are served, and /project answers (it was a 500 on every call)."""
    server = start_server(["mark", "news", str(_truncated_gz(tmp_path)), "--view-id", "text"])
    with httpx.Client(base_url=server.url, timeout=60) as client:
        tasks = client.post("/get_session_questions", json={"session_id": "alex"}).json()["tasks"]
        assert tasks and client.get("/project").status_code == 200


# -- texts whose 32-bit hashes collide ---------------------------------------------------------------

# found by a birthday search: one _input_hash and one _task_hash for two texts
COLLIDING = ("collision probe 43663", "collision probe 237330")


def test_issue12_hostile_colliding_hashes_serve_store_and_skip_each_text_apart(
    start_server: Callable, tmp_path: Path
) -> None:
    """R23: both texts are served and stored; a restart skips the answered one and serves the other."""
    first, second = (json.dumps({"text": text}) for text in COLLIDING)
    source = write_source(tmp_path / "texts.jsonl", {5: first, 20: second})
    args = ["mark", "news", str(source), "--view-id", "text"]
    server = start_server(args)
    served: List[Dict[str, Any]] = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        while True:
            tasks = client.post("/get_session_questions", json={"session_id": "alex"}).json()["tasks"]
            if not tasks:
                break
            served += tasks
            kept = [t for t in tasks if t["text"] != COLLIDING[1]]  # the second is left unanswered
            assert give(client, [{**t, "answer": "accept"} for t in kept]).json()["saved"] == len(kept)
    server.terminate()
    pair = [t for t in served if t["text"] in COLLIDING]
    assert len(served) == len({t["text"] for t in served}) == N_TASKS
    assert pair[0]["_task_hash"] == pair[1]["_task_hash"] and pair[0]["_input_hash"] == pair[1]["_input_hash"]

    server = start_server(args)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        tasks = client.post("/get_session_questions", json={"session_id": "bea"}).json()["tasks"]
        assert [t["text"] for t in tasks] == [COLLIDING[1]]
        assert give(client, [{**tasks[0], "answer": "accept"}], "bea").json()["saved"] == 1
    db = Database(f"sqlite:///{tmp_path / 'home' / 'mentor.db'}")
    try:
        stored = [eg["text"] for eg in db.get_dataset_examples("news")]
        assert len(stored) == len(set(stored)) == N_TASKS and set(COLLIDING) <= set(stored)
    finally:
        db.close()


# -- sources a recipe must refuse at start, with one line -------------------------------------------


STARTS: Dict[str, Any] = {
    "R3-gz-that-is-not-gzip": (lambda p: _plain_gz(p), [], {}, "M018"),
    "R2-strict-sources": (lambda p: write_source(p / "mid.jsonl", {16: "nope"}), [], {"MENTOR_STRICT_SOURCES": "1"}, "M086"),
    # a folder alone means images; with a file loader named it is a mistake
    "R3-folder-for-a-file": (lambda p: _folder(p), ["--loader", "jsonl"], {}, "M021"),
}


def _plain_gz(tmp_path: Path) -> Path:
    path = tmp_path / "plain.jsonl.gz"
    path.write_text('{"text": "not compressed"}\n')
    return path


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder"
    path.mkdir()
    return path


@pytest.mark.parametrize("case", list(STARTS))
def test_issue12_hostile_source_stops_the_recipe_at_start(tmp_path: Path, case: str) -> None:
    make, args, extra, code = STARTS[case]
    source = make(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env.update({"MENTOR_HOME": str(tmp_path / "home"), "MENTOR_PORT": "0", **extra})
    done = subprocess.run([sys.executable, "-m", "mentor", "mark", "news", str(source), *args],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert f"[{code}]" in line and "Traceback" not in done.stderr
