"""mentor predict's output folder: shards cut by record order, written whole, a manifest that refuses another run."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List

import pytest
import srsly

from mentor.errors import NotPredictionsFolder, PredictionsMismatch, RayNotInstalled
from mentor.predict.ray_engine import import_ray
from mentor.predict.shards import MANIFEST, ShardFolder, cut, source_identity

MANIFEST_A = {"source": {"path": "/data/a.jsonl", "bytes": 10}, "pipeline": {"path": "/m"}, "shard_size": 3}


def _records(n: int) -> List[dict]:
    return [{"text": f"text {i}", "i": i} for i in range(n)]


def test_issue16_cut_by_record_order_in_fixed_sizes() -> None:
    shards = list(cut(_records(7), 3))
    assert [shard.index for shard in shards] == [0, 1, 2]
    assert [[task["i"] for task in shard.tasks] for shard in shards] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [shard.records for shard in shards] == [3, 3, 1]
    assert list(cut([], 3)) == []


def test_issue16_cut_counts_records_without_text_in_their_shard() -> None:
    records = [{"text": "a"}, {"image": "x.png"}, {"text": "b"}, {"text": None}]
    first, second = cut(records, 2)
    assert (len(first.tasks), first.records, first.no_text) == (1, 2, 1)
    assert (len(second.tasks), second.records, second.no_text) == (1, 2, 1)


def test_issue16_new_folder_gets_the_manifest_and_resumes_with_the_same(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = ShardFolder.open(str(out), MANIFEST_A)
    assert srsly.read_json(out / MANIFEST)["shard_size"] == 3
    assert folder.write(1, [{"text": "x"}, {"text": "y"}]) == 2
    assert folder.is_done(1) and not folder.is_done(0)
    again = ShardFolder.open(str(out), MANIFEST_A)
    assert [path.name for path in again.shards()] == ["shard-000001.jsonl"]
    assert list(srsly.read_jsonl(again.shard_path(1))) == [{"text": "x"}, {"text": "y"}]


def test_issue16_a_run_with_other_parameters_is_refused_naming_them(tmp_path: Path) -> None:
    ShardFolder.open(str(tmp_path / "out"), MANIFEST_A)
    with pytest.raises(PredictionsMismatch) as caught:
        ShardFolder.open(str(tmp_path / "out"), dict(MANIFEST_A, shard_size=5))
    assert caught.value.code == "M221"
    assert caught.value.differences == ["shard_size: 3 there, 5 now"]
    with pytest.raises(PredictionsMismatch, match="pipeline"):
        ShardFolder.open(str(tmp_path / "out"), dict(MANIFEST_A, pipeline={"path": "/other"}))


def test_issue16_a_file_or_a_folder_of_other_files_is_not_written_into(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotPredictionsFolder, match="is a file"):
        ShardFolder.open(str(tmp_path / "file"), MANIFEST_A)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(NotPredictionsFolder, match="no manifest.json") as caught:
        ShardFolder.open(str(tmp_path / "busy"), MANIFEST_A)
    assert caught.value.code == "M222"
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / MANIFEST).write_text("{")
    with pytest.raises(NotPredictionsFolder, match="not JSON"):
        ShardFolder.open(str(tmp_path / "broken"), MANIFEST_A)
    empty = tmp_path / "empty"
    empty.mkdir()
    ShardFolder.open(str(empty), MANIFEST_A)


def test_issue16_writes_leave_no_temporary_file_and_a_killed_one_is_removed(tmp_path: Path) -> None:
    folder = ShardFolder.open(str(tmp_path), MANIFEST_A)
    folder.write(0, [{"text": "a"}])
    assert sorted(path.name for path in tmp_path.iterdir()) == [MANIFEST, "shard-000000.jsonl"]
    half = tmp_path / ".tmp-shard-000001.jsonl.4242"  # what a run killed mid-write leaves
    half.write_text('{"text": "hal')
    resumed = ShardFolder.open(str(tmp_path), MANIFEST_A)
    assert not half.exists() and not resumed.is_done(1)


def test_issue16_source_identity_tells_a_changed_file_apart(tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    source.write_text('{"text": "a"}\n')
    before = source_identity(str(source))
    assert before["path"] == str(source.resolve()) and before["bytes"] == 14
    source.write_text('{"text": "b"}\n')
    assert source_identity(str(source))["head_sha256"] != before["head_sha256"]


def test_issue16_ray_missing_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(RayNotInstalled, match=r"pip install 'mentor\[ray\]'") as caught:
        import_ray()
    assert caught.value.code == "M223"
