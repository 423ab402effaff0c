"""Issue 12: a bad record never costs the good records around it (loaders' side)."""
import gzip
import json
import logging
from pathlib import Path
from typing import List

import pytest

from mentor.errors import (
    CellTooLarge,
    InvalidEncoding,
    NotGzip,
    SourceIsFolder,
    TruncatedSource,
)
from mentor.loaders import get_stream


def jsonl_lines(n: int, bad: int = 0) -> List[str]:
    lines = [json.dumps({"text": f"text {i}"}) for i in range(1, n + 1)]
    if bad:
        lines[bad - 1] = '{"text": "broken'
    return lines


def warnings(caplog: pytest.LogCaptureFixture) -> List[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("bad", [51, 6])
def test_issue12_bad_jsonl_line_keeps_every_valid_task(tmp_path: Path, caplog, bad: int) -> None:
    path = tmp_path / "mid.jsonl"
    path.write_text("\n".join(jsonl_lines(100, bad)) + "\n")
    tasks = list(get_stream(path))
    assert len(tasks) == 99
    assert f"text {bad}" not in {t["text"] for t in tasks}
    [warning] = warnings(caplog)
    assert f"mid.jsonl:{bad}:" in warning and "not valid JSON" in warning and "skipped" in warning


def test_issue12_many_bad_lines_warn_a_few_then_count(tmp_path: Path, caplog) -> None:
    path = tmp_path / "noisy.jsonl"
    path.write_text("".join("nope\n" if i % 2 else json.dumps({"text": str(i)}) + "\n" for i in range(40)))
    stream = get_stream(path)
    assert len(list(stream)) == 20 and stream.skipped == 20
    lines = warnings(caplog)
    assert len(lines) == 6 and "skipped 20 invalid lines" in lines[-1]


def test_issue12_gz_that_is_not_gzip_fails_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl.gz"
    path.write_text('{"text": "not compressed"}\n')
    with pytest.raises(NotGzip) as err:
        get_stream(path)
    assert err.value.code == "M018" and str(path) in str(err.value)


def truncated_gz(tmp_path: Path, n: int = 2000) -> Path:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(("\n".join(jsonl_lines(n)) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def test_issue12_truncated_gz_keeps_tasks_read_and_warns_once(tmp_path: Path, caplog) -> None:
    path = truncated_gz(tmp_path)
    stream = get_stream(path)
    tasks = list(stream)
    assert 0 < len(tasks) < 2000
    assert [t["text"] for t in tasks] == [f"text {i}" for i in range(1, len(tasks) + 1)]
    [warning] = warnings(caplog)
    assert "cut.jsonl.gz" in warning and "ends early" in warning
    assert stream.total is not None  # the progress count doesn't fail on it either
    with pytest.raises(TruncatedSource) as err:
        list(get_stream(path, skip_invalid=False))
    assert err.value.line == len(tasks) + 1


def test_issue12_csv_cell_over_limit_is_skipped_with_its_line(tmp_path: Path, caplog) -> None:
    path = tmp_path / "big.csv"
    path.write_text("text,source\nfirst,a\n" + "x" * 200_000 + ",b\nlast,c\n")
    stream = get_stream(path)
    assert [t["text"] for t in stream] == ["first", "last"]
    assert isinstance(stream.errors[0], CellTooLarge) and stream.errors[0].line == 3
    assert "big.csv:3:" in warnings(caplog)[0]


def test_issue12_lone_surrogate_is_skipped_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "sur.jsonl"
    path.write_text('{"text": "a\\ud800b"}\n{"text": "ok \\ud83d\\ude00"}\n{"text": "x", "meta": {"k": "\\udc00"}}\n')
    stream = get_stream(path)
    assert [t["text"] for t in stream] == ["ok \U0001F600"]
    first, second = stream.errors
    assert isinstance(first, InvalidEncoding) and first.line == 1 and "'text'" in str(first)
    assert second.line == 3 and "'meta.k'" in str(second)


def test_issue12_json_array_with_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([{"text": "a"}, {"text": "b\ud800"}]).encode("utf-8", "surrogatepass"))
    stream = get_stream(path)
    assert [t["text"] for t in stream] == ["a"] and stream.skipped == 1


def test_issue12_folder_for_a_file_loader_fails_when_opened(tmp_path: Path) -> None:
    with pytest.raises(SourceIsFolder):
        get_stream(tmp_path, loader="jsonl")


@pytest.mark.parametrize("bad", [51, 6])
def test_issue12_recipe_serves_every_valid_task_around_a_bad_line(tmp_path: Path, caplog, bad: int) -> None:
    from mentor.config import Settings
    from mentor.core.controller import Controller
    from mentor.db import Database
    from mentor.recipes.textcat import textcat_manual

    path = tmp_path / "mid.jsonl"
    path.write_text("\n".join(jsonl_lines(100, bad)) + "\n")
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    controller = Controller(textcat_manual("ds", str(path), label="A,B"), db, Settings(home=tmp_path, batch_size=10))
    served: List[str] = []
    while True:
        batch = controller.get_questions("alex").tasks
        if not batch:
            break
        served += [t["text"] for t in batch]
        controller.give_answers([{**t, "answer": "accept", "accept": ["A"]} for t in batch], "alex")
    db.close()
    assert len(served) == 99 and f"text {bad}" not in served
    assert [m for m in warnings(caplog) if f"mid.jsonl:{bad}:" in m]
