"""Prodigy recipe files run unchanged with ``mentor RECIPE -F file.py``: a real server, real answers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, List

import httpx
import pytest

from mentor.db import Database

RECIPES = Path(__file__).parent / "recipes"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "texts.jsonl"
    lines = [json.dumps({"text": f"text number {i}"}) for i in range(6)]
    path.write_text("\n".join(lines[:3] + ["this line is no JSON"] + lines[3:]) + "\n")
    return path


def answer_batch(client: httpx.Client, session: str = "") -> List[dict]:
    body = {"session_id": session} if session else {}
    tasks = client.post("/get_session_questions", json=body).json()["tasks"]
    assert tasks
    answers = [{**task, "answer": "accept" if i % 2 else "reject"} for i, task in enumerate(tasks)]
    body = {"answers": answers, **({"session_id": session} if session else {})}
    reply = client.post("/give_answers", json=body)
    assert reply.status_code == 200, reply.text
    return answers


def test_plac_style_recipe_serves_and_stores_answers(start_server: Callable, source: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'compat.db'}"
    server = start_server(
        ["check-label", "labels_ds", str(source), "-l", "A,B", "-bs", "4", "-F", str(RECIPES / "classify_plac.py")],
        db_url=url,
    )
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/project").json().get("batch_size", 4) == 4
        answers = answer_batch(client, "alex")
        progress = client.post("/get_session_questions", json={"session_id": "alex"}).json()["progress"]
    server.terminate()
    assert len(answers) == 4 and {a["label"] for a in answers} == {"A", "B"}
    assert progress == pytest.approx(0.4)  # the recipe's progress(ctrl, update_return_value): 4 of 10
    db = Database(url)
    stored = list(db.get_dataset_examples("labels_ds"))
    db.close()
    assert sorted(e["_task_hash"] for e in stored) == sorted(a["_task_hash"] for a in answers)
    assert {e["_session_id"] for e in stored} == {"labels_ds-alex"}
    assert "not valid JSON" in server.log.read_text()  # JSONL skipped the bad line, served the rest


def test_db_false_stores_nothing(mentor_home: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same file loaded as -F loads it, served by the controller in-process (the HTTP path is tested above)."""
    from mentor.compat import enable_for_file
    from mentor.config import Settings
    from mentor.core.controller import Controller
    from mentor.db import connect
    from mentor.registry import get_recipe, load_recipe_file

    monkeypatch.setattr(sys, "path", list(sys.path))  # enable_for_file puts the compat folder on it
    enable_for_file(RECIPES / "classify_plac.py")
    load_recipe_file(RECIPES / "classify_plac.py")
    components = get_recipe("check-label").func(dataset="nodb_ds", source=str(source), label=None, batch=None, skip_db=True)
    db = connect()
    controller = Controller(components, db, Settings(home=mentor_home))
    tasks = controller.get_questions("alex").tasks
    receipt = controller.give_answers([{**t, "answer": "accept"} for t in tasks], "alex")
    controller.close()
    assert len(tasks) == 5 and receipt.progress == 0.5  # the recipe's progress: its update saw all 5
    assert not any(name.startswith("nodb_ds") for name in db.datasets + db.sessions)


def test_teach_style_recipe_learns_from_answers(mentor_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Model, patterns and sorter from a Prodigy file: questions come, answers are stored and train the model."""
    from mentor.compat import enable_for_file
    from mentor.config import Settings
    from mentor.core.controller import Controller
    from mentor.db import connect
    from mentor.registry import get_recipe, load_recipe_file

    texts = tmp_path / "news.jsonl"
    texts.write_text("\n".join(json.dumps({"text": f"Acme bought shop {i} in Berlin."}) for i in range(12)) + "\n")
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "ORG", "pattern": [{"lower": "acme"}]}) + "\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    enable_for_file(RECIPES / "teach_ner.py")
    load_recipe_file(RECIPES / "teach_ner.py")
    components = get_recipe("teach-entities").func(
        dataset="teach_ds", spacy_model="blank:en", source=str(texts), label="ORG,GPE", patterns=str(patterns)
    )
    db = connect()
    controller = Controller(components, db, Settings(home=mentor_home))
    tasks = controller.get_questions("alex").tasks
    assert len(tasks) == 4 and all(len(t["spans"]) == 1 for t in tasks)
    answers = [{**t, "answer": "accept" if t["spans"][0]["text"] == "Acme" else "reject"} for t in tasks]
    receipt = controller.give_answers(answers, "alex")
    controller.close()
    assert receipt.saved == 4 and db.count_dataset("teach_ds") == 4


def test_arg_style_recipe_with_language_and_session_id(start_server: Callable, source: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'compat.db'}"
    server = start_server(
        ["mark-spans", "spans_ds", "blank:en", str(source), "--label", "FRUIT,NUMBER", "-F", str(RECIPES / "spans_arg_style.py")],
        db_url=url, timeout=180,
    )
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.get("/project").json()["labels"] == ["FRUIT", "NUMBER"]
        answers = answer_batch(client)  # no ?session=: the recipe's get_session_id names it
    server.terminate()
    assert all(a["tokens"][0]["text"] == "text" for a in answers)
    db = Database(url)
    stored = list(db.get_dataset_examples("spans_ds"))
    db.close()
    assert len(stored) == len(answers)
    assert {e["_session_id"] for e in stored} == {"spans_ds-annotator-7"}


def test_pytest_imports_prodigy_from_compat_path(tmp_path: Path) -> None:
    """A user's own test suite, run by pytest with PYTHONPATH=$(mentor compat-path)."""
    path = subprocess.run([sys.executable, "-m", "mentor", "compat-path"], capture_output=True, text=True, check=True).stdout.strip()
    test_file = tmp_path / "test_my_recipe.py"
    test_file.write_text(
        "import prodigy\n"
        f"import sys; sys.path.insert(0, {str(RECIPES)!r})\n"
        "from prodigy.components.stream import get_stream\n"
        "from prodigy.components.preprocess import add_tokens\n"
        "from prodigy.util import combine_models, get_labels, INPUT_HASH_ATTR\n"
        "import spacy\n"
        "from classify_plac import check_label\n\n"
        "def test_recipe_returns_components(tmp_path):\n"
        "    src = tmp_path / 's.jsonl'\n"
        "    src.write_text('{\"text\": \"a b\"}\\n')\n"
        "    c = check_label('ds', str(src), label=['X'])\n"
        "    assert c['view_id'] == 'classification'\n"
        "    tasks = list(c['stream'])\n"
        "    assert tasks[0]['label'] == 'X' and INPUT_HASH_ATTR in tasks[0]\n\n"
        "def test_stream_and_tokens():\n"
        "    stream = get_stream([{'text': 'hello world'}])\n"
        "    stream.apply(add_tokens, nlp=spacy.blank('en'), stream=stream)\n"
        "    assert [t['text'] for t in list(stream)[0]['tokens']] == ['hello', 'world']\n"
        "    assert get_labels('A, B') == ['A', 'B']\n"
    )
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
