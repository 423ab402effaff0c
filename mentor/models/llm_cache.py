"""Every LLM reply kept on disk, so no text is sent twice with the same prompt.

A reply costs money and seconds; re-running a recipe, restarting the server,
or fetching first and correcting later must not pay again. The key is the
SHA-256 of (backend, base URL, model, the messages sent): the messages hold the
prompt, its labels and descriptions and the text, so changing any of them asks
again. Only replies that could be read are stored; a bad one is asked again
next time. The file is SQLite, opened per call (cheap) so the worker threads
share it safely; WAL lets a fetch run and a server read it at once.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any, Optional, Sequence

__all__ = ["ResponseCache", "cache_key"]


def cache_key(backend: str, endpoint: str, model: str, messages: Sequence[Any]) -> str:
    """A stable key for one request: what was asked, of whom."""
    payload = json.dumps([backend, endpoint, model, list(messages)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf8")).hexdigest()


class ResponseCache:
    """Replies by request key in an SQLite file (``settings.llm_cache``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT NOT NULL, "
                "content TEXT NOT NULL, created REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=30)

    def get(self, key: str) -> Optional[str]:
        with self._connect() as db:
            row = db.execute("SELECT content FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, model: str, content: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO responses (key, model, content, created) VALUES (?, ?, ?, ?)",
                (key, model, content, time.time()),
            )

    def __len__(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])
