"""Group commit: concurrent batches share commits, and one bad batch fails alone."""
from __future__ import annotations

import threading
from typing import Any, List

import pytest

from mentor.core.writer import GroupWriter
from mentor.db import Database
from mentor.errors import DatasetNotFound


def batch(session: str, n: int = 3) -> List[dict]:
    return [{"text": f"{session} {i}", "answer": "accept", "_session_id": session} for i in range(n)]


@pytest.mark.parametrize("leaders", [1, 3])
def test_writer_stores_concurrent_batches(sqlite_db: Database, leaders: int) -> None:
    sqlite_db.add_dataset("ds")
    names = [f"ds-s{i}" for i in range(12)]
    for name in names:
        sqlite_db.add_dataset(name, session=True)
    writer = GroupWriter(sqlite_db, leaders=leaders)
    saved: List[int] = []
    threads = [threading.Thread(target=lambda n=name: saved.append(writer.write(batch(n), ["ds", n]))) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    assert saved == [3] * 12
    assert sqlite_db.count_dataset("ds") == 36 and sqlite_db.count_dataset("ds-s5") == 3


def test_writer_one_bad_batch_fails_alone(sqlite_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_db.add_dataset("ds")
    sqlite_db.add_dataset("ds-a", session=True)
    writer = GroupWriter(sqlite_db)
    gate = threading.Event()
    original = sqlite_db.add_examples

    def slow_first(examples: Any, datasets: Any, **kwargs: Any) -> int:
        gate.wait(5)  # hold the writer so the next two batches queue up as one group
        return original(examples, datasets, **kwargs)

    monkeypatch.setattr(sqlite_db, "add_examples", slow_first)
    results: dict = {}

    def send(key: str, datasets: List[str]) -> None:
        try:
            results[key] = writer.write(batch(key), datasets)
        except DatasetNotFound as err:
            results[key] = err

    first = threading.Thread(target=send, args=("ds-a", ["ds", "ds-a"]))
    first.start()
    others = [
        threading.Thread(target=send, args=("ds-a2", ["ds", "ds-a"])),
        threading.Thread(target=send, args=("ds-missing", ["ds", "ds-missing"])),
    ]
    for thread in others:
        thread.start()
    gate.set()
    for thread in [first, *others]:
        thread.join()
    writer.close()
    assert results["ds-a"] == 3 and results["ds-a2"] == 3
    assert isinstance(results["ds-missing"], DatasetNotFound)
    assert sqlite_db.count_dataset("ds") == 6
