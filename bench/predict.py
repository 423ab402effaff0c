"""Benchmark mentor predict: Ray on W local workers against one process, and a killed run resumed.

    python bench/predict.py                       # 200,000 texts, 2 Ray workers
    python bench/predict.py --n 20000 --workers 2 --shard-size 1000

The pipeline is small and real: blank:en with a bag-of-words textcat trained
on AG News headlines and a narrow ner (a 48-wide CNN tok2vec) trained on
CoNLL-2003 sentences, both from ../shared/data, a few epochs (seconds). The
source is AG News texts repeated to N records, each numbered in meta.i.

Phases, each a `mentor predict` subprocess as a user runs it:
  single   --engine local (one process, nlp.pipe)
  ray      --engine ray --workers W (a local Ray cluster started by the run)
  resume   --engine ray again into a new folder, killed with SIGKILL (the run and
           its Ray processes) once a random number of its shards (at least one,
           fewer than all) are written, then re-run
Prints texts/s of each, ray/single (goal >= 1.7 with 2 workers, which needs
2 idle cores: the figure says what the machine had), and for the resumed run
the shards the kill left, and that every input is in the output exactly once
and equal to the single-process output.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TOK2VEC = {
    "@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None, "width": 48, "depth": 2,
    "embed_size": 2000, "window_size": 1, "maxout_pieces": 3, "subword_features": True,
}
NER = {
    "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
    "hidden_width": 32, "maxout_pieces": 2, "use_upper": True, "tok2vec": TOK2VEC,
}
TEXTCAT = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 1, "no_output_layer": False}


def build_pipeline(path: Path) -> None:
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example

    from al_loop import read_conll  # bench/ is on sys.path when this file runs
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(0)
    nlp = spacy.blank("en")
    nlp.add_pipe("textcat", config={"model": TEXTCAT})
    nlp.add_pipe("ner", config={"model": NER})
    examples = []
    for record in list(_read_jsonl(DATA / "ag-news" / "train.jsonl"))[:400]:
        cats = {label: float(label == record["label"]) for label in ("BUSINESS", "SCI_TECH", "SPORTS", "WORLD")}
        examples.append(Example.from_dict(nlp.make_doc(record["text"]), {"cats": cats}))
    for words, ents in read_conll(DATA / "conll2003" / "train.txt", 400):
        doc = Doc(nlp.vocab, words=words)
        offsets = [(doc[start:end].start_char, doc[start:end].end_char, label) for start, end, label in ents]
        examples.append(Example.from_dict(doc, {"entities": offsets}))
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        random.shuffle(examples)
        for batch in minibatch(examples, 32):
            nlp.update(batch, sgd=optimizer)
    nlp.to_disk(path)


def _read_jsonl(path: Path):
    with path.open(encoding="utf8") as handle:
        for line in handle:
            yield json.loads(line)


def write_source(path: Path, n: int) -> None:
    texts = [record["text"] for record in _read_jsonl(DATA / "ag-news" / "train.jsonl")]
    with path.open("w", encoding="utf8") as handle:
        for i in range(n):
            handle.write(json.dumps({"text": texts[i % len(texts)], "meta": {"i": i}}) + "\n")


def predict_args(model: Path, source: Path, out: Path, engine: str, workers: int, shard_size: int) -> List[str]:
    args = [sys.executable, "-m", "mentor", "predict", str(model), str(source), str(out), "--shard-size", str(shard_size)]
    return args + (["--engine", "ray", "--workers", str(workers)] if engine == "ray" else [])


def timed_run(args: List[str]) -> Tuple[float, float]:
    """Wall seconds of the whole command (start-up included) and the texts/s it reports (predicting only)."""
    start = time.perf_counter()
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    found = re.search(r"\(([\d,]+) texts/s", done.stdout)
    return seconds, float(found.group(1).replace(",", "")) if found else float("nan")


def steady_rate(out: Path, shard_size: int, workers: int) -> float:
    """Texts/s from the first round of shards written (one a worker) to the last: throughput once all run."""
    times = sorted(path.stat().st_mtime for path in out.glob("shard-*.jsonl"))
    if len(times) <= workers or times[-1] <= times[workers - 1]:
        return float("nan")
    return (len(times) - workers) * shard_size / (times[-1] - times[workers - 1])


def outputs(out: Path) -> List[Dict]:
    tasks = []
    for path in sorted(out.glob("shard-*.jsonl")):
        with path.open(encoding="utf8") as handle:
            tasks.extend(json.loads(line) for line in handle)
    return tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None, help="Seed of the kill moment (default: random)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    with tempfile.TemporaryDirectory(prefix="mentor-bench-predict-") as tmp:
        root = Path(tmp)
        model, source = root / "model", root / "source.jsonl"
        start = time.perf_counter()
        build_pipeline(model)
        write_source(source, args.n)
        print(f"pipeline trained and {args.n:,} texts written in {time.perf_counter() - start:.1f}s; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

        single, single_rate = timed_run(predict_args(model, source, root / "single", "local", 1, args.shard_size))
        ray, ray_rate = timed_run(predict_args(model, source, root / "ray", "ray", args.workers, args.shard_size))
        single_steady = steady_rate(root / "single", args.shard_size, 1)
        ray_steady = steady_rate(root / "ray", args.shard_size, args.workers)

        resumed = root / "resumed"
        total_shards = -(-args.n // args.shard_size)
        kill_at = random.Random(seed).randint(1, max(1, total_shards - 1))  # shards written when the kill comes
        proc = subprocess.Popen(
            predict_args(model, source, resumed, "ray", args.workers, args.shard_size),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        started = time.perf_counter()
        while len(list(resumed.glob("shard-*.jsonl"))) < kill_at and proc.poll() is None:
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its Ray processes, as a lost machine would
        proc.wait()
        kill_after = time.perf_counter() - started
        left = len(list(resumed.glob("shard-*.jsonl")))
        rest, _ = timed_run(predict_args(model, source, resumed, "ray", args.workers, args.shard_size))

        expected = outputs(root / "single")
        got = outputs(resumed)
        numbers = sorted(task["meta"]["i"] for task in got)
        exactly_once = numbers == list(range(args.n))
        same = sorted(got, key=lambda task: task["meta"]["i"]) == expected and outputs(root / "ray") == expected

    print(f"{'engine':<20}{'wall s':>8}{'texts/s wall':>14}{'ratio':>7}{'predicting':>12}{'ratio':>7}{'steady':>9}{'ratio':>7}")
    print(f"{'local, 1 process':<20}{single:>8.1f}{args.n / single:>14,.0f}{1.0:>7.2f}{single_rate:>12,.0f}{1.0:>7.2f}"
          f"{single_steady:>9,.0f}{1.0:>7.2f}")
    print(f"{f'ray, {args.workers} workers':<20}{ray:>8.1f}{args.n / ray:>14,.0f}{single / ray:>7.2f}"
          f"{ray_rate:>12,.0f}{ray_rate / single_rate:>7.2f}{ray_steady:>9,.0f}{ray_steady / single_steady:>7.2f}")
    print(f"ray/single = {single / ray:.2f}x wall, {ray_rate / single_rate:.2f}x predicting, "
          f"{ray_steady / single_steady:.2f}x steady (goal >= 1.7 with 2 workers). wall: the whole command; "
          "predicting: from the pipeline loaded (Ray's start-up included); steady: from the first shard of each "
          "worker written to the last")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"resume: killed (SIGKILL, seed {seed}) at {kill_after:.1f}s with {left}/{total_shards} shards written; "
          f"re-run took {rest:.1f}s; every input exactly once: {exactly_once} "
          f"({len(got):,} lines for {args.n:,} inputs); outputs equal to the single-process run: {same}")


if __name__ == "__main__":
    main()
