"""``POST /validate_answer`` (one answer checked before the next task shows) and the page with
the operator's ``global_css``/``javascript`` under its Content-Security-Policy (issue 15)."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any, Callable, Dict

from fastapi.testclient import TestClient

from mentor.core.components import Components
from mentor.db import Database
from mentor.server.custom_page import allow_script, customise

MakeClient = Callable[..., TestClient]
STATIC = Path(__file__).resolve().parents[3] / "mentor" / "server" / "static"


def refuse_empty(eg: Dict[str, Any]) -> None:
    if eg["answer"] == "accept" and not eg.get("accept"):
        raise ValueError("Select at least one option")


def test_validate_answer_checks_one_answer_and_stores_nothing(make_client: MakeClient, server_db: Database) -> None:
    client = make_client(Components(dataset="news", stream=[{"text": "a"}], view_id="choice", validate_answer=refuse_empty))
    assert client.get("/project").json()["config"]["validate_answer"] is True
    (task,) = client.post("/get_session_questions", json={}).json()["tasks"]
    refused = client.post("/validate_answer", json={"answer": {**task, "answer": "accept"}})
    assert refused.status_code == 422
    assert refused.json()["code"] == "M060" and refused.json()["detail"] == "Select at least one option"
    ok = client.post("/validate_answer", json={"answer": {**task, "answer": "accept", "accept": ["X"]}})
    assert ok.status_code == 200 and ok.json() == {"ok": True}
    assert server_db.count_dataset("news") == 0


def test_validate_answer_refuses_what_the_server_never_sent(make_client: MakeClient) -> None:
    client = make_client(Components(dataset="news", stream=[{"text": "a"}], view_id="choice", validate_answer=refuse_empty))
    reply = client.post("/validate_answer", json={"answer": {"text": "made up", "answer": "accept", "accept": ["X"]}})
    assert reply.status_code == 422 and reply.json()["code"] != "M060"


def test_without_validate_answer_the_app_is_told_so(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get("/project").json()["config"]["validate_answer"] is False
    (task, *_) = client.post("/get_session_questions", json={}).json()["tasks"]
    assert client.post("/validate_answer", json={"answer": {**task, "answer": "reject"}}).json() == {"ok": True}


def sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_allow_script_adds_exactly_its_hash() -> None:
    policy = "default-src 'self'; script-src 'sha256-AAA'; style-src 'self'"
    assert allow_script(policy, "x()") == f"default-src 'self'; script-src 'sha256-AAA' {sha('x()')}; style-src 'self'"


def test_customise_puts_css_and_script_in_the_page_and_its_policy() -> None:
    page = ('<head><meta http-equiv="Content-Security-Policy" content="script-src \'sha256-AAA\'; object-src \'none\'">'
            "</head><body><script>app()</script></body>")
    html, policy = customise(page, "script-src 'sha256-AAA'; frame-ancestors 'none'", "a{}</style><b>", "go()</script><i>")
    assert "<style id=\"mentor-global-css\">a{}<\\/style><b></style>" in html
    script = "go()<\\/script><i>"
    assert f'<script id="mentor-custom-js">{script}</script>' in html
    assert policy == f"script-src 'sha256-AAA' {sha(script)}; frame-ancestors 'none'"
    meta = re.search(r'content="([^"]+)"', html).group(1)
    assert meta == f"script-src 'sha256-AAA' {sha(script)}; object-src 'none'"


def test_the_page_as_built_without_either(make_client: MakeClient) -> None:
    client = make_client(static_dir=STATIC)
    reply = client.get("/")
    assert reply.text == (STATIC / "index.html").read_text(encoding="utf8")
    assert "'unsafe-inline'" not in re.search(r"script-src ([^;]*)", reply.headers["content-security-policy"]).group(1)


def test_the_page_with_javascript_set(make_client: MakeClient) -> None:
    components = Components(dataset="news", stream=[{"text": "a"}], view_id="text",
                            config={"javascript": "window.ok = 1", "global_css": "body{color:red}"})
    reply = make_client(components, static_dir=STATIC).get("/")
    assert '<script id="mentor-custom-js">window.ok = 1</script>' in reply.text
    assert '<style id="mentor-global-css">body{color:red}</style>' in reply.text
    assert sha("window.ok = 1") in reply.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in reply.headers["content-security-policy"]
