"""A Prodigy-style recipe file in the Arg + type hints style (Prodigy >= 1.12), written for mentor's tests."""
from typing import List, Optional

from prodigy.components.preprocess import add_tokens
from prodigy.components.stream import get_stream
from prodigy.core import Arg, recipe
from spacy.language import Language


@recipe(
    "mark-spans",
    dataset=Arg(help="Dataset to save answers to"),
    nlp=Arg(help="Pipeline to tokenize with, or blank:LANG"),
    source=Arg(help="Texts: a JSONL file or dataset:NAME"),
    label=Arg("--label", "-l", help="Comma-separated labels"),
    highlight_chars=Arg("--highlight-chars", "-C", help="Characters, not tokens"),
)
def mark_spans(dataset: str, nlp: Language, source: str, label: Optional[List[str]] = None, highlight_chars: bool = False):
    """Mark spans by hand, tokens from the pipeline."""
    stream = get_stream(source, rehash=True, dedup=True)
    stream.apply(add_tokens, nlp=nlp, stream=stream, use_chars=highlight_chars)
    return {
        "dataset": dataset,
        "stream": stream,
        "view_id": "ner_manual",
        "get_session_id": lambda: "annotator-7",
        "config": {"labels": label or ["THING"], "lang": nlp.lang},
    }
