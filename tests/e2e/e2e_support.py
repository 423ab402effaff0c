"""The mentor server as a subprocess, and page helpers, for the browser tests."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from mentor.db import Database

HERE = Path(__file__).parent
SERVE_SPEC = HERE / "serve_spec.py"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MentorServer:
    """One mentor server on 127.0.0.1 with its own home and SQLite database.

    Either a spec (view, tasks, config) served through ``serve_spec.py``, or a
    CLI command line (``python -m mentor RECIPE ...``). ``stop()`` and
    ``start()`` again keep the port and the database, as a restart would.
    """

    def __init__(self, workdir: Path, *, dataset: str, spec: Optional[Dict[str, Any]] = None,
                 cli_args: Optional[Sequence[str]] = None, env: Optional[Dict[str, str]] = None) -> None:
        self.workdir = workdir
        self.dataset = dataset
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{workdir / 'mentor.db'}"
        self.log_path = workdir / "server.log"
        if spec is not None:
            spec_path = workdir / "spec.json"
            spec_path.write_text(json.dumps({**spec, "dataset": dataset, "port": self.port, "db_url": self.db_url}))
            self.command = [sys.executable, str(SERVE_SPEC), str(spec_path)]
        else:
            self.command = [sys.executable, "-m", "mentor", *(cli_args or [])]
        self.process: Optional[subprocess.Popen] = None
        self.extra_env = dict(env or {})

    def start(self, timeout: float = 30.0) -> "MentorServer":
        env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
        env.update({"MENTOR_HOME": str(self.home), "MENTOR_PORT": str(self.port), "MENTOR_HOST": "127.0.0.1",
                    "MENTOR_DB_URL": self.db_url, "PYTHONUNBUFFERED": "1", **self.extra_env})
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command, cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mentor server exited ({self.process.returncode}):\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "health", timeout=1) as res:
                    if res.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mentor server did not answer /health in {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def examples(self) -> List[Dict[str, Any]]:
        """Everything stored in the dataset, read through mentor's own Database API."""
        db = Database(self.db_url)
        try:
            return list(db.get_dataset_examples(self.dataset))
        finally:
            db.close()


# ---- page helpers -------------------------------------------------------------

CARD_READY = ".card:not(.empty)"


def wait_task(page: Any, timeout: float = 10000) -> None:
    """Wait until a task is on screen."""
    page.wait_for_selector(CARD_READY, timeout=timeout)


# The task's own text: span labels and stacked bars are the app's, not the task's.
_TEXT_JS = """() => {
    const card = document.querySelector('.card');
    if (!card || card.classList.contains('empty')) return null;
    const el = card.querySelector('.task-text, .task-html');
    if (!el) return '';
    const clone = el.cloneNode(true);
    clone.querySelectorAll('.ent-label, .tok-bars, .pos-tag').forEach(n => n.remove());
    return clone.textContent;
}"""


def task_text(page: Any) -> str:
    """The text of the task on screen ('' for a task without text)."""
    return page.evaluate(_TEXT_JS) or ""


def wait_text_change(page: Any, before: str, timeout: float = 5000) -> None:
    page.wait_for_function(f"before => ({_TEXT_JS})() !== before", arg=before, timeout=timeout)


def wait_no_tasks(page: Any, timeout: float = 15000) -> None:
    """Wait for "No tasks available" and for every kept answer to be sent."""
    page.wait_for_selector(".card-message.done", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('.save-state.pending') && document.querySelector('.banner').hidden",
        timeout=timeout,
    )


def press(page: Any, key: str) -> str:
    """Press an answer key on the task on screen; return the text it had, once the next one shows."""
    before = task_text(page)
    page.keyboard.press(key)
    wait_text_change(page, before)
    return before


# The centre of token i of the text on screen: ner_manual draws tokens as plain text and says
# where they are in data-tokens ("start-end ..."); the other views have an element per token.
_TOKEN_CENTER_JS = """i => {
    const el = document.querySelector('.card .task-text.tokens[data-tokens]');
    if (!el) return null;
    const [start, end] = el.dataset.tokens.split(' ')[i].split('-').map(Number);
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
        acceptNode: n => n.parentElement.closest('.ent-label') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    let pos = 0, node, a = null, b = null;
    while ((node = walker.nextNode())) {
        const len = node.data.length;
        if (!a && start >= pos && start < pos + len) a = [node, start - pos];
        if (!b && end > pos && end <= pos + len) b = [node, end - pos];
        pos += len;
    }
    if (!a || !b) return null;
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    const r = range.getClientRects()[0];
    return [r.left + r.width / 2, r.top + r.height / 2];
}"""


def center(page: Any, selector: str) -> tuple:
    match = re.fullmatch(r"\.card \.tok\[data-i='(\d+)'\]", selector)
    if match and page.locator(".card .task-text.tokens[data-tokens]").count():
        point = page.evaluate(_TOKEN_CENTER_JS, int(match.group(1)))
        assert point is not None, f"token {match.group(1)} is not on screen"
        return tuple(point)
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def click(page: Any, selector: str, **options: Any) -> None:
    """Click an element, or a token of ner_manual's text (see center())."""
    x, y = center(page, selector)
    page.mouse.click(x, y, **options)


def drag(page: Any, start: str, end: str) -> None:
    """Press the mouse on one element, move to another, release."""
    x1, y1 = center(page, start)
    x2, y2 = center(page, end)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=4)
    page.mouse.move(x2, y2, steps=4)
    page.mouse.up()


def tokenize(text: str) -> List[Dict[str, Any]]:
    """Whitespace tokens in the task format (what a recipe's tokenizer would give)."""
    tokens = []
    matches = list(re.finditer(r"\S+", text))
    for i, m in enumerate(matches):
        ws = i + 1 < len(matches) and matches[i + 1].start() > m.end()
        tokens.append({"text": m.group(), "start": m.start(), "end": m.end(), "id": i, "ws": ws})
    return tokens


def by_key(examples: List[Dict[str, Any]], key: str = "text") -> Dict[Any, Dict[str, Any]]:
    """Stored answers by their text, failing on duplicates."""
    found: Dict[Any, Dict[str, Any]] = {}
    for eg in examples:
        assert eg[key] not in found, f"stored twice: {eg[key]!r}"
        found[eg[key]] = eg
    return found


def png_data_uri(width: int, height: int) -> str:
    """A small two-colour PNG as a data URI, made without any imaging library."""
    import base64
    import struct
    import zlib

    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes((70, 130, 180) if (x // 40 + y // 40) % 2 else (220, 225, 235))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
