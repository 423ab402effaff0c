"""mentor predict on a tiny textcat + ner pipeline: local and Ray engines, resume, kill -9, into a dataset, review.

Every test checks the one promise that matters at scale: each input record
is in the output exactly once, however the run was cut short.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
import srsly

from mentor.db import connect
from mentor.errors import NoPredictingComponent, PredictionsMismatch
from mentor.models.annotator import LabelsNotInModel
from mentor.predict.run import PredictOptions, predict
from mentor.recipes.review import review


def _outputs(out: Path) -> List[Dict[str, Any]]:
    return [task for path in sorted(out.glob("shard-*.jsonl")) for task in srsly.read_jsonl(path)]


def _numbers(out: Path) -> List[int]:
    return [task["meta"]["i"] for task in _outputs(out)]


def _mentor(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mentor", *args], capture_output=True, text=True, timeout=timeout)


def test_issue16_local_engine_writes_every_record_once_with_spans_and_cats(tiny_pipeline, write_source, tmp_path) -> None:
    source = write_source(tmp_path / "src.jsonl", 25)
    with source.open("a") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"image": "no-text.png"}) + "\n")
    report = predict(str(tiny_pipeline), str(source), str(tmp_path / "out"), PredictOptions(shard_size=10))
    assert (report.written, report.predicted, report.no_text, report.bad_lines) == (3, 25, 1, 1)
    assert report.components == ["ner", "textcat"]
    assert _numbers(tmp_path / "out") == list(range(25))
    first = _outputs(tmp_path / "out")[0]
    assert first["_view_id"] == "ner_manual"
    assert {span["label"] for span in first["spans"]} <= {"PERSON", "GPE"}
    assert set(first["cats"]) == {"POS", "NEG"} and abs(sum(first["cats"].values()) - 1.0) < 1e-4
    assert first["tokens"][0]["text"] == "Alice" and "_input_hash" in first and "_task_hash" in first


def test_issue16_labels_filter_and_a_pipeline_without_predictions_is_refused(tiny_pipeline, write_source, tmp_path) -> None:
    source = write_source(tmp_path / "src.jsonl", 5)
    predict(str(tiny_pipeline), str(source), str(tmp_path / "out"), PredictOptions(labels=["PERSON"]))
    tasks = _outputs(tmp_path / "out")
    assert all(span["label"] == "PERSON" for task in tasks for span in task["spans"]) and "cats" not in tasks[0]
    with pytest.raises(LabelsNotInModel):
        predict(str(tiny_pipeline), str(source), str(tmp_path / "o2"), PredictOptions(labels=["NOPE"]))
    with pytest.raises(NoPredictingComponent) as caught:
        predict("blank:en", str(source), str(tmp_path / "o3"), PredictOptions())
    assert caught.value.code == "M220" and not (tmp_path / "o3").exists()


def test_issue16_rerun_predicts_only_the_missing_shards_and_refuses_other_parameters(tiny_pipeline, write_source, tmp_path) -> None:
    source, out = write_source(tmp_path / "src.jsonl", 30), tmp_path / "out"
    predict(str(tiny_pipeline), str(source), str(out), PredictOptions(shard_size=10))
    before = (out / "shard-000001.jsonl").stat().st_mtime_ns
    (out / "shard-000002.jsonl").unlink()
    report = predict(str(tiny_pipeline), str(source), str(out), PredictOptions(shard_size=10))
    assert (report.written, report.resumed, report.predicted) == (1, 2, 10)
    assert (out / "shard-000001.jsonl").stat().st_mtime_ns == before
    assert _numbers(out) == list(range(30))
    with pytest.raises(PredictionsMismatch, match="shard_size: 10 there, 20 now"):
        predict(str(tiny_pipeline), str(source), str(out), PredictOptions(shard_size=20))
    write_source(source, 31)  # the source changed under the shards
    with pytest.raises(PredictionsMismatch, match="source"):
        predict(str(tiny_pipeline), str(source), str(out), PredictOptions(shard_size=10))


def test_issue16_kill_9_mid_run_then_rerun_gives_every_input_exactly_once(tiny_pipeline, write_source, tmp_path) -> None:
    source, out = write_source(tmp_path / "src.jsonl", 1000), tmp_path / "out"
    args = ["predict", str(tiny_pipeline), str(source), str(out), "--shard-size", "10", "--batch-size", "2"]
    proc = subprocess.Popen([sys.executable, "-m", "mentor", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while len(list(out.glob("shard-*.jsonl"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    killed_with = sorted(out.glob("shard-*.jsonl"))
    assert 3 <= len(killed_with) < 100, "the kill came after the run had finished"
    for path in killed_with:  # no half shard: each one whole
        assert len(list(srsly.read_jsonl(path))) == 10
    result = _mentor(*args)
    assert result.returncode == 0, result.stderr
    assert f"Kept {len(killed_with)} shards" in result.stdout
    assert _numbers(out) == list(range(1000))
    assert not list(out.glob(".tmp-*"))


def test_issue16_ray_engine_on_two_workers_writes_what_local_writes(tiny_pipeline, write_source, tmp_path) -> None:
    source = write_source(tmp_path / "src.jsonl", 120)
    predict(str(tiny_pipeline), str(source), str(tmp_path / "local"), PredictOptions(shard_size=25))
    options = PredictOptions(engine="ray", workers=2, shard_size=25)
    report = predict(str(tiny_pipeline), str(source), str(tmp_path / "ray"), options)
    assert (report.written, report.predicted) == (5, 120)
    assert _outputs(tmp_path / "ray") == _outputs(tmp_path / "local")


def test_issue16_cli_into_a_dataset_then_review_over_it(tiny_pipeline, write_source, tmp_path, mentor_home) -> None:
    source = write_source(tmp_path / "src.jsonl", 12)
    result = _mentor("predict", str(tiny_pipeline), str(source), str(tmp_path / "out"), "--shard-size", "5", "--dataset", "preds")
    assert result.returncode == 0, result.stderr
    assert "Imported 12 predictions into 'preds' (12 in the dataset)" in result.stdout
    again = _mentor("predict", str(tiny_pipeline), str(source), str(tmp_path / "out"), "--shard-size", "5", "--dataset", "preds")
    assert again.returncode == 0 and "Imported 0 predictions" in again.stdout, again.stderr
    db = connect()
    stored = list(db.get_dataset_examples("preds"))
    assert len(stored) == 12 and {task["answer"] for task in stored} == {"accept"}
    components = review("gold", "preds")
    assert components.config["review_view_id"] == "ner_manual" and len(list(components.stream)) == 12


@pytest.mark.parametrize(
    "args, code",
    [
        (["-"], "[M224]"),
        (["{src}", "--engine", "spark"], "[M026]"),
        (["{src}", "--labels", "NOPE"], "[M112]"),
    ],
)
def test_issue16_cli_errors_are_one_line_with_a_code(tiny_pipeline, write_source, tmp_path, mentor_home, args, code) -> None:
    source = write_source(tmp_path / "src.jsonl", 3)
    argv = [str(tiny_pipeline), *(a.format(src=source) for a in args[:1]), str(tmp_path / "out"), *args[1:]]
    result = _mentor("predict", *argv)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1 and code in lines[0], result.stderr
    assert not (tmp_path / "out").exists()
