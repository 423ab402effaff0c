"""CoNLL/IOB and .spacy sources: tags of every scheme to spans, bad lines named, CoNLL-2003 counts."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from mentor.errors import InvalidDocBin, InvalidTag
from mentor.loaders import get_stream
from mentor.loaders.conll import conll_lines, load_conll, load_iob
from mentor.loaders.docbin import load_docbin
from mentor.loaders.tags import TagError, spans_to_iob, tags_to_spans


@pytest.mark.parametrize(
    "tags, spans",
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [(0, 1, "PER"), (3, 3, "LOC")]),  # IOB2
        (["I-PER", "I-PER", "O", "I-LOC", "B-LOC"], [(0, 1, "PER"), (3, 3, "LOC"), (4, 4, "LOC")]),  # IOB1
        (["B-ORG", "L-ORG", "U-PER", "O"], [(0, 1, "ORG"), (2, 2, "PER")]),  # BILUO
        (["B-ORG", "I-ORG", "E-ORG", "S-MISC"], [(0, 2, "ORG"), (3, 3, "MISC")]),  # IOBES
        (["B-PER", "I-LOC"], [(0, 0, "PER"), (1, 1, "LOC")]),  # a label change starts a new entity
        (["O", "O"], []),
    ],
)
def test_tags_to_spans_reads_every_scheme(tags: List[str], spans: list) -> None:
    assert tags_to_spans(tags) == spans


@pytest.mark.parametrize("tags, index", [(["O", "X-PER"], 1), (["O", "L-PER"], 1), (["B-PER", "PER"], 1)])
def test_tags_to_spans_names_the_bad_tag(tags: List[str], index: int) -> None:
    with pytest.raises(TagError) as excinfo:
        tags_to_spans(tags)
    assert excinfo.value.index == index


def test_spans_to_iob_refuses_overlaps() -> None:
    assert spans_to_iob(3, [(1, 2, "ORG")]) == ["O", "B-ORG", "I-ORG"]
    with pytest.raises(TagError):
        spans_to_iob(3, [(0, 1, "ORG"), (1, 2, "PER")])


def test_conll_file_reads_sentences_tokens_and_spans(tmp_path: Path) -> None:
    path = tmp_path / "small.conll"
    path.write_text("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n\nPeter B-PER\nBlackburn I-PER\n")
    tasks = list(get_stream(str(path), skip_invalid=False))
    assert [task["text"] for task in tasks] == ["EU rejects German", "Peter Blackburn"]
    first = tasks[0]
    assert [(s["start"], s["end"], s["label"]) for s in first["spans"]] == [(0, 2, "ORG"), (11, 17, "MISC")]
    assert [t["text"] for t in first["tokens"]] == ["EU", "rejects", "German"]
    assert first["meta"] == {"line": 3} and "_input_hash" in first
    assert conll_lines(first) == ["EU B-ORG", "rejects O", "German B-MISC"]


def test_conll_bad_tag_is_named_and_costs_only_its_sentence(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("A B-PER\n\nB O\nC X-PER\n\nD O\nlonely\n\nE B-LOC\n")
    with pytest.raises(InvalidTag) as excinfo:
        list(load_conll(path))
    assert excinfo.value.code == "M180" and excinfo.value.line == 4 and "X-PER" in excinfo.value.message
    errors: list = []
    tasks = list(load_conll(path, on_invalid=errors.append))
    assert [task["text"] for task in tasks] == ["A", "E"]
    assert [error.line for error in errors] == [4, 7]


def test_iob_lines(tmp_path: Path) -> None:
    path = tmp_path / "sents.iob"
    path.write_text("I|PRP|O like|VBP|O London|NNP|B-GPE\nParis|U-GPE\n")
    tasks = list(load_iob(path))
    assert [task["text"] for task in tasks] == ["I like London", "Paris"]
    assert [(s["token_start"], s["label"]) for s in tasks[0]["spans"]] == [(2, "GPE")]
    path.write_text("ok|O broken\n")
    with pytest.raises(InvalidTag) as excinfo:
        list(load_iob(path))
    assert excinfo.value.line == 1 and "broken" in excinfo.value.message


def test_conll2003_valid_counts(shared_data: Path) -> None:
    """SOURCES.md: 3,250 sentences, 5,942 entities (PER 1,842 / LOC 1,837 / ORG 1,341 / MISC 922)."""
    counts: dict = {}
    sentences = 0
    for task in get_stream(str(shared_data / "conll2003/valid.txt"), loader="conll", skip_invalid=False):
        sentences += 1
        for span in task["spans"]:
            counts[span["label"]] = counts.get(span["label"], 0) + 1
    assert sentences == 3250
    assert counts == {"PER": 1842, "LOC": 1837, "ORG": 1341, "MISC": 922}


def test_docbin_tasks_and_bad_file(tmp_path: Path) -> None:
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab = Vocab()  # no language loaded: a Doc from words and spaces is all a DocBin holds
    words = ["Apple", "opened", "an", "office", "in", "Paris", "."]
    doc = Doc(vocab, words=words, spaces=[True] * 5 + [False, False])
    doc.ents = [Span(doc, 0, 1, label="ORG"), Span(doc, 5, 6, label="GPE")]
    other = Doc(vocab, words=["Nothing", "here", "."], spaces=[True, False, False])
    path = tmp_path / "docs.spacy"
    DocBin(docs=[doc, other]).to_disk(path)
    tasks = list(get_stream(str(path), skip_invalid=False))
    assert [task["text"] for task in tasks] == ["Apple opened an office in Paris.", "Nothing here."]
    assert [(s["start"], s["end"], s["label"]) for s in tasks[0]["spans"]] == [(0, 5, "ORG"), (26, 31, "GPE")]
    assert tasks[0]["tokens"][-2]["ws"] is False  # "Paris" then "." with no space
    bad = tmp_path / "bad.spacy"
    bad.write_bytes(b"not a docbin")
    with pytest.raises(InvalidDocBin) as excinfo:
        list(load_docbin(bad))
    assert excinfo.value.code == "M181" and "bad.spacy" in excinfo.value.message
