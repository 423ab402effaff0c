"""Issue 13 part 4 against a real ``mentor mark`` process: users bound to their sessions.

Before, with basic auth, alex could read bea's queue and store answers as bea.
Here two annotators are bound to their sessions through the environment
(``MENTOR_USER_SESSIONS``) and carol is an admin (``MENTOR_ADMINS``): alex gets
403 for bea's session on every route and stores nothing there, a request that
names no session is alex's own, and carol may read and answer bea's queue.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

import httpx

from mentor.db import Database

from support.auth import USERS
from support.auth import BOUND_USERS_ENV as ENV


def write_source(path: Path, n: int = 30) -> Path:
    path.write_text("".join(json.dumps({"text": f"message number {i}"}) + "\n" for i in range(n)), encoding="utf8")
    return path


def client_for(url: str, user: str) -> httpx.Client:
    return httpx.Client(base_url=url, auth=(user, USERS[user]), timeout=60)


def accepted(tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [{**task, "answer": "accept"} for task in tasks]


def test_issue13_bound_users_keep_to_their_own_sessions(start_server: Callable, tmp_path: Path) -> None:
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"], extra_env=ENV)
    with client_for(server.url, "alex") as alex, client_for(server.url, "bea") as bea, client_for(server.url, "carol") as carol:
        beas = bea.post("/get_session_questions", json={"session_id": "bea"}).json()["tasks"]
        assert len(beas) == 10
        # alex can't read bea's queue, open her project, or answer her tasks as her
        refused = [
            alex.post("/get_session_questions", json={"session_id": "bea"}),
            alex.post("/get_session_questions", json={"session_id": "news-bea"}),
            alex.get("/project", params={"session": "bea"}),
            alex.post("/give_answers", json={"answers": accepted(beas), "session_id": "bea"}),
        ]
        for reply in refused:
            assert reply.status_code == 403, reply.text
            assert reply.json()["code"] == "M089" and "bea" in reply.json()["detail"]
        # no session named: alex's own, as the web app opened without ?session= asks
        assert alex.get("/project").json()["session_id"] == "news-alex"
        mine = alex.post("/get_session_questions", json={"session_id": None}).json()
        assert mine["session_id"] == "news-alex" and len(mine["tasks"]) == 10
        assert not {t["text"] for t in mine["tasks"]} & {t["text"] for t in beas}  # bea's tasks stay hers
        saved = alex.post("/give_answers", json={"answers": accepted(mine["tasks"][:4]), "session_id": None})
        assert saved.status_code == 200 and saved.json()["session_id"] == "news-alex" and saved.json()["saved"] == 4
        # the admin reads bea's queue and answers as bea
        again = carol.post("/get_session_questions", json={"session_id": "bea"})
        assert again.status_code == 200 and again.json()["session_id"] == "news-bea"
        as_bea = carol.post("/give_answers", json={"answers": accepted(beas[:3]), "session_id": "bea"})
        assert as_bea.status_code == 200 and as_bea.json()["saved"] == 3
        assert carol.get("/project", params={"session": "alex"}).status_code == 200
        # and bea answers the rest of what she was sent
        assert bea.post("/give_answers", json={"answers": accepted(beas[3:])}).json()["saved"] == 7
    db = Database(f"sqlite:///{tmp_path / 'home' / 'mentor.db'}")
    try:
        stored = list(db.get_dataset_examples("news"))
        by_session = {sid: sum(eg["_session_id"] == sid for eg in stored) for sid in ("news-alex", "news-bea")}
        assert by_session == {"news-alex": 4, "news-bea": 10} and len(stored) == 14
        assert db.count_dataset("news-alex") == 4 and db.count_dataset("news-bea") == 10
    finally:
        db.close()


def test_issue13_binding_without_basic_auth_stops_at_start_with_one_line(tmp_path: Path) -> None:
    """Binding users that basic auth doesn't know must not leave every queue open: exit 1, one stderr line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env.update({"MENTOR_HOME": str(tmp_path / "home"), "MENTOR_PORT": "0", "MENTOR_USER_SESSIONS": "alex:alex"})
    done = subprocess.run(
        [sys.executable, "-m", "mentor", "mark", "news", str(write_source(tmp_path / "t.jsonl"))],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert "basic auth is off" in line and "[M020]" in line
