"""Write CoNLL-2003 sentences as ner_manual answers (JSONL), for `mentor simulate` on NER.

    python bench/conll_to_jsonl.py train /tmp/conll-train.jsonl --limit 2000
    python bench/conll_to_jsonl.py valid /tmp/conll-valid.jsonl --limit 1000
    mentor simulate /tmp/conll-train.jsonl --eval /tmp/conll-valid.jsonl --seeds 2

Reads ../shared/data/conll2003/{train,valid,test}.txt with bench/train_parity.py's
reader (the product reads JSONL only); -DOCSTART- lines and repeated sentences
are dropped. Each row has `text`, `tokens` and `spans` (PER, LOC, ORG, MISC).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_parity import CONLL, read_conll, to_task, unique  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["train", "valid", "test"])
    parser.add_argument("output", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="first N sentences (0: all)")
    args = parser.parse_args()
    sentences = unique(read_conll(CONLL / f"{args.part}.txt", args.limit or -1))
    with args.output.open("w", encoding="utf8") as out:
        for words, tags in sentences:
            out.write(json.dumps(to_task(words, tags)) + "\n")
    print(f"{len(sentences)} sentences -> {args.output}")


if __name__ == "__main__":
    main()
