import json
import subprocess
import sys

import pytest

from mentor.tasks import get_input_hash, set_hashes, split_string


def test_tasks_hashes_ignore_key_order_and_bookkeeping():
    a = set_hashes({"text": "Hello", "label": "A", "meta": {"x": 1}, "spans": [{"start": 0, "end": 5, "label": "X"}]})
    b = set_hashes({"spans": [{"label": "X", "end": 5, "start": 0}], "meta": {"y": 2}, "label": "A", "text": "Hello", "score": 0.3})
    assert a["_input_hash"] == b["_input_hash"]
    assert a["_task_hash"] == b["_task_hash"]


def test_tasks_same_input_different_question_differ_by_task_hash():
    a = set_hashes({"text": "Hello", "label": "A"})
    b = set_hashes({"text": "Hello", "label": "B"})
    assert a["_input_hash"] == b["_input_hash"]
    assert a["_task_hash"] != b["_task_hash"]


def test_tasks_hashes_are_stable_across_processes():
    code = "from mentor.tasks import set_hashes; t = set_hashes({'text': 'ça va', 'label': 'A'}); print(t['_input_hash'], t['_task_hash'])"
    out1 = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": "1"}, check=True).stdout
    out2 = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONHASHSEED": "2"}, check=True).stdout
    assert out1 == out2
    ih, th = map(int, out1.split())
    assert -(2**31) <= ih < 2**31 and -(2**31) <= th < 2**31


def test_tasks_existing_hashes_kept_unless_overwrite():
    task = {"text": "x", "_input_hash": 1, "_task_hash": 2}
    assert set_hashes(dict(task))["_task_hash"] == 2
    assert set_hashes(dict(task), overwrite=True)["_input_hash"] != 1


def test_tasks_hashes_match_prodigy_export(shared_data):
    path = shared_data / "prodigy-recipes/example-datasets/annotated_reddit-INSULT-textcat.jsonl"
    for line in path.read_text().splitlines()[:50]:
        task = json.loads(line)
        expected = (task["_input_hash"], task["_task_hash"])
        set_hashes(task, overwrite=True)
        assert (task["_input_hash"], task["_task_hash"]) == expected


def test_tasks_custom_input_keys():
    a = {"text": "same", "meta": {"id": 1}}
    b = {"text": "same", "meta": {"id": 2}}
    assert get_input_hash(a) == get_input_hash(b)
    assert get_input_hash(a, ("text", "meta")) != get_input_hash(b, ("text", "meta"))


@pytest.mark.parametrize("value,expected", [("A,B", ["A", "B"]), (" A , ,B ", ["A", "B"]), ("", []), (None, [])])
def test_tasks_split_string(value, expected):
    assert split_string(value) == expected
