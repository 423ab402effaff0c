"""``prodigy.serve("RECIPE ARGS", **config)`` from plain Python: a real server, blocking until stopped."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict

import httpx

from integration.server.conftest import free_port
from mentor.compat import COMPAT_PATH

RECIPES = Path(__file__).parent / "recipes"


def _env(tmp_path: Path) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTOR_", "PRODIGY_"))}
    home = tmp_path / "home"
    home.mkdir()
    return {**env, "MENTOR_HOME": str(home), "PYTHONPATH": str(COMPAT_PATH), "PRODIGY_HOME": str(tmp_path / "phome")}


def _wait(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"no server after 120s:\n{log.read_text()}")


def test_serve_starts_the_recipe_with_the_config_and_blocks(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_text(json.dumps({"text": "Ada Lovelace wrote"}) + "\n")
    port = free_port()
    script = (
        "import prodigy\n"
        f"prodigy.serve('ner.manual my_set blank:en data.jsonl --label PERSON', port={port}, batch_size=3)\n"
        "print('serve returned', flush=True)\n"
    )
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=_env(tmp_path), stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(proc, url, log)
            project = httpx.get(f"{url}/project", timeout=30).json()
            tasks = httpx.post(f"{url}/get_session_questions", json={}, timeout=30).json()["tasks"]
            assert proc.poll() is None and "serve returned" not in log.read_text()  # it blocks while serving
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert project["labels"] == ["PERSON"] and project["view_id"] == "ner_manual" and project["config"]["batch_size"] == 3
    assert project["dataset"] == "my_set"
    assert tasks[0]["text"] == "Ada Lovelace wrote"
    assert "serve returned" in log.read_text()  # stopped: the call returns


def test_serve_a_recipe_file_and_its_errors(tmp_path: Path) -> None:
    """-F in the command string loads the file; a bad command is one ServeCommandError, not a server."""
    source = tmp_path / "texts.jsonl"
    source.write_text(json.dumps({"text": "x"}) + "\n")
    script = (
        "import prodigy\n"
        "from mentor.errors import ServeCommandError\n"
        "for command in ['', 'check-label ds --no-such-flag -F " + str(RECIPES / "classify_plac.py") + "']:\n"
        "    try:\n"
        "        prodigy.serve(command)\n"
        "    except ServeCommandError as err:\n"
        "        print('refused:', err)\n"
        "try:\n"
        "    prodigy.serve('ner.manual', 'ds', 'blank:en')\n"
        "except ServeCommandError as err:\n"
        "    print('refused:', err)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("refused:")]
    assert len(lines) == 3 and all("[M270]" in line for line in lines)
    assert "no recipe named" in lines[0] and "no-such-flag" in lines[1] and "one command string" in lines[2]
