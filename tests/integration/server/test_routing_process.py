"""Routing across tabs and closed sessions through a real server process (issue 13 part 3)."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import httpx

N_TASKS = 12


def ask(client: httpx.Client, session: str, tab: Optional[str] = None) -> Dict:
    body: Dict = {"session_id": session}
    if tab is not None:
        body["tab_id"] = tab
    reply = client.post("/get_session_questions", json=body)
    assert reply.status_code == 200, reply.text
    return reply.json()


def give(client: httpx.Client, session: str, tasks: List[Dict], tab: Optional[str] = None) -> None:
    body: Dict = {"session_id": session, "answers": [{**t, "answer": "accept"} for t in tasks]}
    if tab is not None:
        body["tab_id"] = tab
    reply = client.post("/give_answers", json=body)
    assert reply.status_code == 200, reply.text


def test_issue13_tabs_share_a_queue_and_a_closed_session_s_tasks_come_back(start_server: Callable, tmp_path: Path) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(N_TASKS)))
    overrides = json.dumps({"session_hold_seconds": 2, "batch_size": 3})
    server = start_server(
        ["textcat.manual", "news", str(source), "--label", "A,B"], extra_env={"MENTOR_CONFIG_OVERRIDES": overrides}
    )
    with httpx.Client(base_url=server.url, timeout=30) as client:
        project = client.get("/project", params={"session": "alex", "tab": "tab-1"}).json()
        assert project["config"]["session_hold_seconds"] == 2
        client.get("/project", params={"session": "alex", "tab": "tab-2"})
        one = ask(client, "alex", "tab-1")["tasks"]
        two = ask(client, "alex", "tab-2")["tasks"]
        assert len(one) == len(two) == 3
        assert not {t["text"] for t in one} & {t["text"] for t in two}  # never the same task to both tabs
        left = ask(client, "bea")["tasks"]  # bea takes a batch and closes her tab
        assert len(left) == 3
        seen = {t["text"] for t in one + two + left}
        mine: List[Dict] = []
        for tab, first in (("tab-1", one), ("tab-2", two)):
            give(client, "alex", first, tab)
        for _ in range(3):
            for tab in ("tab-1", "tab-2"):
                batch = ask(client, "alex", tab)["tasks"]
                assert not {t["text"] for t in batch} & seen
                seen |= {t["text"] for t in batch}
                give(client, "alex", batch, tab)
                mine += batch
        out = ask(client, "alex", "tab-1")
        assert out["tasks"] == [] and out["held_elsewhere"] == 3  # not done: bea's three are still held
        time.sleep(2.5)  # bea silent past session_hold_seconds (2): her tasks are handed on
        out = ask(client, "alex", "tab-1")
        assert sorted(t["text"] for t in out["tasks"]) == sorted(t["text"] for t in left)
        assert out["held_elsewhere"] == 0
        give(client, "alex", out["tasks"], "tab-1")
        done = ask(client, "alex", "tab-2")
        assert done["tasks"] == [] and done["held_elsewhere"] == 0
        # a Prodigy-style client (no tab id) still works
        assert ask(client, "carl")["tasks"] == []


def test_issue13_reload_of_one_tab_gets_back_only_its_own_tasks(start_server: Callable, tmp_path: Path) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(N_TASKS)))
    server = start_server(
        ["textcat.manual", "news", str(source), "--label", "A,B"],
        extra_env={"MENTOR_CONFIG_OVERRIDES": json.dumps({"batch_size": 3})},
    )
    with httpx.Client(base_url=server.url, timeout=30) as client:
        one = ask(client, "alex", "tab-1")["tasks"]
        two = ask(client, "alex", "tab-2")["tasks"]
        client.get("/project", params={"session": "alex", "tab": "tab-2"})  # tab-2 reloads
        again = ask(client, "alex", "tab-2")["tasks"]
        assert [t["text"] for t in again] == [t["text"] for t in two]
        assert not {t["text"] for t in again} & {t["text"] for t in one}
