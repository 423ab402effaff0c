"""Issue 12: skipped source lines are counted in /project, and strict_sources stops a recipe at start."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from fastapi.testclient import TestClient

from mentor.config import Settings
from mentor.core.components import Components
from mentor.core.controller import Controller
from mentor.db import Database
from mentor.errors import InvalidSource
from mentor.loaders import get_stream

MakeClient = Callable[..., TestClient]


def source_with_bad_lines(tmp_path: Path, bad: tuple = (6, 51), n: int = 100) -> Path:
    path = tmp_path / "mid.jsonl"
    lines = [json.dumps({"text": f"text {i}"}) for i in range(1, n + 1)]
    for line in bad:
        lines[line - 1] = '{"text": "broken'
    path.write_text("\n".join(lines) + "\n")
    return path


def drain(client: TestClient, session: str = "a") -> int:
    """Answer every task the server serves; returns how many there were."""
    served = 0
    while True:
        tasks = client.post("/get_session_questions", json={"session_id": session}).json()["tasks"]
        if not tasks:
            return served
        served += len(tasks)
        answers = [{**task, "answer": "accept"} for task in tasks]
        assert client.post("/give_answers", json={"answers": answers, "session_id": session}).status_code == 200


def test_issue12_sources_project_counts_skipped_lines(make_client: MakeClient, tmp_path: Path) -> None:
    stream = get_stream(source_with_bad_lines(tmp_path), dedup=True)
    client = make_client(Components(dataset="news", stream=stream, view_id="text"))
    assert client.get("/project").json()["skipped"] == 0  # nothing read yet
    assert drain(client) == 98
    project = client.get("/project", params={"session": "a"}).json()
    assert project["skipped"] == 2
    assert [line.split(":")[1] for line in project["skipped_lines"]] == ["6", "51"]
    assert all(line.startswith(f"{tmp_path / 'mid.jsonl'}:") for line in project["skipped_lines"])
    reply = client.post("/get_session_questions", json={"session_id": "a"}).json()
    assert reply["skipped"] == 2 and len(reply["skipped_lines"]) == 2


def test_issue12_sources_wrapped_stream_counts_through_sources(make_client: MakeClient, tmp_path: Path) -> None:
    stream = get_stream(source_with_bad_lines(tmp_path))
    wrapped = (task for task in stream)  # what a sorter or model hands the controller
    client = make_client(Components(dataset="news", stream=wrapped, view_id="text", sources=[stream]))
    assert drain(client) == 98
    assert client.get("/project").json()["skipped"] == 2


def test_issue12_sources_clean_source_counts_nothing(make_client: MakeClient) -> None:
    project = make_client().get("/project").json()
    assert project["skipped"] == 0 and project["skipped_lines"] == []


def test_issue12_sources_strict_stops_at_start_naming_the_first_bad_line(
    tmp_path: Path, server_db: Database
) -> None:
    stream = get_stream(source_with_bad_lines(tmp_path))
    settings = Settings(home=tmp_path, strict_sources=True)
    with pytest.raises(InvalidSource) as err:
        Controller(Components(dataset="news", stream=stream, view_id="text"), server_db, settings)
    assert err.value.code == "M086" and err.value.count == 2
    assert "mid.jsonl:6:" in err.value.message and "1 more bad line" in err.value.message
    assert "news" not in server_db  # nothing made, nothing stored


def test_issue12_sources_strict_passes_a_clean_source(tmp_path: Path, server_db: Database) -> None:
    stream = get_stream(source_with_bad_lines(tmp_path, bad=()))
    settings = Settings(home=tmp_path, strict_sources=True)
    controller = Controller(Components(dataset="news", stream=stream, view_id="text"), server_db, settings)
    assert len(controller.get_questions("a").tasks) == 10


def test_issue12_sources_strict_setting_from_the_environment(tmp_path: Path) -> None:
    from mentor.config import load_settings

    settings = load_settings(environ={"MENTOR_HOME": str(tmp_path), "MENTOR_STRICT_SOURCES": "1"}, cwd=tmp_path)
    assert settings.strict_sources is True
