"""Binary NER answers against gold spans of the same sentences, both trained with `mentor train`.

    python bench/ner_binary.py                          # N = 500 and 1,000 sentences, 6 epochs (~12 min on 2 cores)
    python bench/ner_binary.py --sizes 500,2000 --epochs 8
    python bench/ner_binary.py --silver-rounds 3        # more silver rounds (mentor train's default: 2)

Reads CoNLL-2003 from ../shared/data/conll2003 (never copied into the repo),
with bench/train_parity.py's reader: the first --dev sentences of valid.txt
(dev, for model-best), the first --test of test.txt (scored), and train.txt.

The answers are simulated as ner.teach would collect them: a seed model (beam
NER trained with `mentor train` on the first --seed-size train sentences, which
are then left out) reads the next sentences with beam search; each sentence
gets one question, the candidate whose probability is nearest 0.5 (what
prefer_uncertain serves first), or, when the beam has no candidate above 0.05,
a random wrong span. The oracle accepts a suggestion that is exactly a gold
entity and rejects the rest. For each N, `mentor train` trains on:

  * gold: the gold spans of the N sentences (manual answers, ner_manual);
  * binary: the N yes/no answers (view ner), with mentor train's default silver rounds;
    the round-0 model (answers alone, other tokens missing, as before the
    silver step) is scored too.

Every model-best is scored on the same test sentences with spaCy's scorer.
Goal (issue 11): binary F1 >= 0.7 x gold F1 for each N. Run by hand; a
temporary folder holds everything and is removed.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_parity import CONLL, Sentence, entities, evaluate, read_conll, run, to_task, unique, write_docbin  # noqa: E402

Question = Tuple[int, int, str]  # token start, token end (exclusive), label


def suggest(seed_model: Path, sentences: List[Sentence], labels: List[str], rng: random.Random) -> List[Tuple[Question, bool]]:
    """One question a sentence from the seed model's beam, and the oracle's answer."""
    import spacy
    from spacy.tokens import Doc

    from mentor.training.silver import SilverSettings, beam_candidates

    nlp = spacy.load(seed_model)
    docs = [Doc(nlp.vocab, words=words) for words, _ in sentences]
    candidates = beam_candidates(nlp, docs, component="ner", settings=SilverSettings())
    questions = []
    for (words, tags), found in zip(sentences, candidates):
        likely = [(key, p) for key, p in found.items() if p >= 0.05]
        if likely:
            key = min(likely, key=lambda item: (abs(item[1] - 0.5), item[0]))[0]
        else:
            start = rng.randrange(len(words))
            key = (start, min(len(words), start + 1 + rng.randrange(2)), rng.choice(labels))
        questions.append((key, key in set(entities(tags))))
    return questions


def binary_task(words: List[str], tags: List[str], question: Question, accept: bool) -> Dict[str, Any]:
    task = to_task(words, tags)
    start, end, label = question
    tokens = task["tokens"]
    span = {"start": tokens[start]["start"], "end": tokens[end - 1]["end"], "label": label,
            "token_start": start, "token_end": end - 1}
    return {"text": task["text"], "tokens": tokens, "spans": [span], "answer": "accept" if accept else "reject",
            "_view_id": "ner"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000", help="numbers of sentences, comma-separated")
    parser.add_argument("--seed-size", type=int, default=200, help="gold sentences behind the simulated suggestions")
    parser.add_argument("--dev", type=int, default=500)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--silver-rounds", type=int, default=2, help="as mentor train's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]

    from mentor.db import connect
    from mentor.tasks import set_hashes

    dev = unique(read_conll(CONLL / "valid.txt", args.dev))
    pool = unique(read_conll(CONLL / "train.txt", args.seed_size + max(sizes) + 100), exclude={" ".join(w) for w, _ in dev})
    seed, pool = pool[: args.seed_size], pool[args.seed_size:args.seed_size + max(sizes)]
    test = read_conll(CONLL / "test.txt", args.test)
    labels = sorted({label for _, tags in seed + pool for _, _, label in entities(tags)})
    print(f"CoNLL-2003: seed {len(seed)}, pool {len(pool)}, dev {len(dev)}, test {len(test)} sentences; "
          f"{args.epochs} epochs, {args.silver_rounds} silver round(s), seed {args.seed}")
    tmp = Path(tempfile.mkdtemp(prefix="mentor-ner-binary-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_HOME"] = str(tmp / "home")
    env["MENTOR_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    common = ["--epochs", str(args.epochs), "--seed", str(args.seed)]
    started = time.perf_counter()
    try:
        db = connect(env["MENTOR_DB_URL"])

        def store(name: str, tasks: List[Dict[str, Any]]) -> None:
            db.add_dataset(name)
            db.add_examples([set_hashes(t) for t in tasks], datasets=[name])

        store("conll_dev", [to_task(w, t) for w, t in dev])
        store("conll_seed", [to_task(w, t) for w, t in seed])
        write_docbin(test, tmp / "test.spacy")
        run([sys.executable, "-m", "mentor", "train", str(tmp / "seed"), "--ner", "conll_seed,eval:conll_dev"] + common,
            env, tmp / "seed.log")
        seed_f = evaluate(tmp / "seed" / "model-best", tmp / "test.spacy")["f"]
        questions = suggest(tmp / "seed" / "model-best", pool, labels, random.Random(args.seed))
        print(f"Seed model ({len(seed)} gold sentences): test F1 {seed_f:.3f}; "
              f"suggestions accepted {sum(a for _, a in questions) / len(questions):.0%}\n")
        rows = []
        for n in sizes:
            store(f"gold_{n}", [to_task(w, t) for w, t in pool[:n]])
            store(f"binary_{n}", [binary_task(w, t, q, a) for (w, t), (q, a) in zip(pool[:n], questions[:n])])
            gold_time = run([sys.executable, "-m", "mentor", "train", str(tmp / f"gold-{n}"), "--ner", f"gold_{n},eval:conll_dev"] + common,
                            env, tmp / f"gold-{n}.log")
            binary_time = run([sys.executable, "-m", "mentor", "train", str(tmp / f"binary-{n}"), "--ner", f"binary_{n},eval:conll_dev",
                               "--silver-rounds", str(args.silver_rounds)] + common, env, tmp / f"binary-{n}.log")
            gold = evaluate(tmp / f"gold-{n}" / "model-best", tmp / "test.spacy")
            binary = evaluate(tmp / f"binary-{n}" / "model-best", tmp / "test.spacy")
            rounds = [evaluate(tmp / f"binary-{n}" / "silver" / f"round-{r}" / "model-best", tmp / "test.spacy")
                      for r in range(args.silver_rounds)]
            accepted = sum(a for _, a in questions[:n])
            rows.append((n, accepted, gold, rounds + [binary], gold_time, binary_time))
            print(f"N={n}: {accepted} accepted, {n - accepted} rejected; gold F1 {gold['f']:.3f} ({gold_time:.0f} s), "
                  f"binary F1 {binary['f']:.3f} ({binary_time:.0f} s)", flush=True)
        db.close()
        print("\nTest F1 (P / R); round 0 = the answers alone, round N = N silver rounds; "
              "ratio = model-best (best round by the dev score) / gold; goal >= 0.70")
        heads = ["gold"] + [f"round {r}" for r in range(args.silver_rounds)] + ["model-best"]
        print(f"{'N':>6} {'accepts':>8} " + " ".join(f"{h:>17}" for h in heads) + f" {'ratio':>6}")
        for n, accepted, gold, binary, _, _ in rows:
            ratio = binary[-1]["f"] / gold["f"] if gold["f"] else float("nan")
            cells = [f"{s['f']:.3f} ({s['p']:.2f}/{s['r']:.2f})" for s in [gold] + binary]
            print(f"{n:>6} {accepted:>8} " + " ".join(f"{c:>17}" for c in cells) + f" {ratio:>6.2f} "
                  f"{'met' if ratio >= 0.7 else 'NOT met'}")
        print(f"\nTotal {time.perf_counter() - started:.0f} s")
    finally:
        if args.keep:
            print(f"Kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
