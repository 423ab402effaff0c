"""Issue 13 part 6 against a real server process: the management API under ``/api/v1/``.

List, stats, sessions, export (byte for byte what ``mentor db-out`` writes),
import (db-in's validation: a bad line is a 422 naming it, and nothing is
stored), drop (only with ``?confirm=`` equal to the name, never the dataset
the server stores answers in), behind basic auth, and admin-only when users
are bound to sessions.
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List

import httpx

from mentor.db import Database

API = "/api/v1/datasets"


def write_source(path: Path, n: int = 30) -> Path:
    path.write_text("".join(json.dumps({"text": f"message number {i}"}) + "\n" for i in range(n)), encoding="utf8")
    return path


def cli(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_DB_URL"] = db_url
    return subprocess.run(
        [sys.executable, "-m", "mentor", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def annotate(client: httpx.Client, session: str, answers: List[str]) -> None:
    tasks = client.post("/get_session_questions", json={"session_id": session}).json()["tasks"]
    assert len(tasks) >= len(answers)
    done = [{**task, "answer": answer} for task, answer in zip(tasks, answers)]
    reply = client.post("/give_answers", json={"answers": done, "session_id": session})
    assert reply.status_code == 200 and reply.json()["saved"] == len(answers), reply.text


def jsonl(rows: List[Dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf8")


def test_issue13_manage_list_stats_sessions_export_import(start_server: Callable, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mentor.db'}"
    source = write_source(tmp_path / "texts.jsonl")
    server = start_server(["mark", "news", str(source), "--view-id", "text"], db_url=db_url)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        annotate(client, "alex", ["accept", "accept", "reject"])
        annotate(client, "bea", ["ignore", "accept"])
        upload = jsonl([{"text": "one", "answer": "reject"}, {"text": "two"}, {"text": "three", "meta": {"n": 3}}])
        imported = client.post(f"{API}/other/import", content=upload, headers={"Content-Type": "application/x-ndjson"})
        assert imported.status_code == 200, imported.text
        assert imported.json() == {
            "dataset": "other", "added": 3, "total": 3, "kept": 1, "skipped": 0, "skipped_lines": []
        }

        listed = client.get(API)
        assert listed.status_code == 200
        assert [(item["name"], item["answers"]) for item in listed.json()["datasets"]] == [("news", 5), ("other", 3)]

        stats = client.get(f"{API}/news").json()
        assert {key: stats[key] for key in ("name", "answers", "accept", "reject", "ignore", "sessions", "session")} == {
            "name": "news", "answers": 5, "accept": 3, "reject": 1, "ignore": 1, "sessions": 2, "session": False,
        }
        assert stats["created"] > 1_600_000_000 and stats["inputs"] == 5
        assert client.get(f"{API}/other").json()["accept"] == 2  # the default answer, as db-in gives it
        assert client.get(f"{API}/news-alex").json()["session"] is True

        sessions = client.get(f"{API}/news/sessions").json()
        assert sessions == {
            "dataset": "news",
            "sessions": [{"session_id": "news-alex", "answers": 3}, {"session_id": "news-bea", "answers": 2}],
        }

        # export: streamed JSONL, byte for byte what `mentor db-out` writes
        exported = client.get(f"{API}/news/export")
        assert exported.status_code == 200
        assert exported.headers["content-type"] == "application/x-ndjson"
        db_out = cli(db_url, "db-out", "news")
        assert db_out.returncode == 0, db_out.stderr
        assert exported.text == db_out.stdout and len(exported.text.splitlines()) == 5
        rejected = client.get(f"{API}/news/export", params={"answer": "reject"}).text.splitlines()
        assert [json.loads(line)["answer"] for line in rejected] == ["reject"]

        # round trip: the export imported into a new dataset exports the same answers
        again = client.post(f"{API}/copy/import", content=exported.content)
        assert again.status_code == 200 and again.json()["added"] == 5, again.text
        assert client.get(f"{API}/copy/export").text == exported.text

        for missing in (f"{API}/nope", f"{API}/nope/sessions", f"{API}/nope/export", f"{API}/a%2Fb/export"):
            reply = client.get(missing)
            assert reply.status_code == 404 and reply.json()["code"] == "M031", (missing, reply.text)


def test_issue13_import_refuses_a_bad_line_as_db_in_does_and_stores_nothing(start_server: Callable, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mentor.db'}"
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"], db_url=db_url)
    bad = jsonl([{"text": "fine"}, {"text": "also fine"}]) + b'{"text": "broken"\n' + jsonl([{"text": "after"}])
    (tmp_path / "bad.jsonl").write_bytes(bad)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post(f"{API}/kept/import", content=jsonl([{"text": "first"}])).json()["total"] == 1
        for name in ("fresh", "kept"):
            reply = client.post(f"{API}/{name}/import", content=bad)
            assert reply.status_code == 422, reply.text
            body = reply.json()
            assert body["code"] == "M011" and body["line"] == 3
            assert body["detail"].startswith("upload:3: not valid JSON") and "Nothing was imported" in body["detail"]
        # all or nothing: no new dataset, nothing added to the existing one
        assert [item["name"] for item in client.get(API).json()["datasets"]] == ["news", "kept"]
        assert client.get(f"{API}/kept").json()["answers"] == 1
        # db-in refuses the same file with the same code and line
        db_in = cli(db_url, "db-in", "fresh", str(tmp_path / "bad.jsonl"))
        assert db_in.returncode == 1 and "[M011]" in db_in.stdout + db_in.stderr
        assert "bad.jsonl:3: not valid JSON" in db_in.stdout + db_in.stderr
        # the same options: skip_invalid imports the rest and names the line; a bad answer is db-in's M026
        skipped = client.post(f"{API}/fresh/import", content=bad, params={"skip_invalid": "true", "answer": "reject"})
        assert skipped.status_code == 200, skipped.text
        assert skipped.json()["added"] == 3 and skipped.json()["skipped"] == 1
        assert skipped.json()["skipped_lines"][0].startswith("upload:3:")
        assert client.get(f"{API}/fresh").json()["reject"] == 3
        wrong = client.post(f"{API}/x/import", content=jsonl([{"text": "a"}]), params={"answer": "maybe"})
        assert wrong.status_code == 422 and wrong.json()["code"] == "M026"
        empty = client.post(f"{API}/x/import", content=b"")
        assert empty.status_code == 422 and empty.json()["code"] == "M019"
        badname = client.post(f"{API}/bad name!/import", content=jsonl([{"text": "a"}]))
        assert badname.status_code == 422 and badname.json()["code"] == "M041"
        assert "x" not in [item["name"] for item in client.get(API).json()["datasets"]]
        # a gzip body is read as db-in reads a .jsonl.gz, lines and all
        zipped = client.post(f"{API}/zipped/import", content=gzip.compress(jsonl([{"text": "a"}, {"text": "b"}])))
        assert zipped.status_code == 200 and zipped.json()["added"] == 2, zipped.text
        broken = client.post(f"{API}/zipped/import", content=gzip.compress(jsonl([{"text": "c"}, {"x": 1}])))
        assert broken.status_code == 422 and broken.json()["code"] == "M012" and broken.json()["line"] == 2
        assert client.get(f"{API}/zipped").json()["answers"] == 2


def test_issue13_import_has_its_own_body_limit(start_server: Callable, tmp_path: Path) -> None:
    limits = {"MENTOR_MAX_REQUEST_BYTES": "2000", "MENTOR_MAX_IMPORT_BYTES": "100000"}
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"], extra_env=limits)
    rows = [{"text": f"a longer line of text, number {i}"} for i in range(200)]  # about 9 kB: over max_request_bytes
    with httpx.Client(base_url=server.url, timeout=60) as client:
        ok = client.post(f"{API}/big/import", content=jsonl(rows))
        assert ok.status_code == 200 and ok.json()["added"] == 200, ok.text
        huge = client.post(f"{API}/huge/import", content=jsonl(rows * 20))
        assert huge.status_code == 413 and huge.json()["code"] == "M063"
        assert "max_import_bytes" in huge.json()["detail"]
        # the annotation routes keep the smaller limit
        refused = client.post("/give_answers", content=jsonl(rows), headers={"Content-Type": "application/json"})
        assert refused.status_code == 413 and "max_request_bytes" in refused.json()["detail"]
        assert [item["name"] for item in client.get(API).json()["datasets"]] == ["news", "big"]


def test_issue13_drop_needs_confirmation_and_takes_the_sessions_with_it(start_server: Callable, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mentor.db'}"
    source = write_source(tmp_path / "texts.jsonl")
    first = start_server(["mark", "old", str(source), "--view-id", "text"], db_url=db_url)
    with httpx.Client(base_url=first.url, timeout=60) as client:
        annotate(client, "alex", ["accept", "reject"])
    assert first.terminate() == 0
    server = start_server(["mark", "news", str(source), "--view-id", "text"], db_url=db_url)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for params in ({}, {"confirm": "wrong"}, {"confirm": "OLD"}):
            reply = client.delete(f"{API}/old", params=params)
            assert reply.status_code == 422 and reply.json()["code"] == "M150", reply.text
        assert client.get(f"{API}/old").json()["answers"] == 2
        # the dataset this server stores answers in stays, confirmed or not
        annotate(client, "bea", ["accept"])
        for name in ("news", "news-bea"):
            reply = client.delete(f"{API}/{name}", params={"confirm": name})
            assert reply.status_code == 409 and reply.json()["code"] == "M151", reply.text
        missing = client.delete(f"{API}/nope", params={"confirm": "nope"})
        assert missing.status_code == 404 and missing.json()["code"] == "M031"

        dropped = client.delete(f"{API}/old", params={"confirm": "old"})
        assert dropped.status_code == 200 and dropped.json() == {"dataset": "old", "deleted": 2}
        assert client.get(f"{API}/old").status_code == 404
        assert [item["name"] for item in client.get(API).json()["datasets"]] == ["news"]
    db = Database(db_url)
    try:
        assert "old-alex" not in db.sessions and "news-bea" in db.sessions  # as `mentor drop` does
        assert db.count_dataset("news") == 1
    finally:
        db.close()


def test_issue13_management_api_is_behind_basic_auth(start_server: Callable, tmp_path: Path) -> None:
    auth = {"MENTOR_BASIC_AUTH_USER": "alex,bea", "MENTOR_BASIC_AUTH_PASS": "pw-a,pw-b"}
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"], extra_env=auth)
    with httpx.Client(base_url=server.url, timeout=60) as anonymous:
        for method, path in (("GET", API), ("GET", f"{API}/news"), ("GET", f"{API}/news/sessions"),
                             ("GET", f"{API}/news/export"), ("POST", f"{API}/x/import"), ("DELETE", f"{API}/x?confirm=x")):
            reply = anonymous.request(method, path, content=jsonl([{"text": "a"}]) if method == "POST" else None)
            assert reply.status_code == 401 and reply.json()["code"] == "M080", (method, path, reply.text)
        assert anonymous.get(API, auth=("alex", "wrong")).status_code == 401
    # no binding: any known user may manage
    with httpx.Client(base_url=server.url, timeout=60, auth=("bea", "pw-b")) as bea:
        assert bea.post(f"{API}/x/import", content=jsonl([{"text": "a"}])).status_code == 200
        assert [item["name"] for item in bea.get(API).json()["datasets"]] == ["news", "x"]


def test_issue13_only_admins_manage_when_users_are_bound_to_sessions(start_server: Callable, tmp_path: Path) -> None:
    users = {"alex": "pw-a", "carol": "pw-c"}
    env = {
        "MENTOR_BASIC_AUTH_USER": ",".join(users),
        "MENTOR_BASIC_AUTH_PASS": ",".join(users.values()),
        "MENTOR_USER_SESSIONS": "alex:alex",
        "MENTOR_ADMINS": "carol",
    }
    server = start_server(["mark", "news", str(write_source(tmp_path / "texts.jsonl")), "--view-id", "text"], extra_env=env)
    with httpx.Client(base_url=server.url, timeout=60, auth=("alex", "pw-a")) as alex:
        for method, path in (("GET", API), ("GET", f"{API}/news"), ("GET", f"{API}/news/sessions"),
                             ("GET", f"{API}/news/export"), ("POST", f"{API}/x/import"), ("DELETE", f"{API}/x?confirm=x")):
            reply = alex.request(method, path, content=jsonl([{"text": "a"}]) if method == "POST" else None)
            assert reply.status_code == 403 and reply.json()["code"] == "M152", (method, path, reply.text)
        assert alex.get("/project").status_code == 200  # annotating stays as it was
    with httpx.Client(base_url=server.url, timeout=60, auth=("carol", "pw-c")) as carol:
        assert carol.post(f"{API}/x/import", content=jsonl([{"text": "a"}])).status_code == 200
        assert [item["name"] for item in carol.get(API).json()["datasets"]] == ["news", "x"]
        assert carol.delete(f"{API}/x", params={"confirm": "x"}).status_code == 200
