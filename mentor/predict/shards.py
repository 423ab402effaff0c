"""The output folder of ``mentor predict``: a manifest and numbered shards, each written whole or not at all.

The source is cut by record order into shards of ``shard_size`` records:
shard ``i`` holds the predictions of records ``i*size`` to ``(i+1)*size - 1``,
so the same source always cuts the same way and a finished shard never has to
be read again. A shard is written to a hidden temporary file, flushed to
disk and renamed into place (``os.replace`` is atomic on one file system),
so a run killed at any point (Ctrl-C, ``kill -9``, a lost machine) leaves
finished shards and at most some temporary files, which the next run deletes.
A re-run skips the shards that exist and predicts the rest: no record is
written twice and none is lost.

``manifest.json`` records what the shards were made from (the source, the
pipeline, the shard size and the options that change a prediction): a re-run
that differs is refused (PredictionsMismatch) rather than mixing two runs in
one folder. Options that only change how fast the run goes (engine, workers,
batch size) are not recorded.
"""
from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional

import srsly

from ..errors import NotPredictionsFolder, PredictionsMismatch
from ..tasks import Task

MANIFEST = "manifest.json"
SHARD_PREFIX = "shard-"
SHARD_SUFFIX = ".jsonl"
TEMP_PREFIX = ".tmp-"
FORMAT = 1
HEAD_BYTES = 1 << 20  # the source's first MiB is hashed: a changed file is told apart without reading it all


def source_identity(path: str) -> Dict[str, Any]:
    """The source as the manifest records it: absolute path, size and a hash of its first MiB."""
    resolved = Path(path).resolve()
    with resolved.open("rb") as handle:
        head = hashlib.sha256(handle.read(HEAD_BYTES)).hexdigest()
    return {"path": str(resolved), "bytes": resolved.stat().st_size, "head_sha256": head}


@dataclass
class Shard:
    """Records ``index*size`` onwards: the tasks to predict (those with a text) and how many records it spans."""

    index: int
    tasks: List[Task]
    records: int
    no_text: int = 0


def cut(records: Iterable[Task], size: int) -> Iterator[Shard]:
    """The records in shards of ``size``, by order; records without a ``text`` are counted, not predicted."""
    iterator = iter(records)
    for index in itertools.count():
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        tasks = [task for task in chunk if isinstance(task.get("text"), str)]
        yield Shard(index, tasks, len(chunk), len(chunk) - len(tasks))


@dataclass
class ShardFolder:
    """OUT: where shards are checked, written and listed."""

    path: Path
    manifest: Dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, out: str, manifest: Dict[str, Any]) -> "ShardFolder":
        """Create OUT with ``manifest``, or resume it if its manifest is the same; delete stale temporary files.

        Raises NotPredictionsFolder for a file or a folder of other files, and
        PredictionsMismatch for a folder of another run, naming what differs.
        """
        path = Path(out)
        manifest = dict(manifest, format=FORMAT)
        if path.exists() and not path.is_dir():
            raise NotPredictionsFolder(out, "is a file")
        written = path / MANIFEST
        if written.exists():
            try:
                before = srsly.read_json(written)
            except ValueError as err:
                raise NotPredictionsFolder(out, f"its {MANIFEST} is not JSON ({err})") from None
            differences = _differences(before, manifest)
            if differences:
                raise PredictionsMismatch(out, differences)
        elif path.exists() and any(path.iterdir()):
            raise NotPredictionsFolder(out, f"holds other files and no {MANIFEST}")
        else:
            path.mkdir(parents=True, exist_ok=True)
            _write_atomically(written, srsly.json_dumps(manifest, indent=2, sort_keys=True) + "\n")
        folder = cls(path, manifest)
        for stale in path.glob(f"{TEMP_PREFIX}*"):
            stale.unlink()
        return folder

    def shard_path(self, index: int) -> Path:
        return self.path / f"{SHARD_PREFIX}{index:06d}{SHARD_SUFFIX}"

    def is_done(self, index: int) -> bool:
        return self.shard_path(index).exists()

    def write(self, index: int, predictions: Iterable[Task]) -> int:
        """Write shard ``index`` whole (temporary file, fsync, rename); return the lines written."""
        lines = [srsly.json_dumps(task) for task in predictions]
        _write_atomically(self.shard_path(index), "".join(line + "\n" for line in lines))
        return len(lines)

    def shards(self) -> List[Path]:
        """The finished shards, in order."""
        return sorted(self.path.glob(f"{SHARD_PREFIX}*{SHARD_SUFFIX}"))


def _write_atomically(target: Path, text: str) -> None:
    temp = target.with_name(f"{TEMP_PREFIX}{target.name}.{os.getpid()}")
    with temp.open("w", encoding="utf8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)


def _differences(before: Dict[str, Any], now: Dict[str, Any]) -> List[str]:
    found = []
    for key in sorted(set(before) | set(now)):
        if before.get(key) != now.get(key):
            found.append(f"{key}: {_short(before.get(key))} there, {_short(now.get(key))} now")
    return found


def _short(value: Optional[Any]) -> str:
    text = srsly.json_dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."
