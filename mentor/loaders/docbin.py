"""``.spacy`` files (spaCy's DocBin, what ``spacy convert`` and ``data-to-spacy`` write): a task per Doc.

Each Doc becomes ``{"text", "tokens", "spans", "meta": {"doc"}}``: its tokens
with their offsets and trailing whitespace, and its entities as spans (or, for
a Doc without entities, the spans of its first span group, as spancat
training data holds them). spaCy reads the file: it is imported when a
``.spacy`` file is loaded, never before, so the server and the database
commands start without it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, List

from ..errors import InvalidDocBin
from ..tasks import Task
from .lines import OnInvalid, Source


def doc_task(doc: Any, index: int) -> Task:
    """A task for one spaCy Doc."""
    spans: List[Any] = list(doc.ents)
    if not spans and doc.spans:
        spans = list(doc.spans[next(iter(doc.spans))])
    return {
        "text": doc.text,
        "tokens": [
            {"text": token.text, "start": token.idx, "end": token.idx + len(token.text), "id": token.i, "ws": bool(token.whitespace_)}
            for token in doc
        ],
        "spans": [
            {"start": span.start_char, "end": span.end_char, "token_start": span.start, "token_end": span.end - 1, "label": span.label_}
            for span in spans
        ],
        "meta": {"doc": index},
    }


def load_docbin(source: Source, *, input_key: str = "text", on_invalid: OnInvalid = None) -> Iterator[Task]:
    """Yield a task per Doc of a ``.spacy`` file; raises InvalidDocBin for a file spaCy can't read."""
    from spacy.tokens import DocBin  # here, not at the top: see the module docstring
    from spacy.vocab import Vocab

    try:
        docbin = DocBin().from_bytes(Path(source).read_bytes())
    except Exception as err:  # zlib, msgpack and spaCy's own errors all mean the same: not a DocBin
        raise InvalidDocBin(source, f"{type(err).__name__}: {err}" if str(err) else type(err).__name__) from None
    for index, doc in enumerate(docbin.get_docs(Vocab())):
        yield doc_task(doc, index)
