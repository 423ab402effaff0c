"""`mentor train --gpu-id 0` against `--gpu-id -1` on the same data: wall time and scores.

    python bench/gpu_train.py --prepare-only            # write the data slice (needs ../shared/data)
    python bench/gpu_train.py                           # both cases, 3 epochs, CPU then GPU
    python bench/gpu_train.py --gpus=0,-1 --epochs 2 --timeout 170     # docs/training.md's figures
    python bench/gpu_train.py --gpus=-1 --epochs 1      # the CPU runs only (no GPU here)

Data: the first N CoNLL-2003 train sentences as ner_manual answers (bench/train_parity.py's
reader), the first N ag-news train texts as choice answers (one accepted option of the four),
and teach-style binary answers on the first N CoNLL-2003 valid sentences (each entity
accepted, one random wrong span rejected). They are written to --data (default
.bench-data/gpu_train, which git must ignore: CoNLL-2003 never goes into the repository)
from ../shared/data when the files are not there yet, so the folder can travel to a machine
without ../shared.

The files are imported into a fresh SQLite database with `python -m mentor db-in`
(MENTOR_HOME and MENTOR_DB_URL point into a temporary folder). Then, for each --gpus entry
G, the same seed each time, `python -m mentor train OUT ... --eval-split 0.2 --epochs E
--gpu-id G` runs as a subprocess for each case:

  ner-textcat  --ner conll --textcat agnews (one pipeline, a shared tok2vec)
  binary-ner   --ner binary --silver-rounds 1 (two trainings; beam search and spacy.load between)

For each run it prints the wall time of the train command (Python start, reading the
answers, init and the loop), the time from spaCy's first table header to mentor's "Saved"
line ("loop"), the scores of model-best on the held-out 20 % (NER F, textcat macro F), and,
on a machine with nvidia-smi, the peak GPU memory and mean utilisation seen while it ran.
Before the runs: the versions of spaCy, thinc, cupy, numpy and torch, and whether thinc finds
a GPU (`thinc.api.prefer_gpu()` and `get_current_ops()`, in a subprocess of its own).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_parity import CONLL, binary_tasks, read_conll, to_task, unique  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AG_NEWS = CONLL.parent / "ag-news" / "train.jsonl"
DEFAULT_DATA = ROOT / ".bench-data" / "gpu_train"
LABELS = ["WORLD", "SPORTS", "BUSINESS", "SCI_TECH"]

PROBE = """
import importlib.metadata as md
for name in ("spacy", "thinc", "cupy-cuda13x", "cupy-cuda12x", "cupy", "numpy", "torch"):
    try:
        print(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:
        pass
try:
    import cupy
    print("cupy CUDA runtime", cupy.cuda.runtime.runtimeGetVersion(), "driver", cupy.cuda.runtime.driverGetVersion())
except Exception as err:  # no cupy, or no GPU
    print("cupy:", type(err).__name__, err)
from thinc.api import get_current_ops, prefer_gpu
print("prefer_gpu(0):", prefer_gpu(0))
print("current ops:", type(get_current_ops()).__name__)
"""


def prepare(data: Path, n_ner: int, n_textcat: int, n_binary: int) -> None:
    """Write ner.jsonl, textcat.jsonl and binary.jsonl from ../shared/data."""
    data.mkdir(parents=True, exist_ok=True)
    sentences = unique(read_conll(CONLL / "train.txt", n_ner))
    with (data / "ner.jsonl").open("w", encoding="utf8") as out:
        for words, tags in sentences:
            out.write(json.dumps(to_task(words, tags)) + "\n")
    rng = random.Random(0)
    answers = 0
    with (data / "binary.jsonl").open("w", encoding="utf8") as out:
        for words, tags in unique(read_conll(CONLL / "valid.txt", n_binary)):
            for task in binary_tasks(to_task(words, tags), rng, ["PER", "LOC", "ORG", "MISC"]):
                out.write(json.dumps(task) + "\n")
                answers += 1
    options = [{"id": label, "text": label} for label in LABELS]
    written = 0
    with AG_NEWS.open(encoding="utf8") as rows, (data / "textcat.jsonl").open("w", encoding="utf8") as out:
        for line in rows:
            if written == n_textcat:
                break
            row = json.loads(line)
            task = {"text": row["text"], "options": options, "accept": [row["label"]], "answer": "accept",
                    "_view_id": "choice"}
            out.write(json.dumps(task) + "\n")
            written += 1
    print(f"wrote {len(sentences)} NER sentences, {written} textcat texts and {answers} binary NER answers to {data}")


class GpuMonitor:
    """Polls nvidia-smi once a second: peak memory used (MiB) and mean utilisation (%)."""

    def __init__(self) -> None:
        self.memory: List[int] = []
        self.util: List[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                line = subprocess.run(
                    ["nvidia-smi", "--query-gpu=memory.used,utilization.gpu", "--format=csv,noheader,nounits", "-i", "0"],
                    capture_output=True, text=True, timeout=10,
                ).stdout.strip()
                memory, util = (int(x) for x in line.split(","))
                self.memory.append(memory)
                self.util.append(util)
            except (ValueError, OSError, subprocess.SubprocessError):
                pass
            self._stop.wait(1.0)

    def __enter__(self) -> "GpuMonitor":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.memory:
            return "no readings"
        return f"peak {max(self.memory)} MiB, mean util {sum(self.util) / len(self.util):.0f} % ({len(self.util)} readings)"


class RunFailed(Exception):
    pass


def mentor(args: List[str], env: Dict[str, str], log: Path, timeout: Optional[float] = None) -> Dict[str, Optional[float]]:
    """Run `python -m mentor ARGS`; wall seconds, and spaCy's loop seconds read off the output.

    A run past ``timeout`` seconds is killed and reported, so one slow run can't hide the other's figures.
    """
    start = time.perf_counter()
    loop_start = loop_end = None
    with log.open("w", encoding="utf8") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "mentor", *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, encoding="utf8", errors="replace")
        assert proc.stdout is not None
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer is not None:
            timer.start()
        for line in proc.stdout:
            handle.write(line)
            if loop_start is None and "LOSS" in line and "SCORE" in line:  # spaCy's table header
                loop_start = time.perf_counter()
            if loop_end is None and "Saved model-best" in line:
                loop_end = time.perf_counter()
        code = proc.wait()
        if timer is not None:
            timer.cancel()
    wall = time.perf_counter() - start
    if code != 0:
        print(log.read_text(encoding="utf8")[-6000:])
        killed = f" (killed after {timeout:.0f} s)" if timeout and wall >= timeout else ""
        raise RunFailed(f"exit code {code}{killed} after {wall:.1f} s: python -m mentor {' '.join(args)}")
    loop = loop_end - loop_start if loop_start is not None and loop_end is not None else None
    return {"wall": wall, "loop": loop}


def scores(output: Path) -> Dict[str, float]:
    meta = json.loads((output / "model-best" / "meta.json").read_text(encoding="utf8"))
    performance = meta.get("performance") or {}
    keys = ("ents_f", "ents_p", "ents_r", "cats_macro_f", "cats_score")
    return {key: float(performance[key]) for key in keys if isinstance(performance.get(key), (int, float))}


CASES = {
    # name: (datasets imported, train flags)
    "ner-textcat": (("conll", "agnews"), ["--ner", "conll", "--textcat", "agnews"]),
    "binary-ner": (("binary",), ["--ner", "binary", "--silver-rounds", "1"]),
}
FILES = {"conll": "ner.jsonl", "agnews": "textcat.jsonl", "binary": "binary.jsonl"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the JSONL files")
    parser.add_argument("--ner", type=int, default=3000, help="CoNLL-2003 train sentences (when preparing)")
    parser.add_argument("--textcat", type=int, default=3000, help="ag-news train texts (when preparing)")
    parser.add_argument("--binary", type=int, default=600, help="CoNLL-2003 valid sentences as binary answers (when preparing)")
    parser.add_argument("--prepare-only", action="store_true", help="write the data folder and stop")
    parser.add_argument("--cases", default="ner-textcat,binary-ner", help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gpus", default="-1,0", help="--gpu-id values to train with, in this order")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before a train run is killed")
    parser.add_argument("--keep", type=Path, help="keep the database, logs and models in this folder")
    args = parser.parse_args()

    if args.prepare_only or not all((args.data / name).exists() for name in FILES.values()):
        prepare(args.data, args.ner, args.textcat, args.binary)
        if args.prepare_only:
            return
    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        raise SystemExit(f"unknown case {', '.join(unknown)}")
    gpus = [int(g) for g in args.gpus.split(",")]
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    print(probe.stdout.strip() or probe.stderr.strip()[-2000:])
    monitor_gpu = shutil.which("nvidia-smi") is not None

    tmp = Path(tempfile.mkdtemp(prefix="mentor-gpu-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env.update(MENTOR_HOME=str(tmp / "home"), MENTOR_DB_URL=f"sqlite:///{tmp / 'bench.db'}", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    results: Dict[tuple, Dict[str, Any]] = {}
    failed: List[str] = []
    try:
        for dataset in sorted({d for case in cases for d in CASES[case][0]}):
            took = mentor(["db-in", dataset, str(args.data / FILES[dataset])], env, tmp / f"db-in-{dataset}.log")
            print(f"db-in {dataset}: {took['wall']:.1f} s")
        for gpu in gpus:
            for case in cases:
                output = tmp / f"out-{case}-gpu{gpu}"
                command = ["train", str(output), *CASES[case][1], "--eval-split", "0.2",
                           "--epochs", str(args.epochs), "--seed", str(args.seed), "--gpu-id", str(gpu)]
                log = tmp / f"train-{case}-gpu{gpu}.log"
                print(f"python -m mentor {' '.join(command)}", flush=True)
                try:
                    if monitor_gpu:
                        with GpuMonitor() as monitor:
                            timing = mentor(command, env, log, args.timeout)
                        gpu_note = monitor.summary()
                    else:
                        timing = mentor(command, env, log, args.timeout)
                        gpu_note = "no nvidia-smi"
                except RunFailed as err:
                    print(f"  {case} --gpu-id {gpu}: FAILED, {err}", flush=True)
                    failed.append(f"{case} --gpu-id {gpu}")
                    continue
                found = results[case, gpu] = {**timing, "scores": scores(output), "gpu": gpu_note}
                loop = f"{found['loop']:.1f} s" if found["loop"] is not None else "?"
                print(f"  {case} --gpu-id {gpu}: wall {found['wall']:.1f} s, loop {loop}, "
                      + ", ".join(f"{k} {v:.4f}" for k, v in found["scores"].items()) + f"; GPU: {gpu_note}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n{'case':<12} {'--gpu-id':>8} {'wall s':>8} {'loop s':>8} {'ents_f':>8} {'cats_macro_f':>13}  GPU (nvidia-smi)")
    for (case, gpu), found in results.items():
        loop = f"{found['loop']:8.1f}" if found["loop"] is not None else f"{'?':>8}"
        ents = found["scores"].get("ents_f", float("nan"))
        cats = found["scores"].get("cats_macro_f", float("nan"))
        print(f"{case:<12} {gpu:>8} {found['wall']:8.1f} {loop} {ents:8.4f} {cats:13.4f}  {found['gpu']}")
    for case in cases:
        cpu = results.get((case, -1))
        for gpu in gpus:
            found = results.get((case, gpu))
            if cpu is None or found is None or gpu < 0:
                continue
            loop_ratio = cpu["loop"] / found["loop"] if cpu["loop"] and found["loop"] else float("nan")
            print(f"{case}: CPU / GPU {gpu} wall {cpu['wall'] / found['wall']:.2f}x, loop {loop_ratio:.2f}x "
                  "(above 1: the GPU is faster)")
    if failed:
        raise SystemExit(f"failed: {'; '.join(failed)}")


if __name__ == "__main__":
    main()
