"""300 answers from textcat.teach, trained with `mentor train`, against 300 random answers.

    python bench/teach_then_train.py                        # sms-spam and davidson-hate, 3 seeds
    python bench/teach_then_train.py --corpora sms-spam --answers 300 --seeds 2
    python bench/teach_then_train.py --arms "teach,teach --no-balance,random"   # a third arm, same answers
    python bench/teach_then_train.py --corpora ag-news      # exclusive classes: --textcat, macro F1 by argmax
    python bench/teach_then_train.py --corpora davidson-neither   # the same tweets, "neither hate nor offensive" (17 %)

The teach answers are what textcat.teach would store: the in-loop model (the
default, MiniLM + TF-IDF) behind the teach sorter, questions answered from the
gold labels (`mentor simulate`'s replay, `replay_answers`). The random answers
are the same kind of yes/no question on texts in random order. Both sets go
into a dataset and train `mentor train --textcat-multilabel` with its defaults;
each model-best is scored on the held-out text (F1 of the rare label at 0.5,
and AUC), side by side in one run. A corpus of several exclusive classes
(ag-news, banking77) asks one question per text, about its likeliest class, as
textcat.teach does, trains `--textcat` and is scored by macro F1 of the argmax
(printed as "macro F1" and "accuracy"). An arm is a strategy and extra `mentor train`
flags; arms of one strategy share its answers. Run by hand; written to a
temporary folder.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from al_quality import load_corpus  # noqa: E402
from textcat_binary_train import load, score_model  # noqa: E402
from train_parity import run  # noqa: E402

from mentor.config import load_settings  # noqa: E402
from mentor.db import connect  # noqa: E402
from mentor.simulate import Labelled, ModelKit, SimulationConfig, evaluate, replay_answers  # noqa: E402
from mentor.tasks import set_hashes  # noqa: E402


EXCLUSIVE = ("ag-news", "banking77")


def score_exclusive(model: Path, held: List[Labelled], labels: List[str]) -> Tuple[float, float]:
    """Macro F1 of the argmax class on the held-out texts (``mentor simulate``'s own score), and accuracy."""
    import spacy

    nlp = spacy.load(model)
    predicted = [doc.cats for doc in nlp.pipe([example.text for example in held], batch_size=256)]

    class Fitted:  # the trained pipeline's scores, read as the simulation reads an in-loop model's
        def predict(self, texts: List[str]) -> List[Dict[str, float]]:
            return predicted

    macro_f1 = evaluate(Fitted(), held, SimulationConfig(labels=labels, exclusive=True))
    argmax = [max(labels, key=lambda name: cats.get(name, 0.0)) for cats in predicted]
    gold = [max(labels, key=lambda name: example.cats.get(name, 0.0)) for example in held]
    return macro_f1, sum(g == p for g, p in zip(gold, argmax)) / len(gold)


def _scores(corpus: str, f1: float, second: float) -> str:
    if corpus in EXCLUSIVE:
        return f"macro F1 {f1:.3f} accuracy {second:.3f}"
    return f"F1 {f1:.3f} AUC {second:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="sms-spam,davidson-hate")
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--arms", default="teach,random",
                        help="comma-separated arms, each a strategy (teach or random) and extra `mentor train` flags")
    args = parser.parse_args()
    arms = [arm.strip() for arm in args.arms.split(",") if arm.strip()]
    if any(arm.split()[0] not in ("teach", "random") for arm in arms):
        parser.error(f"--arms: each arm starts with teach or random, got {args.arms!r}")
    tmp = Path(tempfile.mkdtemp(prefix="mentor-teach-train-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_HOME"] = str(tmp / "home")
    env["MENTOR_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    db = connect(env["MENTOR_DB_URL"])
    cache = load_settings().embeddings_cache
    results: Dict[str, Dict[str, List[float]]] = {}
    started = time.perf_counter()
    try:
        for corpus in args.corpora.split(","):
            if corpus in EXCLUSIVE:
                loaded = load_corpus(corpus, None)
                train, held, labels = loaded.train, loaded.held, loaded.labels
                component = "--textcat"
            else:
                pool, test, label = load(corpus)
                train = [Labelled(r["text"], {label: 1.0 if r["label"] == label else 0.0}) for r in pool]
                labels, component = [label], "--textcat-multilabel"
            config = SimulationConfig(
                labels=labels, architecture="minilm", cache_path=str(cache), exclusive=corpus in EXCLUSIVE,
            )
            kit = ModelKit(config)
            for seed in range(args.seeds):
                datasets: Dict[str, str] = {}
                n_yes: Dict[str, int] = {}
                for number, arm in enumerate(arms):
                    strategy, *flags = arm.split()
                    if strategy not in datasets:
                        answers = replay_answers(strategy, train, config, seed, args.answers, kit=kit)
                        datasets[strategy] = name = f"{corpus.replace('-', '_')}_{strategy}_{seed}"
                        db.add_dataset(name)
                        db.add_examples([set_hashes(a) for a in answers], datasets=[name])
                        n_yes[strategy] = sum(a["answer"] == "accept" for a in answers)
                    out = tmp / f"{datasets[strategy]}_{number}"
                    elapsed = run([sys.executable, "-m", "mentor", "train", str(out), component,
                                   datasets[strategy], "--seed", str(seed)] + flags, env, tmp / f"{out.name}.log")
                    if corpus in EXCLUSIVE:
                        f1, auc = score_exclusive(out / "model-best", held, labels)
                    else:
                        f1, auc = score_model(out / "model-best", test, label)
                    results.setdefault(corpus, {}).setdefault(f"{arm}:f1", []).append(f1)
                    results[corpus].setdefault(f"{arm}:auc", []).append(auc)
                    print(f"{corpus:14s} seed {seed} {arm:22s} {args.answers} answers ({n_yes[strategy]} yes) "
                          f"-> held-out {_scores(corpus, f1, auc)} ({elapsed:.0f} s)", flush=True)
                    shutil.rmtree(out, ignore_errors=True)
        print(f"\n{args.answers} answers, trained with mentor train; mean over {args.seeds} seeds "
              f"({time.perf_counter() - started:.0f} s)")
        for corpus, row in results.items():
            for arm in arms:
                print(f"{corpus:14s} {arm:22s} "
                      f"{_scores(corpus, statistics.fmean(row[f'{arm}:f1']), statistics.fmean(row[f'{arm}:auc']))}")
            if "teach" in arms and "random" in arms:
                teach, rand = statistics.fmean(row["teach:f1"]), statistics.fmean(row["random:f1"])
                print(f"{corpus:14s} {'met' if teach > rand else 'MISSED'}: teach's answers beat random's "
                      f"with the defaults ({teach:.3f} vs {rand:.3f})")
    finally:
        db.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
