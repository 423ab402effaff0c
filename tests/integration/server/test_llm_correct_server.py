"""ner/textcat.llm.correct as real server processes, with suggestions from a fake OpenAI-compatible server.

The fake listens on 127.0.0.1 (started by the test); the recipe runs as
``python -m mentor``; tasks are fetched and answered over HTTP as the app does,
and the stored answers are read back.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import httpx

from mentor.db import Database
from support.fake_llm import FakeLLM, entities_reply

TEXTS = ["Tim Cook runs Apple in Cupertino.", "Satya Nadella leads Microsoft.", "Nothing here at all."]
ENTITIES = {
    TEXTS[0]: [("Tim Cook", "PERSON"), ("Apple", "ORG"), ("Cupertino", "GPE")],  # GPE: not asked, left out
    TEXTS[1]: [("Satya Nadella", "PERSON"), ("Microsoft", "ORG")],
}


def _source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
    return path


def _env(fake: FakeLLM) -> dict:
    return {"MENTOR_LLM_BASE_URL": fake.url, "MENTOR_LLM_MODEL": "fake-1", "MENTOR_LLM_API_KEY": "sk-test"}


def test_ner_llm_correct_prefills_spans_shows_llm_io_and_stores_ner_manual_answers(
    start_server: Callable, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'llm.db'}"
    with FakeLLM(entities_reply(ENTITIES), api_key="sk-test") as fake:
        server = start_server(["ner.llm.correct", "llm_ner", "blank:en", str(_source(tmp_path)), "--label", "PERSON,ORG",
                               "-d", "ORG=a company"], db_url=db_url, extra_env=_env(fake))
        with httpx.Client(base_url=server.url, timeout=30) as client:
            project = client.get("/project").json()
            tasks = client.post("/get_session_questions", json={"session_id": "ann"}).json()["tasks"]
            assert project["view_id"] == "blocks"
            assert [b["view_id"] for b in project["config"]["blocks"]] == ["ner_manual", "llm_io"]
            by_text = {t["text"]: t for t in tasks}
            assert [(s["start"], s["end"], s["label"], s["token_start"], s["token_end"]) for s in by_text[TEXTS[0]]["spans"]] == [
                (0, 8, "PERSON", 0, 1), (14, 19, "ORG", 3, 3)]
            assert by_text[TEXTS[2]]["spans"] == [] and by_text[TEXTS[0]]["tokens"][0]["text"] == "Tim"
            io = by_text[TEXTS[0]]["llm_io"]
            assert io["model"] == "fake-1" and "- ORG: a company" in io["prompt"] and "Cupertino" in io["response"]
            corrected = dict(by_text[TEXTS[0]], answer="accept")
            corrected["spans"] = corrected["spans"][:1] + [
                {"start": 23, "end": 32, "token_start": 5, "token_end": 5, "label": "ORG"}]  # a person's correction
            answers = [corrected] + [dict(by_text[t], answer="accept") for t in TEXTS[1:]]
            assert client.post("/give_answers", json={"answers": answers, "session_id": "ann"}).status_code == 200
    assert sorted(fake.texts) == sorted(TEXTS)
    assert all(r["body"]["model"] == "fake-1" for r in fake.requests)
    db = Database(db_url)
    try:
        stored = {eg["text"]: eg for eg in db.get_dataset_examples("llm_ner")}
    finally:
        db.close()
    assert [(s["start"], s["label"]) for s in stored[TEXTS[0]]["spans"]] == [(0, "PERSON"), (23, "ORG")]
    assert {eg["_view_id"] for eg in stored.values()} == {"ner_manual"}
    assert stored[TEXTS[1]]["llm_io"]["response"]


def test_textcat_llm_correct_preselects_the_models_categories(start_server: Callable, tmp_path: Path) -> None:
    def reply(text: str, prompt: str) -> str:
        return json.dumps({"categories": [{"label": "TECH", "score": 0.8}] if "Apple" in text or "Microsoft" in text else []})

    with FakeLLM(reply) as fake:
        server = start_server(["textcat.llm.correct", "llm_cats", str(_source(tmp_path)), "--label", "TECH,SPORT"],
                              extra_env=_env(fake))
        tasks = httpx.post(f"{server.url}/get_session_questions", json={"session_id": "a"}, timeout=30).json()["tasks"]
        project = httpx.get(f"{server.url}/project", timeout=30).json()
    by_text = {t["text"]: t for t in tasks}
    assert [o["id"] for o in by_text[TEXTS[0]]["options"]] == ["TECH", "SPORT"]
    assert by_text[TEXTS[0]]["accept"] == ["TECH"] and by_text[TEXTS[2]]["accept"] == []
    assert project["config"]["choice_style"] == "multiple"
    assert [b["view_id"] for b in project["config"]["blocks"]] == ["choice", "llm_io"]


def _run(args: list, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    home = tmp_path / "home-cli"
    home.mkdir(exist_ok=True)
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("MENTOR_")}
    return subprocess.run([sys.executable, "-m", "mentor", *args], capture_output=True, text=True, timeout=120,
                          env={**clean, "MENTOR_HOME": str(home), **env}, cwd=tmp_path)


def test_bad_key_and_unreachable_endpoint_stop_the_recipe_at_start_with_one_line(tmp_path: Path) -> None:
    # textcat: the same start-up path as ner's, without loading a pipeline
    args = ["textcat.llm.correct", "llm_cats", str(_source(tmp_path)), "--label", "TECH"]
    with FakeLLM(entities_reply(ENTITIES), api_key="sk-right") as fake:
        refused = _run(args, {**_env(fake), "MENTOR_LLM_API_KEY": "sk-wrong"}, tmp_path)
    assert refused.returncode == 1
    lines = [line for line in refused.stderr.splitlines() if "M202" in line]
    assert len(lines) == 1 and "refused the API key (HTTP 401)" in lines[0] and "Traceback" not in refused.stderr
    gone = _run(args, {**_env(fake), "MENTOR_CONFIG_OVERRIDES": json.dumps({"llm_retries": 1})}, tmp_path)
    assert gone.returncode == 1 and "Can't reach the LLM endpoint" in gone.stderr and "[M201]" in gone.stderr
    unset = _run(args, {}, tmp_path)
    assert unset.returncode == 1 and "[M205]" in unset.stderr and "MENTOR_LLM_BASE_URL" in unset.stderr
