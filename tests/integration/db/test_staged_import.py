"""Issue 12: imports go through a hidden staging area and appear in one step.

Run against SQLite, PostgreSQL and MariaDB in turn. The kill and concurrency
cases run a real ``python -m mentor db-in`` reading stdin, so the test decides
when the import stands still mid-file: after its first chunk is committed and
before the rest arrives.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from sqlalchemy import update

import mentor.db.database as database
from mentor.db import staging
from mentor.errors import Conflict, DatasetNotFound, InvalidDatasetName, InvalidLine
from mentor.db.tables import dataset as dataset_table
from mentor.loaders import get_stream

CHUNK = database.IMPORT_CHUNK


@pytest.fixture
def import_env(mentor_home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``mentor`` subprocesses use the test's database."""
    monkeypatch.setenv("MENTOR_DB_URL", db_url)
    return db_url


def line(i: int) -> str:
    return json.dumps({"text": f"imported line {i}"}) + "\n"


def as_db_in_stores(lines: List[str], tmp_path: Path) -> List[Dict]:
    """The tasks db-in makes of some lines (same hashes, same default answer)."""
    path = tmp_path / f"lines-{time.monotonic_ns()}.jsonl"
    path.write_text("".join(lines))
    return [{**task, "answer": "accept"} for task in get_stream(str(path))]


def staged(db) -> List[Tuple[str, int]]:
    """The hidden staging rows and how many links each holds, read behind the API's back."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT d.name, (SELECT COUNT(*) FROM link l WHERE l.dataset_id = d.id) FROM dataset d "
            "WHERE d.name LIKE '~staging:%%' ORDER BY d.id"
        )
        return [(name, int(count)) for name, count in rows]


def table_count(db, table: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar())


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start_import(db, dataset: str, lines: List[str]) -> subprocess.Popen:
    """``mentor db-in DATASET -`` fed ``lines`` and left waiting for more, once a chunk is staged."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mentor", "db-in", dataset, "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write("".join(lines))
    proc.stdin.flush()
    wait_for(lambda: proc.poll() is not None or [n for _, n in staged(db)] == [CHUNK])
    assert proc.poll() is None, proc.communicate()
    return proc


def tasks(n: int, prefix: str = "t") -> List[Dict]:
    out = []
    for i in range(n):
        text = f"{prefix}{i}"
        key = zlib.crc32(text.encode()) - 2**31
        out.append({"text": text, "answer": "accept", "_input_hash": key, "_task_hash": key})
    return out


def test_issue12_killed_import_leaves_nothing_visible_and_the_next_cleans_up(db, import_env, tmp_path):
    db.import_examples("ds", as_db_in_stores([line(i) for i in range(3)], tmp_path))
    before = sorted(t["text"] for t in db.get_dataset("ds"))
    proc = start_import(db, "ds", [line(i) for i in range(CHUNK + 200)])
    [(name, _)] = staged(db)
    assert db.count_dataset("ds") == 3  # committed, and hidden
    proc.kill()
    proc.wait()

    assert db.datasets == ["ds"] and db.sessions == []
    assert sorted(t["text"] for t in db.get_dataset("ds")) == before
    assert len(db.get_task_hashes("ds")) == 3
    assert name not in db
    with pytest.raises(DatasetNotFound):
        db.count_dataset(name)
    with pytest.raises(InvalidDatasetName):
        db.add_dataset(name)
    assert staged(db) == [(name, CHUNK)]  # still there, for the next import to remove

    source = tmp_path / "next.jsonl"
    source.write_text("".join(line(i) for i in range(50)))
    result = subprocess.run([sys.executable, "-m", "mentor", "db-in", "ds", str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"Removed {CHUNK} rows" in result.stdout and "Imported 47 tasks" in result.stdout
    assert staged(db) == []
    assert db.count_dataset("ds") == 50
    assert table_count(db, "example") == table_count(db, "link") == 50  # no orphans left behind


def test_issue12_import_lets_a_writer_in_and_stores_each_answer_once(db, import_env, tmp_path):
    db.add_dataset("ds")
    db.add_dataset("ds-alex", session=True)
    total = CHUNK + 300
    proc = start_import(db, "ds", [line(i) for i in range(CHUNK + 200)])
    # a server stores answers while the import stands mid-file: its own, and two the file holds
    # too (line 5 is staged already, line 10,250 is not read yet)
    own = [{**task, "_session_id": "ds-alex"} for task in tasks(20, prefix="server")]
    repeats = as_db_in_stores([line(5), line(CHUNK + 250)], tmp_path)
    began = time.monotonic()
    for answer in own:
        assert db.add_examples([answer], ["ds", "ds-alex"]) == 1
    assert db.add_examples(repeats, ["ds"]) == 2
    assert time.monotonic() - began < 10  # nothing waits for the import (30 s is the lock timeout)
    assert db.count_dataset("ds") == 22

    assert proc.stdin is not None
    proc.stdin.write("".join(line(i) for i in range(CHUNK + 200, total)))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"Imported {total - 2} tasks into 'ds' ({total + 20} in the dataset)" in out
    texts = Counter(t["text"] for t in db.get_dataset_examples("ds"))
    assert len(texts) == total + 20 and set(texts.values()) == {1}
    assert db.count_dataset("ds-alex") == 20
    assert staged(db) == []
    assert table_count(db, "example") == total + 20


def test_issue12_publish_leaves_out_an_answer_stored_while_it_runs(db, monkeypatch):
    """An answer a server stores after the repeats were swept is still stored once."""
    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not
    db.import_examples("ds", tasks(5, prefix="old"))
    sweep = staging.drop_repeats
    incoming = tasks(250, prefix="new")

    sweeps = []

    def sweep_then_a_server_writes(*args):
        sweeps.append(sweep(*args))
        assert db.add_examples([dict(incoming[7]), dict(incoming[200])], ["ds"]) == 2
        return sweeps[-1]

    monkeypatch.setattr(staging, "drop_repeats", sweep_then_a_server_writes)
    assert db.import_examples("ds", [dict(t) for t in incoming + tasks(2, prefix="old")]) == 248
    assert len(sweeps) == 1  # the publishing transaction found them itself, and was not refused
    assert Counter(t["text"] for t in db.get_dataset("ds")) == Counter(
        t["text"] for t in tasks(5, prefix="old") + incoming
    )
    assert staged(db) == [] and table_count(db, "example") == 255


@pytest.mark.parametrize("step", ["_publish_into", "_publish_as_new"])
def test_issue12_publish_is_one_transaction(db, monkeypatch, step):
    """A failure at the last statement of publishing leaves the dataset as it was, and no staging."""
    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not
    target = "ds" if step == "_publish_into" else "fresh"
    db.import_examples("ds", tasks(5, prefix="old"))
    publish = getattr(staging, step)

    def publish_then_fail(*args):
        publish(*args)
        raise KeyboardInterrupt  # after every statement, before the commit

    monkeypatch.setattr(staging, step, publish_then_fail)
    with pytest.raises(KeyboardInterrupt):
        db.import_examples(target, tasks(250, prefix="new"))
    assert db.datasets == ["ds"] and db.count_dataset("ds") == 5
    assert staged(db) == [] and table_count(db, "example") == 5


def test_issue12_import_is_invisible_until_published(db, monkeypatch):
    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not
    db.import_examples("ds", tasks(5, prefix="old"))
    seen: List[Tuple] = []

    def watched() -> Iterator[Dict]:
        for number, task in enumerate(tasks(250, prefix="new")):
            if number in (150, 249):
                seen.append((db.datasets, db.count_dataset("ds"), "fresh" in db, [n for _, n in staged(db)]))
            yield task

    db.import_examples("ds", watched())
    db.import_examples("fresh", watched())
    assert seen == [
        (["ds"], 5, False, [100]), (["ds"], 5, False, [200]),
        (["ds"], 255, False, [100]), (["ds"], 255, False, [200]),
    ]
    assert db.datasets == ["ds", "fresh"] and db.count_dataset("fresh") == 250


def test_issue12_failed_import_removes_its_staging(db, monkeypatch):
    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not

    def broken() -> Iterator[Dict]:
        yield from tasks(250)
        raise InvalidLine("file.jsonl", 251, "bad")

    with pytest.raises(InvalidLine):
        db.import_examples("fresh", broken())
    assert db.datasets == [] and staged(db) == [] and table_count(db, "example") == 0


def stage(db, target: str, rows: int, *, host: str, pid: int, age: float) -> str:
    """A staging row as an import on ``host``/``pid`` would have left it ``age`` seconds ago."""
    area = staging.create(db, target)
    with db.engine.begin() as conn:
        db._write_rows(conn, database._rows(tasks(rows, prefix=area.name)), [area.id])
        conn.execute(
            update(dataset_table)
            .where(dataset_table.c.id == area.id)
            .values(meta=json.dumps({"host": host, "pid": pid, "beat": time.time() - age}))
        )
    return area.name


def test_issue12_stale_imports_are_removed_and_live_ones_kept(db):
    here = socket.gethostname()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    dead_here = stage(db, "a", 30, host=here, pid=int(gone), age=5)
    alive_here = stage(db, "b", 20, host=here, pid=os.getpid(), age=5)
    recent_elsewhere = stage(db, "c", 10, host="elsewhere", pid=1, age=60)
    old_elsewhere = stage(db, "d", 40, host="elsewhere", pid=1, age=staging.STALE_IMPORT_SECONDS + 60)
    assert db.remove_stale_imports() == 70
    assert staged(db) == [(alive_here, 20), (recent_elsewhere, 10)]
    assert dead_here not in [n for n, _ in staged(db)] and old_elsewhere not in [n for n, _ in staged(db)]
    assert table_count(db, "example") == 30


def test_issue12_import_taken_for_dead_fails_instead_of_publishing_half(db, monkeypatch):
    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not

    def removed_by_another_process() -> Iterator[Dict]:
        for number, task in enumerate(tasks(250)):
            if number == 150:
                [(name, _)] = staged(db)
                with db.engine.connect() as conn:
                    staging_id = conn.exec_driver_sql(f"SELECT id FROM dataset WHERE name = '{name}'").scalar()
                assert staging.remove(db, staging_id, name) == 100
            yield task

    with pytest.raises(Conflict, match="Nothing was imported"):
        db.import_examples("fresh", removed_by_another_process())
    assert db.datasets == [] and staged(db) == [] and table_count(db, "example") == 0
