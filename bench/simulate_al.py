"""Labels to reach 90/95 % of the full-data score: teach order vs random, sms-spam and sst2.

The same thing ``mentor simulate`` does, on the two shared data sets at once:

    python bench/simulate_al.py                 # 3 seeds, 1000 answers, step 50
    python bench/simulate_al.py --seeds 5 --max-labels 1500 --output al.json

Equivalent commands:

    mentor simulate ../shared/data/sms-spam/all.jsonl --seeds 3
    mentor simulate ../shared/data/sst2/train.jsonl --eval ../shared/data/sst2/dev.jsonl --seeds 3

Goal (docs/active-learning.md): teach needs <= 0.6x random's answers on the
imbalanced sms-spam, and is never worse than random beyond the seed spread on
the balanced sst2. Run by hand; never part of the tests.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import srsly

from mentor.sorters import DEFAULT_POOL_SIZE

from mentor.simulate import (
    Labelled, SimulationConfig, SimulationResult, default_labels, read_labelled, simulate, split_eval,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load(path: Path) -> List[Labelled]:
    examples, _ = read_labelled(srsly.read_jsonl(path), where=str(path))
    return examples


def worst_gap(result: SimulationResult) -> float:
    """The largest amount by which teach's mean falls below random's, in units of their spread."""
    teach, rand = result.curves["teach"].points, result.curves["random"].points
    gaps = [
        (r.mean - t.mean) / max(1e-9, max(t.std, r.std, 0.005))
        for t, r in zip(teach, rand) if t.labels > 0
    ]
    return max(gaps, default=0.0)


def run(name: str, train: Sequence[Labelled], held: Sequence[Labelled], labels: List[str], args: argparse.Namespace) -> Dict:
    config = SimulationConfig(
        labels=labels, max_labels=args.max_labels, step=args.step, seeds=args.seeds, pool_size=args.pool_size,
    )
    start = time.perf_counter()
    result = simulate(train, held, config)
    seconds = time.perf_counter() - start
    row: Dict = {"data": name, "labels": labels, "full_score": round(result.full_score, 4), "seconds": round(seconds, 1)}
    for target in ("0.9", "0.95"):
        teach = result.curves["teach"].labels_to[target]
        rand = result.curves["random"].labels_to[target]
        ratio: Optional[float] = result.ratio(float(target))
        row[f"teach@{target}"], row[f"random@{target}"] = teach, rand
        row[f"ratio@{target}"] = round(ratio, 2) if ratio is not None else None
    row["worst_teach_below_random_in_spreads"] = round(worst_gap(result), 2)
    print(
        f"{name:9s} full F1 {result.full_score:.3f} | to 90%: teach {row['teach@0.9']} random {row['random@0.9']} "
        f"({row['ratio@0.9']}x) | to 95%: teach {row['teach@0.95']} random {row['random@0.95']} "
        f"({row['ratio@0.95']}x) | worst dip {row['worst_teach_below_random_in_spreads']} spreads | {seconds:.0f}s"
    )
    row["result"] = result.to_dict()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-labels", type=int, default=1000)
    parser.add_argument("--step", type=int, default=50)
    parser.add_argument("--pool-size", type=int, default=DEFAULT_POOL_SIZE)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    sms, exclusive = read_labelled(srsly.read_jsonl(DATA / "sms-spam" / "all.jsonl"))
    train, held = split_eval(sms, 0.2)
    rows.append(run("sms-spam", train, held, default_labels(train, exclusive), args))
    sst_train, sst_dev = load(DATA / "sst2" / "train.jsonl"), load(DATA / "sst2" / "dev.jsonl")
    rows.append(run("sst2", sst_train, sst_dev, default_labels(sst_train, True), args))
    if args.output:
        args.output.write_text(json.dumps(rows, indent=2), encoding="utf8")


if __name__ == "__main__":
    main()
