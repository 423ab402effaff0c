import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mentor.errors import InvalidLine, MissingField, SourceNotFound, UnknownLoader
from mentor.loaders import get_stream


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_jsonl_reads_tasks_with_hashes(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "one"}\n\n{"text": "two", "meta": {"x": 1}}\n')
    stream = get_stream(path)
    tasks = list(stream)
    assert [t["text"] for t in tasks] == ["one", "two"]
    assert all("_input_hash" in t and "_task_hash" in t for t in tasks)
    assert stream.total == 2
    assert list(stream) == tasks  # re-iterable


@pytest.mark.parametrize(
    "content,line,problem",
    [
        (b'{"text": "ok"}\n{"text": "bad"\n', 2, "not valid JSON"),
        (b'{"text": "ok"}\n{"meta": {}}\n', 2, "field 'text' is missing"),
        (b'{"text": "ok"}\n{"text": "\xff\xfe"}\n', 2, "not valid UTF-8"),
        (b'[1, 2]\n', 1, "expected a JSON object"),
        (b'{"text": 5}\n', 1, "must be a string"),
        (b'{"text": "x", "answer": "maybe"}\n', 1, "answer"),
    ],
)
def test_jsonl_reports_file_and_line_of_bad_input(tmp_path, content, line, problem):
    path = write(tmp_path / "bad.jsonl", content)
    with pytest.raises(InvalidLine) as err:
        list(get_stream(path, skip_invalid=False))
    assert err.value.line == line
    assert problem in str(err.value)
    assert str(path) in str(err.value)


def test_jsonl_missing_text_is_missing_field(tmp_path):
    path = write(tmp_path / "bad.jsonl", b'{"meta": {}}\n')
    with pytest.raises(MissingField) as err:
        list(get_stream(path, skip_invalid=False))
    assert err.value.field == "text" and err.value.code == "M012"


def test_loaders_skip_invalid_counts_lines(tmp_path):
    path = write(tmp_path / "mixed.jsonl", b'{"text": "a"}\nnope\n\xff\n{"text": "b"}\n{"x": 1}\n')
    stream = get_stream(path, skip_invalid=True)
    assert [t["text"] for t in stream] == ["a", "b"]
    assert stream.skipped == 3
    assert [e.line for e in stream.errors] == [2, 3, 5]


def test_jsonl_gz_and_ten_megabyte_line(tmp_path):
    big = "x" * (10 * 1024 * 1024)
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf8") as handle:
        handle.write(json.dumps({"text": big}) + "\n" + json.dumps({"text": "small"}) + "\n")
    tasks = list(get_stream(path))
    assert len(tasks[0]["text"]) == len(big) and tasks[1]["text"] == "small"


def test_csv_maps_text_and_meta(tmp_path):
    path = write(tmp_path / "a.csv", 'Text,Label,source\nhello,A,web\n"multi\nline",B,mail\n'.encode())
    tasks = list(get_stream(path))
    assert tasks[0]["text"] == "hello" and tasks[0]["label"] == "A" and tasks[0]["meta"] == {"source": "web"}
    assert tasks[1]["text"] == "multi\nline"


def test_csv_wrong_column_count_names_line(tmp_path):
    path = write(tmp_path / "a.csv", b"text,source\nhello,web\nbroken\n")
    with pytest.raises(InvalidLine) as err:
        list(get_stream(path, skip_invalid=False))
    assert err.value.line == 3


def test_csv_without_text_column(tmp_path):
    path = write(tmp_path / "a.csv", b"body,source\nhello,web\n")
    with pytest.raises(MissingField):
        list(get_stream(path))


def test_tsv_txt_json(tmp_path):
    assert [t["text"] for t in get_stream(write(tmp_path / "a.tsv", b"text\tx\nhi\t1\n"))] == ["hi"]
    assert [t["text"] for t in get_stream(write(tmp_path / "a.txt", b"one\n\n two \n"))] == ["one", " two "]
    assert [t["text"] for t in get_stream(write(tmp_path / "a.json", b'[{"text": "j"}]'))] == ["j"]
    with pytest.raises(InvalidLine, match="JSON array"):
        list(get_stream(write(tmp_path / "b.json", b'{"text": "j"}')))


def test_images_folder(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    (folder / "b.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (folder / "a.jpg").write_bytes(b"\xff\xd8fake")
    (folder / "notes.txt").write_text("skip me")
    tasks = list(get_stream(folder))
    assert [t["meta"]["file"] for t in tasks] == ["a.jpg", "b.png"]
    assert tasks[0]["image"].startswith("data:image/jpeg;base64,")


def test_loader_override_and_unknown(tmp_path):
    path = write(tmp_path / "data.dat", b'{"text": "x"}\n')
    with pytest.raises(UnknownLoader):
        get_stream(path)
    assert [t["text"] for t in get_stream(path, loader="jsonl")] == ["x"]
    with pytest.raises(UnknownLoader):
        get_stream(path, loader="xml")
    with pytest.raises(SourceNotFound):
        get_stream(tmp_path / "missing.jsonl")


def test_stream_apply_keeps_total(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "a"}\n{"text": "b"}\n')

    def upper(stream, suffix):
        for task in stream:
            yield {**task, "text": task["text"].upper() + suffix}

    stream = get_stream(path).apply(upper, "!")
    assert [t["text"] for t in stream] == ["A!", "B!"]
    assert stream.total == 2
    assert get_stream(path).apply(upper, "?", keep_total=False).total is None


def test_dedup_and_rehash(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "a", "_input_hash": 1, "_task_hash": 2}\n{"text": "a", "_input_hash": 1, "_task_hash": 2}\n')
    assert len(list(get_stream(path, dedup=True))) == 1
    assert list(get_stream(path, rehash=True))[0]["_input_hash"] != 1


def test_issue12_dedup_keeps_texts_whose_hashes_collide(tmp_path):
    """R23: the two texts share _input_hash and _task_hash; dedup drops only a real repeat."""
    lines = [{"text": "collision probe 43663"}, {"text": "collision probe 237330"}, {"text": "collision probe 43663"}]
    path = write(tmp_path / "c.jsonl", "".join(json.dumps(t) + "\n" for t in lines).encode())
    tasks = list(get_stream(path, dedup=True))
    assert [t["text"] for t in tasks] == ["collision probe 43663", "collision probe 237330"]
    assert tasks[0]["_task_hash"] == tasks[1]["_task_hash"] and tasks[0]["_input_hash"] == tasks[1]["_input_hash"]


def test_stdin_loader(tmp_path):
    code = "from mentor.loaders import get_stream; print([t['text'] for t in get_stream('-')])"
    out = subprocess.run([sys.executable, "-c", code], input=b'{"text": "piped"}\n', capture_output=True, check=True)
    assert out.stdout.strip() == b"['piped']"


@pytest.mark.slow
def test_jsonl_million_lines_first_task_fast_and_memory_flat(tmp_path):
    path = tmp_path / "million.jsonl"
    line = b'{"text": "Some text that could come from a real source, of a usual length.", "meta": {"i": 0}}\n'
    with path.open("wb") as handle:
        for _ in range(10):
            handle.write(line * 100_000)
    code = (
        "import time, resource, itertools\n"
        "from mentor.loaders import get_stream\n"
        "start = time.perf_counter(); stream = iter(get_stream(%r)); next(stream)\n"
        "first = time.perf_counter() - start\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "for _ in itertools.islice(stream, 200000): pass\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(first, after - before)\n" % str(path)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    first, grown_kb = float(out[0]), int(out[1])
    assert first < 1.0
    assert grown_kb < 20_000  # reading 200k tasks must not hold them: well under 20 MB growth
