"""Issue 12: db-in and drop as users hit them, run as a subprocess like a user runs them."""
import gzip
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from mentor.db import connect


def write_jsonl(path: Path, n: int) -> Path:
    path.write_text("".join(json.dumps({"text": f"text number {i} and some words"}) + "\n" for i in range(n)))
    return path


def make_source(kind: str, tmp_path: Path) -> Path:
    """One of the files users found db-in mishandling."""
    if kind == "not-gzip":
        path = tmp_path / "plain.jsonl.gz"
        path.write_text('{"text": "not compressed"}\n')
    elif kind == "truncated-gz":
        path = tmp_path / "cut.jsonl.gz"
        data = gzip.compress(write_jsonl(tmp_path / "full.jsonl", 3000).read_bytes())
        path.write_bytes(data[: len(data) // 2])
    elif kind == "csv-cell":
        path = tmp_path / "big.csv"
        path.write_text("text,source\nfirst,a\n" + "x" * 200_000 + ",b\nlast,c\n")
    elif kind == "surrogate":
        path = tmp_path / "sur.jsonl"
        path.write_text('{"text": "ok"}\n{"text": "a\\ud800b"}\n')
    elif kind == "empty":
        path = tmp_path / "empty.jsonl"
        path.write_text("")
    elif kind == "folder":
        path = tmp_path / "folder"
        path.mkdir()
    else:
        path = tmp_path / "broken.jsonl"
        path.write_text('{"text": "a"}\n{"text": "b"\n{"text": "c"}\n')
    return path


# what the one error line must hold: where (file, line, field), and the code
CASES: Dict[str, Tuple[str, ...]] = {
    "not-gzip": ("plain.jsonl.gz:", "not a gzip file", "[M018]"),
    "truncated-gz": ("cut.jsonl.gz:", "ends early", "[M022]"),
    "csv-cell": ("big.csv:3:", "cell is longer", "[M024]"),
    "surrogate": ("sur.jsonl:2:", "field 'text'", "[M023]"),
    "empty": ("empty.jsonl:", "no tasks", "[M019]"),
    "folder": ("folder is a folder", "[M021]"),
    "bad-json": ("broken.jsonl:2:", "not valid JSON", "[M011]"),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_issue12_db_in_refuses_a_bad_file_in_one_line_and_stores_nothing(mentor, tmp_path, kind):
    result = mentor("db-in", "ds", str(make_source(kind, tmp_path)))
    assert result.code == 1
    assert result.out == ""
    [line] = result.err.strip().splitlines()
    assert all(fragment in line for fragment in CASES[kind]), line
    db = connect()
    assert db.datasets == []
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM example").scalar() == 0
    db.close()


def test_issue12_db_in_skip_invalid_keeps_what_a_truncated_gz_holds(mentor, tmp_path):
    result = mentor("db-in", "ds", str(make_source("truncated-gz", tmp_path)), "--skip-invalid")
    assert result.code == 0, result.err
    imported = int(result.out.split("Imported ")[1].split()[0])
    assert 0 < imported < 3000
    assert "cut.jsonl.gz:" in result.err and "Skipped 1 invalid lines" in result.err


def test_issue12_db_in_reads_a_json_array_with_a_bom(mentor, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"text": "a"}, {"text": "b"}]).encode())
    result = mentor("db-in", "ds", str(path))
    assert result.code == 0 and "Imported 2" in result.out, result.err


def test_issue12_errors_go_to_stderr_not_into_the_output(mentor):
    result = mentor("db-out", "missing")
    assert result.code == 1 and result.out == ""
    assert "missing" in result.err and "M031" in result.err


def test_issue12_recipe_with_a_gz_that_is_not_gzip_fails_at_start(mentor, tmp_path):
    result = mentor("textcat.manual", "ds", str(make_source("not-gzip", tmp_path)), "--label", "A")
    assert result.code == 1 and result.out == ""
    [line] = result.err.strip().splitlines()
    assert "plain.jsonl.gz" in line and "M018" in line


def test_issue12_db_in_lets_a_concurrent_writer_in(mentor_home, tmp_path):
    """A server writing the same SQLite file waits for one chunk of an import, not for all of it."""
    source = write_jsonl(tmp_path / "large.jsonl", 100_000)
    db = connect()
    db.add_dataset("live")
    db.add_dataset("live-alex", session=True)
    waits: List[float] = []
    importing = threading.Event()
    done = threading.Event()

    def server_like_writer() -> None:
        number = 0
        while not done.is_set():
            task = {"text": f"answer {number}", "_input_hash": number, "_task_hash": number,
                    "answer": "accept", "_session_id": "live-alex"}
            started = time.monotonic()
            db.add_examples([task], ["live", "live-alex"])
            if importing.is_set():
                waits.append(time.monotonic() - started)
            number += 1
            time.sleep(0.02)

    writer = threading.Thread(target=server_like_writer)
    writer.start()
    try:
        importing.set()
        proc = subprocess.run([sys.executable, "-m", "mentor", "db-in", "bulk", str(source)],
                              capture_output=True, text=True, timeout=300)
    finally:
        done.set()
        writer.join()
    assert proc.returncode == 0, proc.stderr
    assert db.count_dataset("bulk") == 100_000
    assert len(waits) >= 10
    assert max(waits) < 1.2, sorted(waits)[-5:]  # one transaction for the file: 2.4 s here
    db.close()


def test_issue12_drop_takes_the_session_answers_with_it(mentor, tmp_path):
    db = connect()
    db.add_dataset("ds")
    db.add_dataset("ds-alex", session=True)
    answers = [{"text": f"t{i}", "answer": "accept", "_session_id": "ds-alex"} for i in range(4)]
    from mentor.tasks import set_hashes

    db.add_examples([set_hashes(a) for a in answers], ["ds", "ds-alex"])
    db.close()
    result = mentor("drop", "ds", "--yes")
    assert result.code == 0, result.err
    db = connect()
    assert db.sessions == [] and db.datasets == []
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM link").scalar() == 0
    db.close()
