"""Print each pipeline's SIDE_EFFECT score for the texts of a JSONL file, side by side.

    python predict.py TEXTS_JSONL MODEL_DIR [MODEL_DIR ...]

A gated pipeline also says which drug kept the category (its doc.spans["mentor_gate"]).
"""
from __future__ import annotations

import sys

import spacy
import srsly

LABEL = "SIDE_EFFECT"


def main(texts_path: str, model_dirs: list[str]) -> None:
    texts = [row["text"] for row in srsly.read_jsonl(texts_path)]
    pipelines = [spacy.load(path) for path in model_dirs]
    print(" | ".join([f"{path:>22}" for path in model_dirs] + ["text"]))
    for text in texts:
        cells = []
        for nlp in pipelines:
            doc = nlp(text)
            kept_by = ", ".join(span.text for span in doc.spans.get("mentor_gate", []))
            cells.append(f"{doc.cats[LABEL]:.2f} {('(' + kept_by + ')') if kept_by else '':<13}".rjust(22))
        print(" | ".join(cells + [text]))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
