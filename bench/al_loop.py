"""Benchmark the teach loop: 10 answers in -> update -> next 10 scored questions out.

Measures mentor's loop (model update + pool re-score + next batch from the
sorter) against the floor, raw spaCy on the same model config in the same run:
``nlp.update`` on the same 10 answers plus ``nlp.pipe`` on 10 texts. The two are
timed alternately, so load on a shared machine hits both alike.

    python bench/al_loop.py                      # textcat and ner, sms-spam and CoNLL-2003
    python bench/al_loop.py --task textcat --rounds 200 --pool-size 512 --rescore-limit -1

Goals (docs/active-learning.md): p95 <= 50 ms for textcat, <= 200 ms for
ner.teach, and mentor <= 1.2x the raw floor. The default in-loop model (MiniLM
embeddings + TF-IDF, a refitted logistic regression) has no raw spaCy twin:
its floor column is spaCy's bag-of-words, for scale; its goal is the 50 ms.
``--cold-cache`` encodes every text while the loop runs (a first session on a
new file), in the pool's background thread. Run by hand; never part of the tests.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from itertools import islice
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import spacy
from spacy.tokens import Span
from spacy.training import Example

from mentor.models.ner import EntityRecognizer
from mentor.models.textcat import BOW_LEARN_RATE, TextClassifier, bow_config
from mentor.config import load_settings
from mentor.models.textcat_choice import make_text_classifier
from mentor.sorters import DEFAULT_POOL_SIZE, DEFAULT_RESCORE_LIMIT, NER_RESCORE_LIMIT, prefer_uncertain, teach_sorter

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BATCH = 10


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(name: str, mentor: List[float], raw: List[float], goal_ms: float) -> Dict[str, float]:
    row = {
        "mentor_p50_ms": statistics.median(mentor) * 1000,
        "mentor_p95_ms": percentile(mentor, 0.95) * 1000,
        "raw_p50_ms": statistics.median(raw) * 1000,
        "raw_p95_ms": percentile(raw, 0.95) * 1000,
    }
    row["ratio_p50"] = row["mentor_p50_ms"] / row["raw_p50_ms"]
    row["ratio_p95"] = row["mentor_p95_ms"] / row["raw_p95_ms"]
    print(
        f"{name:10s} mentor p50 {row['mentor_p50_ms']:6.1f} ms  p95 {row['mentor_p95_ms']:6.1f} ms | "
        f"raw spaCy p50 {row['raw_p50_ms']:6.1f} ms  p95 {row['raw_p95_ms']:6.1f} ms | "
        f"ratio p50 {row['ratio_p50']:.2f}x  p95 {row['ratio_p95']:.2f}x | goal p95 <= {goal_ms:.0f} ms, <= 1.2x"
    )
    return row


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def alternate(
    rounds: int,
    batch: List[Dict],
    answer: Callable[[Dict], Dict],
    mentor_round: Callable[[List[Dict]], List[Dict]],
    raw_round: Callable[[List[Dict]], object],
    between: Optional[Callable[[], object]] = None,
) -> Tuple[List[float], List[float]]:
    """Time mentor's round (answers in, next batch out) and the floor's on the same answers,
    alternately, so that load on a shared machine hits both alike. ``between`` runs after
    mentor's round, timed by neither: what happens while the annotator answers the batch."""
    mentor_times: List[float] = []
    raw_times: List[float] = []
    for _ in range(rounds):
        answers = [answer(q) for q in batch]
        start = time.perf_counter()
        batch = mentor_round(answers)
        mentor_times.append(time.perf_counter() - start)
        if between is not None:
            between()
        raw_times.append(timed(lambda: raw_round(answers)))
        if len(batch) < BATCH:
            break
    return mentor_times, raw_times


# ---- textcat -------------------------------------------------------------------------------


class RawTextcat:
    """The floor: raw spaCy textcat with mentor's model config, update on 10 + pipe on 10."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.nlp = spacy.blank("en")
        self.nlp.add_pipe("textcat_multilabel", config={"model": bow_config(False, 2)})
        self.nlp.get_pipe("textcat_multilabel").add_label("SPAM")
        sample = [Example.from_dict(self.nlp.make_doc("sample text"), {"cats": {"SPAM": 0.0}})]
        self.optimizer = self.nlp.initialize(lambda: sample)
        self.optimizer.learn_rate = BOW_LEARN_RATE
        self.texts = iter(texts)

    def step(self, answers: Sequence[Dict]) -> None:
        examples = [
            Example.from_dict(self.nlp.make_doc(a["text"]), {"cats": {"SPAM": 1.0 if a["answer"] == "accept" else 0.0}})
            for a in answers
        ]
        self.nlp.update(examples, sgd=self.optimizer)
        list(self.nlp.pipe(list(islice(self.texts, BATCH))))


def textcat_model(arch: str, cache: Path | None) -> object:
    """The in-loop text classifier as textcat.teach builds it for ``--model-arch arch``."""
    if arch in ("bow", "ensemble"):
        return TextClassifier(spacy.blank("en"), ["SPAM"], seed=0, architecture=arch)  # type: ignore[arg-type]
    return make_text_classifier(["SPAM"], arch, cache_path=cache, fit_in_background=True)


def bench_textcat(rounds: int, pool_size: int, rescore_limit: int | None, arch: str, cache: Path | None) -> Dict[str, float]:
    rows = [json.loads(line) for line in (DATA / "sms-spam" / "all.jsonl").open(encoding="utf8")]
    random.Random(0).shuffle(rows)
    gold = {row["text"]: row["label"] == "SPAM" for row in rows}
    tasks = [{"text": row["text"], "_input_hash": i} for i, row in enumerate(rows)]

    model = textcat_model(arch, cache)
    # as textcat.teach serves them: new texts are scored (and encoded) by a background thread
    questions = teach_sorter(
        model(tasks), model, pool_size=pool_size, rescore_limit=rescore_limit, background=True,  # type: ignore[operator]
    )
    if hasattr(model, "on_fitted"):
        model.on_fitted = questions.rescore  # type: ignore[attr-defined]

    raw = RawTextcat([row["text"] for row in rows[pool_size:]])

    def mentor_round(answers: List[Dict]) -> List[Dict]:
        model.update(answers)
        questions.rescore()
        return list(islice(questions, BATCH))

    def answer(q: Dict) -> Dict:
        return dict(q, answer="accept" if gold[q["text"]] else "reject")

    mentor_times, raw_times = alternate(rounds, list(islice(questions, BATCH)), answer, mentor_round, raw.step)
    return report(f"textcat/{arch}", mentor_times, raw_times, 50)


# ---- textcat over HTTP ---------------------------------------------------------------------


def bench_textcat_http(rounds: int) -> Dict[str, float]:
    """The whole loop as the browser drives it: give_answers (stored durably, model updated)
    then get_session_questions (pool re-scored, next 10), against `mentor textcat.teach`."""
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import tempfile

    rows = [json.loads(line) for line in (DATA / "sms-spam" / "all.jsonl").open(encoding="utf8")]
    random.Random(0).shuffle(rows)
    gold = {row["text"]: row["label"] == "SPAM" for row in rows}
    raw = RawTextcat([row["text"] for row in rows[DEFAULT_POOL_SIZE:]])
    with tempfile.TemporaryDirectory(prefix="mentor-al-http-") as tmp:
        source = Path(tmp) / "sms.jsonl"
        source.write_text("".join(json.dumps({"text": row["text"]}) + "\n" for row in rows), encoding="utf8")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "MENTOR_HOME": tmp, "MENTOR_PORT": str(port)}
        env.pop("MENTOR_DB_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "mentor", "textcat.teach", "al_http", "blank:en", str(source), "--label", "SPAM"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

            def post(path: str, body: Dict) -> Dict:
                conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = json.loads(response.read())
                if response.status != 200:
                    raise RuntimeError(f"{path}: {response.status} {data}")
                return data

            deadline = time.time() + 120
            while True:
                try:
                    batch = post("/get_session_questions", {"session_id": "bench"})["tasks"]
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    if time.time() > deadline or server.poll() is not None:
                        raise RuntimeError("the textcat.teach server did not start")
                    time.sleep(0.2)

            def http_round(answers: List[Dict]) -> List[Dict]:
                post("/give_answers", {"answers": answers, "session_id": "bench"})
                return post("/get_session_questions", {"session_id": "bench"})["tasks"]

            def answer(q: Dict) -> Dict:
                return dict(q, answer="accept" if gold[q["text"]] else "reject")

            mentor_times, raw_times = alternate(rounds, batch, answer, http_round, raw.step)
        finally:
            server.terminate()
            server.wait(30)
    return report("textcat/http", mentor_times, raw_times, 50)


# ---- ner -----------------------------------------------------------------------------------


def read_conll(path: Path, limit: int) -> List[Tuple[List[str], List[Tuple[int, int, str]]]]:
    """Sentences of CoNLL-2003 as (words, entities as token offsets)."""
    sentences, words, tags = [], [], []
    for line in path.open(encoding="utf8"):
        line = line.strip()
        if not line or line.startswith("-DOCSTART-"):
            if words:
                sentences.append((words, tags))
                words, tags = [], []
                if len(sentences) >= limit:
                    break
            continue
        parts = line.split()
        words.append(parts[0])
        tags.append(parts[-1])
    result = []
    for words, tags in sentences:
        ents, start, label = [], None, None
        for i, tag in enumerate(tags + ["O"]):
            if start is not None and (tag == "O" or tag.startswith("B-") or tag[2:] != label):
                ents.append((start, i, label))
                start = None
            if tag != "O" and start is None:
                start, label = i, tag[2:]
        result.append((words, ents))
    return result


def bench_ner(rounds: int, pool_size: int, rescore_limit: int | None) -> Dict[str, float]:
    sentences = [s for s in read_conll(DATA / "conll2003" / "train.txt", 4000) if len(s[0]) >= 4]
    random.Random(0).shuffle(sentences)
    gold = {" ".join(words): {(s, e, label) for s, e, label in ents} for words, ents in sentences}
    labels = ["PER", "ORG", "LOC", "MISC"]
    tasks = [{"text": " ".join(words), "_input_hash": i} for i, (words, _) in enumerate(sentences)]

    model = EntityRecognizer(spacy.blank("en"), labels, seed=0)
    questions = prefer_uncertain(model(tasks), rescorer=model.score_tasks, pool_size=pool_size, rescore_limit=rescore_limit)

    raw_nlp = spacy.blank("en")
    ner = raw_nlp.add_pipe("beam_ner", config={"beam_width": 16, "beam_density": 0.0001, "incorrect_spans_key": "incorrect_spans"})
    for label in labels:
        ner.add_label(label)
    doc = raw_nlp.make_doc("sample text")
    raw_opt = raw_nlp.initialize(lambda: [Example(doc, doc.copy())])
    raw_texts = iter(" ".join(words) for words, _ in sentences[pool_size:])

    def answer(question: Dict) -> Dict:
        span = question["spans"][0]
        key = (span["token_start"], span["token_end"] + 1, span["label"])
        return dict(question, answer="accept" if key in gold[question["text"]] else "reject")

    def raw_example(a: Dict) -> Example:
        # the same partial annotation mentor builds: the answered span, the rest missing
        predicted = raw_nlp.make_doc(a["text"])
        reference = predicted.copy()
        span = a["spans"][0]
        ent = Span(reference, span["token_start"], span["token_end"] + 1, label=span["label"])
        if a["answer"] == "accept":
            reference.set_ents([ent], default="missing")
        else:
            reference.spans["incorrect_spans"] = [ent]
        return Example(predicted, reference)

    def mentor_round(answers: List[Dict]) -> List[Dict]:
        model.update(answers)
        questions.rescore()
        return list(islice(questions, BATCH))

    def raw_round(answers: List[Dict]) -> None:
        raw_nlp.update([raw_example(a) for a in answers], sgd=raw_opt)
        list(raw_nlp.pipe(list(islice(raw_texts, BATCH))))

    rehearsal_times: List[float] = []

    def rehearse() -> None:
        # ner.teach rehearses earlier answers in the background while the annotator answers the
        # batch just served (seconds; this takes tenths of one): let it finish, and show its cost
        rehearsal_times.append(timed(model.rehearsal.wait))

    mentor_times, raw_times = alternate(
        rounds, list(islice(questions, BATCH)), answer, mentor_round, raw_round, between=rehearse,
    )
    row = report("ner.teach", mentor_times, raw_times, 200)
    row["rehearsal_p50_ms"] = statistics.median(rehearsal_times) * 1000
    row["rehearsal_p95_ms"] = percentile(rehearsal_times, 0.95) * 1000
    print(f"{'':10s} then, in the background while the batch is answered: rehearsal of {model.rehearsal.size} earlier "
          f"answers p50 {row['rehearsal_p50_ms']:6.1f} ms  p95 {row['rehearsal_p95_ms']:6.1f} ms (after the round's end)")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["textcat", "textcat-http", "ner", "all"], default="all")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--pool-size", type=int, default=DEFAULT_POOL_SIZE)
    parser.add_argument("--rescore-limit", type=int, default=None,
                        help="Re-score at most this many pooled questions (0: none, -1: all; default: each recipe's own, "
                             f"textcat {DEFAULT_RESCORE_LIMIT}, ner {NER_RESCORE_LIMIT})")
    parser.add_argument("--model-arch", default="minilm,bow", help="textcat: comma-separated in-loop models to time")
    parser.add_argument("--cold-cache", action="store_true", help="textcat: encode every text afresh (no disk cache)")
    parser.add_argument("--output", type=Path, default=None, help="Write the figures as JSON")
    args = parser.parse_args()
    def limit(default: int) -> int | None:
        if args.rescore_limit is None:
            return default
        return None if args.rescore_limit < 0 else args.rescore_limit

    def shown(default: int) -> str:
        value = limit(default)
        return "all" if value is None else str(value)

    print(f"{args.rounds} rounds of: {BATCH} answers -> update -> next {BATCH} questions (pool {args.pool_size}, "
          f"re-score textcat {shown(DEFAULT_RESCORE_LIMIT)}, ner {shown(NER_RESCORE_LIMIT)})")
    results = {}
    if args.task in ("textcat", "all"):
        cache = None if args.cold_cache else load_settings().embeddings_cache
        for arch in args.model_arch.split(","):
            results[f"textcat_{arch}"] = bench_textcat(args.rounds, args.pool_size, limit(DEFAULT_RESCORE_LIMIT), arch, cache)
    if args.task in ("textcat-http", "all"):
        results["textcat_http"] = bench_textcat_http(args.rounds)
    if args.task in ("ner", "all"):
        results["ner"] = bench_ner(args.rounds, args.pool_size, limit(NER_RESCORE_LIMIT))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2), encoding="utf8")


if __name__ == "__main__":
    main()
