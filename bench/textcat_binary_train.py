"""Yes/no textcat answers trained with `mentor train`: 300 random answers against the full data.

    python bench/textcat_binary_train.py                      # sms-spam and davidson-hate (~10 min on 2 cores)
    python bench/textcat_binary_train.py --corpora sms-spam --answers 300,1000

For each corpus (../shared/data, never copied into the repo) the rare class is
taught as textcat.teach stores it: one `label` (SPAM, HATE) per text, accepted
when the gold class is that label and rejected otherwise. Held-out text is
davidson-hate's test.jsonl, and for sms-spam (one file) a seeded 1,000 texts.

For N random answers (in random order, as a random stream would serve them)
and for every training text, `mentor train --textcat-multilabel` trains with
its defaults (20 % of the answers held out for model-best) and, for N answers,
also with `--no-balance` (what training did before yes/no answers were
weighed). Each model-best is scored on the held-out text: F1 of the rare label
at spaCy's threshold 0.5, and the ranking (AUC). The floor is TF-IDF (word 1-2
grams) + logistic regression on the same answers, plain and class-balanced.
Run by hand; everything is written to a temporary folder and removed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")

Row = Dict[str, Any]  # {"text", "label"}


def load(corpus: str) -> Tuple[List[Row], List[Row], str]:
    """Training pool, held-out rows and the rare label of a corpus."""
    def read(path: Path) -> List[Row]:
        return [json.loads(line) for line in path.open(encoding="utf8") if line.strip()]

    if corpus == "sms-spam":
        rows = read(DATA / "sms-spam" / "all.jsonl")
        random.Random(0).shuffle(rows)
        return rows[1000:], rows[:1000], "SPAM"
    if corpus == "davidson-hate":
        return read(DATA / "davidson-hate" / "train.jsonl"), read(DATA / "davidson-hate" / "test.jsonl"), "HATE"
    if corpus == "davidson-neither":  # the same tweets: neither hate nor offensive (17 %)
        def neither(rows: List[Row]) -> List[Row]:
            return [{**r, "label": "NEITHER" if r["meta"]["orig_class"] == "NEITHER" else "OTHER"} for r in rows]

        return (neither(read(DATA / "davidson-hate" / "train.jsonl")), neither(read(DATA / "davidson-hate" / "test.jsonl")),
                "NEITHER")
    raise SystemExit(f"unknown corpus {corpus}")


def answers(rows: List[Row], label: str) -> List[Dict[str, Any]]:
    from mentor.tasks import set_hashes

    return [
        set_hashes({"text": r["text"], "label": label, "answer": "accept" if r["label"] == label else "reject",
                    "_view_id": "classification"})
        for r in rows
    ]


def f1_auc(scores: List[float], gold: List[bool]) -> Tuple[float, float]:
    from sklearn.metrics import f1_score, roc_auc_score

    return f1_score(gold, [s >= 0.5 for s in scores]), roc_auc_score(gold, scores)


def score_model(model: Path, test: List[Row], label: str) -> Tuple[float, float]:
    import spacy

    nlp = spacy.load(model)
    scores = [doc.cats.get(label, 0.0) for doc in nlp.pipe([r["text"] for r in test], batch_size=256)]
    return f1_auc(scores, [r["label"] == label for r in test])


def floor(train: List[Row], test: List[Row], label: str, balanced: bool) -> Tuple[float, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    features = vectorizer.fit_transform([r["text"] for r in train])
    model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced" if balanced else None)
    model.fit(features, [r["label"] == label for r in train])
    scores = model.predict_proba(vectorizer.transform([r["text"] for r in test]))[:, 1]
    return f1_auc(list(scores), [r["label"] == label for r in test])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="sms-spam,davidson-hate")
    parser.add_argument("--answers", default="300", help="numbers of random answers, comma-separated")
    parser.add_argument("--full-epochs", type=int, default=5, help="epochs on the full data (spaCy's default schedule for N answers)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from train_parity import run

    from mentor.db import connect

    tmp = Path(tempfile.mkdtemp(prefix="mentor-textcat-binary-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_HOME"] = str(tmp / "home")
    env["MENTOR_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    db = connect(env["MENTOR_DB_URL"])
    table = []
    started = time.perf_counter()
    try:
        for corpus in args.corpora.split(","):
            pool, test, label = load(corpus)
            rng = random.Random(args.seed)
            for n in [int(x) for x in args.answers.split(",")] + [len(pool)]:
                rows = rng.sample(pool, n) if n < len(pool) else pool
                name = f"{corpus.replace('-', '_')}_{n}"
                db.add_dataset(name)
                db.add_examples(answers(rows, label), datasets=[name])
                runs = [("mentor train", [])] if n == len(pool) else [("mentor train", []), ("  --no-balance", ["--no-balance"])]
                extra = ["--epochs", str(args.full_epochs)] if n == len(pool) else []
                for title, flags in runs:
                    out = tmp / f"{name}{'-plain' if flags else ''}"
                    elapsed = run([sys.executable, "-m", "mentor", "train", str(out), "--textcat-multilabel", name,
                                   "--seed", str(args.seed)] + extra + flags, env, tmp / f"{out.name}.log")
                    f, auc = score_model(out / "model-best", test, label)
                    table.append((corpus, n, title, f, auc, elapsed))
                    print(f"{corpus:14s} {n:6d} answers ({sum(r['label'] == label for r in rows)} {label}) {title:16s} "
                          f"F1 {f:.3f}  AUC {auc:.3f}  {elapsed:5.0f} s", flush=True)
                for balanced in (False, True):
                    f, auc = floor(rows, test, label, balanced)
                    title = f"TF-IDF+LR{' balanced' if balanced else ''}"
                    table.append((corpus, n, title, f, auc, 0.0))
                    print(f"{corpus:14s} {n:6d} answers {' ' * (len(label) + 5)}{title:16s} F1 {f:.3f}  AUC {auc:.3f}", flush=True)
        print(f"\nHeld-out F1 of the rare label (threshold 0.5), AUC; total {time.perf_counter() - started:.0f} s")
        print(f"{'corpus':14s} {'answers':>7s}  {'model':22s} {'F1':>6s} {'AUC':>6s}")
        for corpus, n, title, f, auc, _ in table:
            print(f"{corpus:14s} {n:7d}  {title.strip():22s} {f:6.3f} {auc:6.3f}")
    finally:
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
