"""Does the teach loop save labels on data it was not tuned on? Every strategy, five corpora, one run.

For each corpus in ../shared/data (sms-spam, davidson-hate: imbalanced binary;
sst2: balanced binary; ag-news: 4 exclusive classes; banking77: 77 exclusive
classes; and, on request, davidson-neither: davidson's tweets that are neither hate
nor offensive, 17 %, a rare label of another shape; davidson-3class: the same tweets'
three classes at once, exclusive and imbalanced) it runs ``mentor simulate``'s replay: teach (the in-loop model behind
the teach sorter), random order (same model), and the peers' baseline (TF-IDF +
logistic regression with uncertainty sampling), for several seeds, and prints:

- the full-data score of the in-loop model and of the baseline model;
- answers to reach 90 % / 95 % of the in-loop model's full-data score, per
  strategy (first crossing of the mean curve, and where it stays above), with
  the teach / random ratio;
- the absolute score at 250 / 500 / 1,000 / 2,000 answers, per strategy;
- the goals of issue 11, met or missed.

    python bench/al_quality.py                       # all corpora, 3 seeds
    python bench/al_quality.py --corpus sms-spam --seeds 2 --max-labels 1000
    python bench/al_quality.py --output al.json --markdown al.md
    python bench/al_quality.py --corpus ag-news --seeds 5 --jobs 2   # replays in 2 processes

Embeddings are computed once per text and cached in ``$MENTOR_HOME/cache``; the
first run on a new machine spends most of its time encoding (about 30 texts/s
on 2 busy cores). Run by hand; never part of the tests.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import srsly

from mentor.config import load_settings
from mentor.simulate import (
    Labelled, ModelKit, SimulationConfig, SimulationResult, default_labels, read_labelled, simulate, split_eval,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CHECKPOINTS = (250, 500, 1000, 2000)


@dataclass
class Corpus:
    name: str
    shape: str
    imbalanced: bool
    train: List[Labelled]
    held: List[Labelled]
    labels: List[str]
    exclusive: bool


def _read(path: Path) -> Tuple[List[Labelled], bool]:
    return read_labelled(srsly.read_jsonl(path), where=str(path))


def _davidson_class(path: Path, orig_class: str) -> Tuple[List[Labelled], bool]:
    """davidson-hate's tweets as a yes/no on another of its original classes (``meta.orig_class``)."""
    rows = (
        {"text": row["text"], "cats": {orig_class: 1.0 if row["meta"]["orig_class"] == orig_class else 0.0}}
        for row in srsly.read_jsonl(path)
    )
    return read_labelled(rows, where=str(path))


def _davidson_classes(path: Path) -> Tuple[List[Labelled], bool]:
    """davidson-hate's tweets with their three original classes, one a tweet (exclusive)."""
    rows = ({"text": row["text"], "label": row["meta"]["orig_class"]} for row in srsly.read_jsonl(path))
    return read_labelled(rows, where=str(path))


def load_corpus(name: str, max_train: Optional[int]) -> Corpus:
    shapes = {
        "sms-spam": ("binary, 13 % positive", True),
        "davidson-hate": ("binary, 5.8 % positive", True),
        # the same tweets, another label: neither hate nor offensive (17 %), a rare class of another shape
        "davidson-neither": ("binary, 17 % positive", True),
        # the three classes at once: exclusive and imbalanced (hate 6 %, offensive 77 %, neither 17 %)
        "davidson-3class": ("3 exclusive classes, 6 / 77 / 17 %", True),
        "sst2": ("binary, balanced", False),
        "ag-news": ("4 exclusive classes", False),
        "banking77": ("77 exclusive classes", False),
    }
    shape, imbalanced = shapes[name]
    if name == "sms-spam":
        examples, exclusive = _read(DATA / name / "all.jsonl")
        train, held = split_eval(examples, 0.2)
    elif name == "davidson-neither":
        train, exclusive = _davidson_class(DATA / "davidson-hate" / "train.jsonl", "NEITHER")
        held, _ = _davidson_class(DATA / "davidson-hate" / "test.jsonl", "NEITHER")
    elif name == "davidson-3class":
        train, exclusive = _davidson_classes(DATA / "davidson-hate" / "train.jsonl")
        held, _ = _davidson_classes(DATA / "davidson-hate" / "test.jsonl")
    else:
        held_name = {"sst2": "dev.jsonl"}.get(name, "test.jsonl")
        train, exclusive = _read(DATA / name / "train.jsonl")
        held, _ = _read(DATA / name / held_name)
    if max_train and len(train) > max_train:
        train = split_eval(train, 1 - max_train / len(train), seed=1)[0]  # (rest, held): keep max_train
    labels = default_labels(train, exclusive)
    return Corpus(name, shape, imbalanced, train, held, labels, exclusive and len(labels) > 1)


def keyword_patterns(
    train: Sequence[Labelled], labels: Sequence[str], per_label: int, *, min_count: int = 5, precision: float = 0.6,
) -> List[Dict[str, Any]]:
    """The ``per_label`` words likeliest to mean each label in ``train``, as phrase patterns.

    A stand-in for the keywords a user knows of their own domain, so that teach with
    patterns (textcat.teach --patterns) can be replayed on every corpus without a
    hand-written list per corpus. A user lists common words that mostly mean the
    label: among words in at least ``min_count`` of the label's texts whose texts
    have the label at least ``precision`` of the time (and well above the label's
    base rate), the most frequent. Read off
    the whole pool, they are better than most users' lists: the curve with them is
    an upper bound of what patterns give.
    """
    import re

    words_of = [set(re.findall(r"[a-z]{3,}", example.text.lower())) for example in train]
    patterns: List[Dict[str, Any]] = []
    for label in labels:
        pos: Dict[str, int] = {}
        neg: Dict[str, int] = {}
        for example, words in zip(train, words_of):
            if label not in example.cats:
                continue
            counts = pos if example.cats[label] >= 0.5 else neg
            for word in words:
                counts[word] = counts.get(word, 0) + 1

        base = sum(pos.values()) / max(1, sum(pos.values()) + sum(neg.values()))
        wanted = max(precision, (1.0 + base) / 2)  # a common label's keyword must beat its base rate
        precise = [w for w, c in pos.items() if c >= min_count and c / (c + neg.get(w, 0)) >= wanted]
        ranked = sorted(precise, key=lambda w: (-pos[w], w))
        patterns += [{"label": label, "pattern": word, "id": f"{label}:{word}"} for word in ranked[:per_label]]
    return patterns


def _mean_at(result: SimulationResult, strategy: str, n: int) -> Optional[float]:
    for point in result.curves[strategy].points:
        if point.labels == n:
            return point.mean
    return None


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def worst_dip(result: SimulationResult) -> Optional[float]:
    """The largest amount by which teach's mean falls below random's, in units of their spread (None without both)."""
    if "teach" not in result.curves or "random" not in result.curves:
        return None
    teach, rand = result.curves["teach"].points, result.curves["random"].points
    gaps = [
        (r.mean - t.mean) / max(1e-9, max(t.std, r.std, 0.005))
        for t, r in zip(teach, rand) if t.labels > 0
    ]
    return max(gaps, default=0.0)


def summarise(corpus: Corpus, result: SimulationResult, seconds: float) -> Dict[str, Any]:
    row: Dict[str, Any] = {
        "corpus": corpus.name, "shape": corpus.shape, "n_train": len(corpus.train), "n_eval": len(corpus.held),
        "full": result.full_score, "baseline_full": result.baseline_full_score, "seconds": round(seconds),
    }
    for strategy, curve in result.curves.items():
        for target in ("0.9", "0.95"):
            row[f"{strategy}@{target}"] = curve.labels_to.get(target)
            row[f"{strategy}@{target}:stays"] = curve.stays_above.get(target)
            row[f"{strategy}@{target}:seeds"] = curve.labels_to_per_seed.get(target)
        for n in CHECKPOINTS:
            row[f"{strategy}:{n}"] = _mean_at(result, strategy, n)
    for target in ("0.9", "0.95"):
        ratio = result.ratio(float(target))
        row[f"ratio@{target}"] = round(ratio, 2) if ratio is not None else None
    dip = worst_dip(result)
    row["worst_dip"] = None if dip is None else round(dip, 2)
    row["goals"] = goals(corpus, result, row)
    return row


def goals(corpus: Corpus, result: SimulationResult, row: Dict[str, Any]) -> Dict[str, Optional[bool]]:
    """Issue 11's goals for this corpus: True met, False missed, None not measurable in this run."""
    met: Dict[str, Optional[bool]] = {}
    if corpus.imbalanced:
        ratio = row["ratio@0.9"]
        met["teach <= 0.5x random to 90%"] = None if ratio is None else ratio <= 0.5
    if not corpus.imbalanced or corpus.exclusive:  # an imbalanced multi-class corpus is held to both
        met["never below random beyond the spread"] = None if row["worst_dip"] is None else row["worst_dip"] <= 1.0
    if result.baseline_full_score is not None:
        met["full-data >= baseline"] = result.full_score >= result.baseline_full_score - 1e-9
        for n in (500, 1000):
            teach, base = row.get(f"teach:{n}"), row.get(f"baseline:{n}")
            met[f"teach >= baseline at {n}"] = None if teach is None or base is None else teach >= base
    return met


def print_row(row: Dict[str, Any], strategies: Sequence[str], max_labels: int) -> None:
    print(f"\n== {row['corpus']} ({row['shape']}; {row['n_train']} train / {row['n_eval']} held out; {row['seconds']} s)")
    print(f"full-data score: in-loop {row['full']:.3f} | baseline TF-IDF+LR {_fmt(row['baseline_full'])}")
    header = f"{'strategy':9s} | {'to 90%':>7s} {'stays':>6s} | {'to 95%':>7s} {'stays':>6s} | " + " ".join(
        f"{'@' + str(n):>6s}" for n in CHECKPOINTS
    )
    print(header)
    for strategy in strategies:
        cells = [
            _fmt(row.get(f"{strategy}@0.9")) if row.get(f"{strategy}@0.9") else f">{max_labels}",
            _fmt(row.get(f"{strategy}@0.9:stays")),
            _fmt(row.get(f"{strategy}@0.95")) if row.get(f"{strategy}@0.95") else f">{max_labels}",
            _fmt(row.get(f"{strategy}@0.95:stays")),
        ]
        scores = " ".join(f"{_fmt(row.get(f'{strategy}:{n}')):>6s}" for n in CHECKPOINTS)
        print(f"{strategy:9s} | {cells[0]:>7s} {cells[1]:>6s} | {cells[2]:>7s} {cells[3]:>6s} | {scores}")
    print(
        f"teach / random: {_fmt(row['ratio@0.9'])}x to 90 %, {_fmt(row['ratio@0.95'])}x to 95 %; "
        f"teach's worst dip below random: {_fmt(row['worst_dip'])} seed spreads"
    )
    for goal, met in row["goals"].items():
        print(f"  [{'met' if met else 'MISSED' if met is False else 'n/a'}] {goal}")


def markdown(rows: Sequence[Dict[str, Any]], max_labels: int) -> str:
    lines = [
        "| corpus | shape | full: in-loop / baseline | to 90 %: teach / random / baseline (ratio) "
        "| to 95 %: teach / random / baseline (ratio) | at 500: teach / random / baseline | at 1,000: teach / random / baseline |",
        "|---|---|---|---|---|---|---|",
    ]

    def n(value: Any) -> str:
        return _fmt(value) if value else f">{max_labels}"

    for row in rows:
        lines.append(
            f"| {row['corpus']} | {row['shape']} | {row['full']:.3f} / {_fmt(row['baseline_full'])} "
            f"| {n(row.get('teach@0.9'))} / {n(row.get('random@0.9'))} / {n(row.get('baseline@0.9'))} ({_fmt(row['ratio@0.9'])}x) "
            f"| {n(row.get('teach@0.95'))} / {n(row.get('random@0.95'))} / {n(row.get('baseline@0.95'))} ({_fmt(row['ratio@0.95'])}x) "
            f"| {_fmt(row.get('teach:500'))} / {_fmt(row.get('random:500'))} / {_fmt(row.get('baseline:500'))} "
            f"| {_fmt(row.get('teach:1000'))} / {_fmt(row.get('random:1000'))} / {_fmt(row.get('baseline:1000'))} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", help="Corpus to run (repeatable; default: all five)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-labels", type=int, default=2000)
    parser.add_argument("--step", type=int, default=50)
    parser.add_argument("--max-train", type=int, default=None, help="Subsample each training pool to this many texts")
    parser.add_argument("--architecture", default="minilm")
    parser.add_argument("--strategies", default="teach,random,baseline")
    parser.add_argument("--explore", type=float, default=None)
    parser.add_argument("--diversity", type=float, default=None, help="weight of likeness to the batch so far (default: the sorter's)")
    parser.add_argument("--density", type=float, default=None, help="exponent of the weight for how typical a text is of the pool (default: the sorter's)")
    parser.add_argument("--scan", type=float, default=None, help="texts the teach pool pulls per question served (default: the sorter's)")
    parser.add_argument("--fixed-scan", action="store_true", help="pull --scan texts a question whatever the label's rarity")
    parser.add_argument("--explore-set-aside", action=argparse.BooleanOptionalAction, default=None, help="explore among the set-aside texts too (default: the sorter's)")
    parser.add_argument("--recalibrate", action=argparse.BooleanOptionalAction, default=True, help="the in-loop model sets its bias on the answers drawn at random (default: on)")
    parser.add_argument("--keyword-patterns", type=int, default=0, help="teach starts from this many keyword patterns a label, read off the pool (keyword_patterns)")
    parser.add_argument("--jobs", type=int, default=1, help="Replays to run at once, each in its own process")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args()
    names = args.corpus or ["sms-spam", "davidson-hate", "sst2", "ag-news", "banking77"]
    strategies = [s for s in args.strategies.split(",") if s]
    cache = load_settings().embeddings_cache
    rows = []
    kit_embedder = None
    for name in names:
        corpus = load_corpus(name, args.max_train)
        config = SimulationConfig(
            labels=corpus.labels, max_labels=args.max_labels, step=args.step, seeds=args.seeds,
            architecture=args.architecture, exclusive=corpus.exclusive, explore=args.explore, diversity=args.diversity, density=args.density, scan=args.scan, scan_by_rarity=False if args.fixed_scan else None,
            explore_set_aside=args.explore_set_aside, recalibrate=args.recalibrate, cache_path=str(cache),
            patterns=keyword_patterns(corpus.train, corpus.labels, args.keyword_patterns) if args.keyword_patterns else None,
        )
        if config.patterns:
            print(f"{name}: teach starts from {len(config.patterns)} keyword patterns, e.g. "
                  + ", ".join(f"{p['label']}: {p['pattern']}" for p in config.patterns[:: args.keyword_patterns][:4]), flush=True)
        kit = ModelKit(config, embedder=kit_embedder)
        kit_embedder = kit.embedder
        if kit.embedder is not None:  # encode the corpus up front, so the timings below are the loop's
            texts = [e.text for e in corpus.train] + [e.text for e in corpus.held]
            started = time.perf_counter()
            for i in range(0, len(texts), 1024):
                kit.embedder.embed(texts[i:i + 1024])
            print(f"{name}: {len(texts)} texts encoded or read from the cache in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        result = simulate(corpus.train, corpus.held, config, strategies=strategies, kit=kit, jobs=args.jobs)
        row = summarise(corpus, result, time.perf_counter() - started)
        print_row(row, strategies, args.max_labels)
        row["result"] = result.to_dict()
        rows.append(row)
    print("\n" + markdown(rows, args.max_labels))
    met = [m for row in rows for m in row["goals"].values() if m is not None]
    print(f"goals met: {sum(met)} of {len(met)} measurable" + (f"; mean full-data score {statistics.fmean(r['full'] for r in rows):.3f}" if rows else ""))
    if args.output:
        args.output.write_text(json.dumps(rows, indent=2), encoding="utf8")
    if args.markdown:
        args.markdown.write_text(markdown(rows, args.max_labels), encoding="utf8")


if __name__ == "__main__":
    main()
