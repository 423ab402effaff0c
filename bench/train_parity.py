"""Train parity: `mentor train --ner` against `python -m spacy train` on the same CoNLL-2003 data.

    python bench/train_parity.py                       # 3,000 train / 500 dev / 1,000 test, 3 epochs
    python bench/train_parity.py --train 1000 --epochs 3 --skip-binary

Reads CoNLL-2003 from ../shared/data/conll2003 (never copied into the repo):
the first N sentences of train.txt, of valid.txt (dev, for model-best) and of
test.txt, with repeated sentences kept once (as a database of answers keeps
them). Everything else is written to a temporary folder and removed.

Case 1, parity (targets.md P2: F1 ratio >= 0.99, wall-time ratio <= 1.10):
  * mentor: the sentences become JSONL tasks with tokens and spans (as ner.manual
    stores them), are stored in a temporary SQLite database through the
    mentor.db API, and `python -m mentor train OUT --ner conll_train,eval:conll_dev`
    runs as a subprocess with its generated config.
  * spaCy: the same sentences become .spacy files here, without mentor's
    code, and `python -m spacy train` runs on `spacy init config --pipeline ner`
    with the same epochs and seed.
  Both model-best pipelines are scored on the same test sentences by spaCy's
  scorer; the wall time of each subprocess is measured.

Case 2, binary answers: teach-style answers made from the same gold (each true
entity accepted as its own task, one random wrong span per sentence rejected),
trained with mentor on 25 %, 50 % and 100 % of the sentences. The model must
learn: test F1 well above 0 and rising with data.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
CONLL = ROOT.parent / "shared" / "data" / "conll2003"
if not CONLL.exists():
    CONLL = Path("/work/shared/data/conll2003")

Sentence = Tuple[List[str], List[str]]  # words, IOB2 tags


def read_conll(path: Path, limit: int) -> List[Sentence]:
    sentences: List[Sentence] = []
    words: List[str] = []
    tags: List[str] = []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip():
            if words and words[0] != "-DOCSTART-":
                sentences.append((words, tags))
                if len(sentences) == limit:
                    break
            words, tags = [], []
            continue
        parts = line.split()
        words.append(parts[0])
        tags.append(parts[-1])
    return sentences


def unique(sentences: List[Sentence], exclude: set = frozenset()) -> List[Sentence]:
    """First occurrence of each sentence text: a text annotated twice the same way is one
    example in an annotation database (and mentor takes texts in the eval set out of
    training), so both sides get exactly the same sentences."""
    seen = set(exclude)
    kept: List[Sentence] = []
    for words, tags in sentences:
        text = " ".join(words)
        if text not in seen:
            seen.add(text)
            kept.append((words, tags))
    return kept


def entities(tags: List[str]) -> List[Tuple[int, int, str]]:
    """(first token, last token + 1, label) from IOB2 (also accepts IOB1)."""
    found: List[Tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, kind = tag.partition("-")
        if start is not None and (prefix != "I" or kind != label):
            found.append((start, i, label))
            start, label = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, label = i, kind
    return found


def to_task(words: List[str], tags: List[str]) -> Dict[str, Any]:
    tokens, offset = [], 0
    for i, word in enumerate(words):
        tokens.append({"text": word, "start": offset, "end": offset + len(word), "id": i, "ws": i < len(words) - 1})
        offset += len(word) + 1
    text = " ".join(words)
    spans = [
        {"start": tokens[s]["start"], "end": tokens[e - 1]["end"], "label": label, "token_start": s, "token_end": e - 1}
        for s, e, label in entities(tags)
    ]
    return {"text": text, "tokens": tokens, "spans": spans, "answer": "accept", "_view_id": "ner_manual"}


def binary_tasks(task: Dict[str, Any], rng: random.Random, labels: List[str], negatives: int = 1) -> Iterator[Dict[str, Any]]:
    """Teach-style answers: each true entity accepted, ``negatives`` random wrong spans rejected."""
    base = {k: task[k] for k in ("text", "tokens")}
    gold = {(s["token_start"], s["token_end"], s["label"]) for s in task["spans"]}
    for span in task["spans"]:
        yield {**base, "spans": [span], "answer": "accept", "_view_id": "ner"}
    n = len(task["tokens"])
    rejected = set()
    for _ in range(10 * negatives):
        if len(rejected) == negatives:
            break
        start = rng.randrange(n)
        end = min(n - 1, start + rng.randrange(3))
        label = rng.choice(labels)
        if (start, end, label) not in gold and (start, end, label) not in rejected:
            rejected.add((start, end, label))
            span = {"start": task["tokens"][start]["start"], "end": task["tokens"][end]["end"], "label": label,
                    "token_start": start, "token_end": end}
            yield {**base, "spans": [span], "answer": "reject", "_view_id": "ner"}


def write_docbin(sentences: List[Sentence], path: Path) -> None:
    """Gold docs for spaCy, built here from the CoNLL tags (not with mentor's code)."""
    import spacy
    from spacy.tokens import DocBin, Span

    vocab = spacy.blank("en").vocab
    docs = []
    from spacy.tokens import Doc

    for words, tags in sentences:
        doc = Doc(vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in entities(tags)]
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)


def evaluate(model: Path, test: Path) -> Dict[str, float]:
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.load(model)
    gold = list(DocBin().from_disk(test).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in gold]
    scores = nlp.evaluate(examples)
    return {"f": scores["ents_f"], "p": scores["ents_p"], "r": scores["ents_r"]}


def run(argv: List[str], env: Dict[str, str], log: Path, cpu: Optional[List[float]] = None) -> float:
    """Run a command; return its wall time. Its CPU time (user + system) goes into ``cpu``:
    on a shared, busy machine CPU time is the steadier measure of the work done."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w") as handle:
        result = subprocess.run(argv, env=env, stdout=handle, stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    if result.returncode != 0:
        print(log.read_text()[-3000:])
        raise SystemExit(f"command failed: {' '.join(argv)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--dev", type=int, default=500)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-frequency", type=int, default=200, help="steps between evaluations, both sides")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side, alternating; the fastest counts")
    parser.add_argument("--negatives", type=int, default=1, help="wrong spans rejected per sentence in case 2")
    parser.add_argument("--skip-binary", action="store_true")
    parser.add_argument("--skip-parity", action="store_true", help="run only case 2")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    from mentor.db import connect
    from mentor.tasks import set_hashes

    dev = unique(read_conll(CONLL / "valid.txt", args.dev))
    train = unique(read_conll(CONLL / "train.txt", args.train), exclude={" ".join(w) for w, _ in dev})
    test = read_conll(CONLL / "test.txt", args.test)
    print(f"CoNLL-2003: {len(train)} train, {len(dev)} dev, {len(test)} test sentences; {args.epochs} epochs, seed {args.seed}")
    tmp = Path(tempfile.mkdtemp(prefix="mentor-parity-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTOR_")}
    env["MENTOR_HOME"] = str(tmp / "home")
    env["MENTOR_DB_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    try:
        # the JSONL an annotator's manual answers would be
        for name, sentences in (("train", train), ("dev", dev)):
            with (tmp / f"{name}.jsonl").open("w", encoding="utf8") as handle:
                for words, tags in sentences:
                    handle.write(json.dumps(to_task(words, tags)) + "\n")
        db = connect(env["MENTOR_DB_URL"])
        for name in ("train", "dev"):
            tasks = [set_hashes(json.loads(line)) for line in (tmp / f"{name}.jsonl").open()]
            db.add_dataset(f"conll_{name}")
            db.add_examples(tasks, datasets=[f"conll_{name}"])
        write_docbin(train, tmp / "train.spacy")
        write_docbin(dev, tmp / "dev.spacy")
        write_docbin(test, tmp / "test.spacy")
        overrides = ["--training.max_epochs", str(args.epochs), "--training.max_steps", "0",
                     "--training.eval_frequency", str(args.eval_frequency)]

        # spaCy, as its docs say: init config, then train
        run([sys.executable, "-m", "spacy", "init", "config", str(tmp / "spacy.cfg"), "--lang", "en", "--pipeline", "ner",
             "--optimize", "efficiency"], env, tmp / "init.log")
        if not args.skip_parity:
            spacy_times: List[float] = []
            mentor_times: List[float] = []
            spacy_cpu: List[float] = []
            mentor_cpu: List[float] = []
            for i in range(args.repeat):  # alternate, so neither side always runs on a warmer machine
                spacy_times.append(run([sys.executable, "-m", "spacy", "train", str(tmp / "spacy.cfg"), "--output", str(tmp / "spacy-out"),
                                        "--paths.train", str(tmp / "train.spacy"), "--paths.dev", str(tmp / "dev.spacy"),
                                        "--system.seed", str(args.seed)] + overrides, env, tmp / "spacy.log", spacy_cpu))
                mentor_times.append(run([sys.executable, "-m", "mentor", "train", str(tmp / "mentor-out"),
                                         "--ner", "conll_train,eval:conll_dev", "--seed", str(args.seed)] + overrides, env, tmp / "mentor.log", mentor_cpu))
                print(f"  run {i + 1}: spacy {spacy_times[-1]:.1f} s wall / {spacy_cpu[-1]:.1f} s CPU, "
                      f"mentor {mentor_times[-1]:.1f} s wall / {mentor_cpu[-1]:.1f} s CPU")
            spacy_time, mentor_time = min(spacy_times), min(mentor_times)
            spacy_scores = evaluate(tmp / "spacy-out" / "model-best", tmp / "test.spacy")
            mentor_scores = evaluate(tmp / "mentor-out" / "model-best", tmp / "test.spacy")
            print("\nCase 1: manual (complete) annotations, test set F1")
            print(f"  spacy train : F1 {spacy_scores['f']:.4f} (P {spacy_scores['p']:.4f} R {spacy_scores['r']:.4f})  {spacy_time:6.1f} s")
            print(f"  mentor train: F1 {mentor_scores['f']:.4f} (P {mentor_scores['p']:.4f} R {mentor_scores['r']:.4f})  {mentor_time:6.1f} s")
            f1_ratio = mentor_scores["f"] / spacy_scores["f"] if spacy_scores["f"] else float("nan")
            time_ratio = mentor_time / spacy_time
            cpu_ratio = min(mentor_cpu) / min(spacy_cpu)
            print(f"  F1 ratio {f1_ratio:.4f} (goal >= 0.99: {'met' if f1_ratio >= 0.99 else 'NOT met'}); "
                  f"wall-time ratio {time_ratio:.3f} (goal <= 1.10: {'met' if time_ratio <= 1.10 else 'NOT met'}); "
                  f"CPU-time ratio {cpu_ratio:.3f}")

        if not args.skip_binary:
            print(f"\nCase 2: binary (teach-style) answers from the same gold ({args.negatives} wrong span(s) rejected a sentence), "
                  "eval on the manual dev set, test F1")
            rng = random.Random(args.seed)
            labels = sorted({label for _, tags in train for _, _, label in entities(tags)})
            answers = [list(binary_tasks(to_task(w, t), rng, labels, args.negatives)) for w, t in train]
            for share in (0.25, 0.5, 1.0):
                name = f"conll_binary_{round(share * 100)}"
                subset = [set_hashes(t) for group in answers[: int(len(answers) * share)] for t in group]
                db.add_dataset(name)
                db.add_examples(subset, datasets=[name])
                out = tmp / f"binary-{round(share * 100)}"
                elapsed = run([sys.executable, "-m", "mentor", "train", str(out), "--ner", f"{name},eval:conll_dev",
                               "--seed", str(args.seed)] + overrides, env, tmp / f"{name}.log")
                scores = evaluate(out / "model-best", tmp / "test.spacy")
                n_accept = sum(t["answer"] == "accept" for t in subset)
                print(f"  {share:4.0%} of sentences: {n_accept:5d} accepted + {len(subset) - n_accept:5d} rejected spans: "
                      f"F1 {scores['f']:.4f} (P {scores['p']:.4f} R {scores['r']:.4f})  {elapsed:6.1f} s")
        db.close()
    finally:
        if args.keep:
            print(f"\nKept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
