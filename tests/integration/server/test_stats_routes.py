"""Issue 13 part 5 against a real ``mentor mark`` process: /stats and /stats.json after answers with on-screen times."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import httpx

from support.auth import BOUND_USERS_ENV, USERS

ENV = {**BOUND_USERS_ENV, "MENTOR_CONFIG_OVERRIDES": json.dumps({"feed_overlap": True})}


def write_source(path: Path, n: int = 6) -> Path:
    path.write_text("".join(json.dumps({"text": f"match report {i}"}) + "\n" for i in range(n)), encoding="utf8")
    return path


def answer_all(client: httpx.Client, session: str, kinds: List[str], seconds: List[float],
               tasks: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    tasks = tasks or client.post("/get_session_questions", json={"session_id": session}).json()["tasks"]
    assert len(tasks) == len(kinds)
    tasks.sort(key=lambda t: t["text"])
    answers = [{**t, "answer": k, "_time_on_screen": s} for t, k, s in zip(tasks, kinds, seconds)]
    reply = client.post("/give_answers", json={"answers": answers, "session_id": session})
    assert reply.status_code == 200, reply.text
    return answers


def test_issue13_stats_page_and_json_through_a_real_server(start_server: Callable, tmp_path: Path) -> None:
    args = ["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "classification", "--label", "SPORTS"]
    server = start_server(args, extra_env=ENV)
    auth = {name: (name, password) for name, password in USERS.items()}
    with httpx.Client(base_url=server.url, auth=auth["alex"], timeout=60) as alex, \
            httpx.Client(base_url=server.url, auth=auth["bea"], timeout=60) as bea, \
            httpx.Client(base_url=server.url, auth=auth["carol"], timeout=60) as carol:
        # an on-screen time that is no number of seconds is refused, naming the field and the answer
        tasks = alex.post("/get_session_questions", json={"session_id": "alex"}).json()["tasks"]
        bad = alex.post("/give_answers", json={"answers": [{**tasks[0], "answer": "accept", "_time_on_screen": -3}],
                                                "session_id": "alex"})
        assert bad.status_code == 422 and bad.json()["code"] == "M061" and "_time_on_screen" in bad.json()["detail"]
        answer_all(alex, "alex", ["accept", "accept", "reject", "reject", "accept", "ignore"], [1.0, 2.0, 3.0, 4.0, 5.0, 60.0], tasks)
        answer_all(bea, "bea", ["accept", "reject", "reject", "reject", "accept", "accept"], [10.0, 10.0, 20.0, 20.0, 30.0, 30.0])

        data = carol.get("/stats.json").json()
        people = {a["name"]: a for a in data["annotators"]}
        assert data["dataset"] == "news" and data["answers"] == 12 and data["by"] == "task" and set(people) == {"alex", "bea"}
        a, b = people["alex"], people["bea"]
        assert (a["answers"], a["accept"], a["reject"], a["ignore"], a["timed"]) == (6, 3, 2, 1, 6)
        assert a["seconds_median"] == 3.5 and abs(a["seconds_p90"] - 32.5) < 1e-9
        assert (b["seconds_median"], b["seconds_p90"]) == (20.0, 30.0)
        # compared on texts 0-4 (alex ignored 5): they differ on text 1
        assert (a["agreement"], a["agreement_items"]) == (0.8, 5) and b["agreement"] == 0.8

        # a bound user who isn't an admin sees its own row; without a login, nothing
        assert [p["name"] for p in alex.get("/stats.json").json()["annotators"]] == ["alex"]
        assert httpx.get(f"{server.url}/stats.json").status_code == 401
        assert httpx.get(f"{server.url}/stats").status_code == 401

        page = carol.get("/stats")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
        html = page.text
        assert "<script" not in html.lower() and "<svg" in html and 'href="http' not in html and "src=" not in html
        rows = dict(re.findall(r"<tr><td>(\w+)</td>(.*?)</tr>", html))
        assert set(rows) == {"alex", "bea"} and "<td>3.5</td>" in rows["alex"] and "<td>80% of 5</td>" in rows["alex"]
        assert html.count('class="accept"') == 2  # a bar of accepts for each annotator

        spec = carol.get("/openapi.json").json()
        ok = spec["paths"]["/stats.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith("/SessionsStatsResponse")
        assert "/stats" not in spec["paths"]
