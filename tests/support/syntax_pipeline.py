"""A tiny tagger + parser pipeline trained in the test on hand-made sentences (no packaged model exists here)."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

# (words, tags, heads, deps): heads are token indices, the root is its own head
SENTENCES: List[Tuple[List[str], List[str], List[int], List[str]]] = [
    (["Alice", "likes", "green", "apples", "."], ["NNP", "VBZ", "JJ", "NNS", "."], [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"]),
    (["Bob", "eats", "red", "pears", "."], ["NNP", "VBZ", "JJ", "NNS", "."], [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"]),
    (["Carol", "sees", "big", "dogs", "."], ["NNP", "VBZ", "JJ", "NNS", "."], [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"]),
    (["Dave", "sells", "old", "cars", "."], ["NNP", "VBZ", "JJ", "NNS", "."], [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"]),
    (["Erin", "runs", "."], ["NNP", "VBZ", "."], [1, 1, 1], ["nsubj", "ROOT", "punct"]),
    (["Frank", "sleeps", "."], ["NNP", "VBZ", "."], [1, 1, 1], ["nsubj", "ROOT", "punct"]),
]


def token_dicts(words: List[str], spaces: Optional[List[bool]] = None) -> List[Dict[str, Any]]:
    """Task tokens for words (a space after each but the last, unless ``spaces`` says otherwise)."""
    spaces = spaces if spaces is not None else [i + 1 < len(words) for i in range(len(words))]
    out, pos = [], 0
    for i, (word, ws) in enumerate(zip(words, spaces)):
        out.append({"text": word, "start": pos, "end": pos + len(word), "id": i, "ws": ws})
        pos += len(word) + int(ws)
    return out


def examples(nlp: Any) -> List[Any]:
    from spacy.tokens import Doc
    from spacy.training import Example

    out = []
    for words, tags, heads, deps in SENTENCES:
        reference = Doc(nlp.vocab, words=words, spaces=[i + 2 < len(words) for i in range(len(words))], tags=tags, heads=heads, deps=deps)
        out.append(Example(nlp.make_doc(reference.text), reference))
    return out


def build_pipeline(path: Path, components: Tuple[str, ...] = ("tagger", "parser"), iterations: int = 40) -> Path:
    """Train blank:en with ``components`` until it reproduces SENTENCES; save it at ``path``."""
    import spacy
    from spacy.util import fix_random_seed

    fix_random_seed(0)  # the same weights every run: the tests expect the parses of SENTENCES exactly
    nlp = spacy.blank("en")
    for name in components:
        nlp.add_pipe(name, config={"min_action_freq": 1} if name == "parser" else {})
    train = examples(nlp)
    optimizer = nlp.initialize(lambda: train)
    rng = random.Random(0)
    for _ in range(iterations):
        rng.shuffle(train)
        losses: Dict[str, float] = {}
        nlp.update(train, sgd=optimizer, losses=losses)
    nlp.to_disk(path)
    return path
