"""Print each pipeline's SIDE_EFFECT score for the texts of a JSONL file, side by side.

    python predict.py TEXTS_JSONL MODEL_DIR [MODEL_DIR ...]

A gated pipeline also says which drug kept the category (its doc.spans["mentor_gate"]).
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy
import srsly

LABEL = "SIDE_EFFECT"


def main(texts_path: str, model_dirs: list[str]) -> None:
    texts = [row["text"] for row in srsly.read_jsonl(texts_path)]
    pipelines = [spacy.load(path) for path in model_dirs]
    names = [Path(path).name for path in model_dirs]
    print("  ".join(f"{name:>8}" for name in names) + "  kept by      text")
    for text in texts:
        docs = [nlp(text) for nlp in pipelines]
        kept_by = ", ".join(span.text for doc in docs for span in doc.spans.get("mentor_gate", []))
        scores = "  ".join(f"{doc.cats[LABEL]:>8.2f}" for doc in docs)
        print(f"{scores}  {kept_by or '-':<12} {text}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
