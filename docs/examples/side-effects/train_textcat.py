"""Train a tiny SIDE_EFFECT text classifier on reports.jsonl with plain spaCy.

    python train_textcat.py OUTPUT_DIR

The answers are binary, as textcat.teach stores them: "accept" means the text
reports a side effect, "reject" that it does not. A bag-of-words model is plenty
for a dozen sentences and trains in about a second.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import spacy
import srsly
from spacy.training import Example

HERE = Path(__file__).parent
LABEL = "SIDE_EFFECT"


def train(reports: Path = HERE / "reports.jsonl", *, epochs: int = 150, seed: int = 0) -> spacy.language.Language:
    """Return a blank English pipeline with a trained textcat_multilabel for SIDE_EFFECT."""
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                          "ngram_size": 1, "no_output_layer": False}},
    )
    textcat.add_label(LABEL)
    examples = [
        Example.from_dict(nlp.make_doc(row["text"]), {"cats": {LABEL: float(row["answer"] == "accept")}})
        for row in srsly.read_jsonl(reports)
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        nlp.update(examples, sgd=optimizer)
    return nlp


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    output = Path(sys.argv[1])
    output.parent.mkdir(parents=True, exist_ok=True)
    train().to_disk(output)
    print(f"Saved the trained pipeline to {output}")
