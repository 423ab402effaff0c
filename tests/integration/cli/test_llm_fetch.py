"""ner/spans/textcat.llm.fetch: suggestions written ahead to a JSONL file, resumable, from a fake endpoint on 127.0.0.1."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import pytest

from mentor.recipes.llm import textcat_llm_correct
from support.fake_llm import FakeLLM, entities_reply

TEXTS = [f"Person{i} Smith works at Acme{i}." for i in range(7)]
ENTITIES = {text: [(f"Person{i} Smith", "PERSON"), (f"Acme{i}", "ORG")] for i, text in enumerate(TEXTS)}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS))
    return path


def _lines(path: Path) -> List[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _configure(monkeypatch: pytest.MonkeyPatch, fake: FakeLLM) -> None:
    monkeypatch.setenv("MENTOR_LLM_BASE_URL", fake.url)
    monkeypatch.setenv("MENTOR_LLM_MODEL", "fake-1")


def test_ner_fetch_writes_tasks_skips_a_bad_reply_and_a_rerun_asks_only_for_it(
    mentor, mentor_home: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = entities_reply(ENTITIES)
    broken = {"on": True}

    def reply(text: str, prompt: str) -> str:
        return "no JSON, sorry" if broken["on"] and text == TEXTS[3] else good(text, prompt)

    out = tmp_path / "out" / "fetched.jsonl"
    with FakeLLM(reply) as fake:
        _configure(monkeypatch, fake)
        first = mentor("ner.llm.fetch", "blank:en", str(source), str(out), "--label", "PERSON,ORG")
        assert first.code == 0, first.err
        assert "[M204]" in first.err and "Person3 Smith" in first.err and "Wrote 6 tasks" in first.out
        written = _lines(out)
        assert [t["text"] for t in written] == [t for t in TEXTS if t != TEXTS[3]]
        task = written[0]
        assert [(s["start"], s["end"], s["label"], s["token_start"], s["token_end"]) for s in task["spans"]] == [
            (0, 13, "PERSON", 0, 1), (23, 28, "ORG", 4, 4)]
        assert task["tokens"][1]["text"] == "Smith" and task["llm_io"]["model"] == "fake-1"
        assert isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)
        broken["on"] = False
        again = mentor("ner.llm.fetch", "blank:en", str(source), str(out), "--label", "PERSON,ORG")
        assert again.code == 0, again.err
        assert "Skipped 6 texts already in" in again.out and "Wrote 1 tasks" in again.out
        # a second file with the same prompts: answered from the cache, nothing sent
        copy = mentor("ner.llm.fetch", "blank:en", str(source), str(tmp_path / "copy.jsonl"), "--label", "PERSON,ORG")
        assert copy.code == 0, copy.err
    assert sorted(t["text"] for t in _lines(out)) == sorted(TEXTS)
    assert fake.texts.count(TEXTS[3]) == 2 and len(fake.requests) == len(TEXTS) + 1
    assert all(t["llm_io"]["cached"] for t in _lines(tmp_path / "copy.jsonl"))


def test_a_cut_off_last_line_is_dropped_and_fetched_again(
    mentor, mentor_home: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "fetched.jsonl"
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        _configure(monkeypatch, fake)
        assert mentor("spans.llm.fetch", "blank:en", str(source), str(out), "--label", "PERSON,ORG").code == 0
        data = out.read_bytes()
        out.write_bytes(data[: len(data) - 25])  # an interrupted write: the last line has no end
        again = mentor("spans.llm.fetch", "blank:en", str(source), str(out), "--label", "PERSON,ORG")
    assert again.code == 0, again.err
    assert "dropped an unfinished last line" in again.err and "Wrote 1 tasks" in again.out
    assert sorted(t["text"] for t in _lines(out)) == sorted(TEXTS)  # every line whole JSON, none twice


def test_an_output_that_is_not_a_fetch_file_is_refused_and_left_alone(
    mentor, mentor_home: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "other.jsonl"
    out.write_text('{"text": "x", "_input_hash": 1}\n{"text": "no hash"}\n')
    with FakeLLM(entities_reply(ENTITIES)) as fake:
        _configure(monkeypatch, fake)
        result = mentor("ner.llm.fetch", "blank:en", str(source), str(out), "--label", "PERSON")
    assert result.code == 1 and f"{out}:2: no '_input_hash'" in result.err and "[M209]" in result.err
    assert out.read_text() == '{"text": "x", "_input_hash": 1}\n{"text": "no hash"}\n' and not fake.requests


def test_textcat_fetch_exclusive_preselects_the_top_label(
    mentor, mentor_home: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reply(text: str, prompt: str) -> str:
        assert "Pick the one label" in prompt and "- TECH: companies" in prompt
        return json.dumps({"categories": [{"label": "tech", "score": 0.6}, {"label": "SPORT", "score": 0.3}]})

    out = tmp_path / "cats.jsonl"
    with FakeLLM(reply) as fake:
        _configure(monkeypatch, fake)
        result = mentor("textcat.llm.fetch", str(source), str(out), "--label", "TECH,SPORT", "--exclusive",
                        "-d", "TECH=companies and software")
        assert result.code == 0, result.err
        task = _lines(out)[0]
        assert task["accept"] == ["TECH"] and [o["id"] for o in task["options"]] == ["TECH", "SPORT"]
        assert task["meta"]["scores"] == "TECH 0.60, SPORT 0.30"
        # the fetched file served by the correct recipe: as written, nothing asked again
        components = textcat_llm_correct("cats", str(out), label="TECH,SPORT", exclusive=True)
        served = list(components.stream)
    assert [t["_task_hash"] for t in served] == [t["_task_hash"] for t in _lines(out)]
    assert len(fake.requests) == len(TEXTS)


def test_ctrl_c_during_a_fetch_leaves_whole_lines_and_a_rerun_finishes(
    mentor, mentor_home: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "cats.jsonl"
    args = [sys.executable, "-m", "mentor", "textcat.llm.fetch", str(source), str(out), "--label", "TECH"]
    with FakeLLM(lambda text, prompt: '{"categories": []}', delay=0.4) as fake:
        _configure(monkeypatch, fake)
        env = {**os.environ, "MENTOR_BATCH_SIZE": "2", "MENTOR_LLM_CONCURRENCY": "1"}
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and out.stat().st_size):
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # mid-run: a batch of 2 is written every 0.8 s
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        data = out.read_text()
        assert data.endswith("\n") and 1 <= len(data.splitlines()) < len(TEXTS)
        assert all(json.loads(line)["text"] in TEXTS for line in data.splitlines())
        again = mentor("textcat.llm.fetch", str(source), str(out), "--label", "TECH")
    assert again.code == 0, again.err
    assert sorted(t["text"] for t in _lines(out)) == sorted(TEXTS)


def test_texts_already_answered_in_the_dataset_are_not_sent(
    mentor_home: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mentor.db import connect
    from mentor.tasks import set_hashes

    db = connect()
    try:
        db.add_dataset("cats")
        db.add_examples([set_hashes({"text": t, "answer": "accept", "accept": []}) for t in TEXTS[:2]], ["cats"])
    finally:
        db.close()
    with FakeLLM(lambda text, prompt: '{"categories": []}') as fake:
        _configure(monkeypatch, fake)
        served = list(textcat_llm_correct("cats", str(source), label="TECH").stream)
    assert sorted(fake.texts) == sorted(TEXTS[2:])
    assert [("llm_io" in t) for t in served] == [False, False] + [True] * (len(TEXTS) - 2)  # the controller drops the two
