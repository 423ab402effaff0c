"""``mentor RECIPE -F file.py`` for a Prodigy recipe that returns a Controller it built itself."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import httpx

from mentor.db import Database

RECIPES = Path(__file__).parent / "recipes"


def test_a_built_controller_is_served(start_server: Callable, tmp_path: Path) -> None:
    source = tmp_path / "texts.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(5)))
    url = f"sqlite:///{tmp_path / 'ctrl.db'}"
    server = start_server(["own-controller", "ctrl_ds", str(source), "-F", str(RECIPES / "built_controller.py")], db_url=url)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/project").json()["config"]["batch_size"] == 2
        tasks = client.post("/get_session_questions", json={"session_id": "alex"}).json()["tasks"]
        answers = [{**task, "answer": "accept"} for task in tasks]
        reply = client.post("/give_answers", json={"answers": answers, "session_id": "alex"}).json()
    server.terminate()
    assert len(tasks) == 2 and reply["progress"] == 0.2  # progress(session=2) / 10
    db = Database(url)
    assert db.count_dataset("ctrl_ds") == 2
    db.close()
