"""Issue 14 item 4, run as a user runs them: CoNLL/IOB and .spacy in db-in, CoNLL out of db-out,
--dry on db-in/db-merge/drop, --label with a file, and Prodigy exports given back as they came."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Tuple

from mentor.db import connect

Sentence = List[Tuple[str, str]]


def read_conll(path: Path, limit: int = 0) -> List[Sentence]:
    """(word, tag) sentences of a CoNLL file: the word first, the tag last, documents ignored."""
    sentences: List[Sentence] = []
    current: Sentence = []
    for line in path.read_text(encoding="utf8").splitlines():
        columns = line.split()
        if not columns or columns[0] == "-DOCSTART-":
            if current:
                sentences.append(current)
                current = []
                if limit and len(sentences) == limit:
                    return sentences
            continue
        current.append((columns[0], columns[-1]))
    if current:
        sentences.append(current)
    return sentences


def first_of_each(sentences: List[Sentence]) -> List[Sentence]:
    """A dataset holds an answer once: a sentence repeated with the same tags is stored the first time."""
    seen = set()
    unique = []
    for sentence in sentences:
        key = tuple(sentence)
        if key not in seen:
            seen.add(key)
            unique.append(sentence)
    return unique


def test_conll2003_round_trip_through_a_dataset(mentor, shared_data, tmp_path):
    source = shared_data / "conll2003/valid.txt"
    imported = mentor("db-in", "conll_valid", str(source), "--loader", "conll")
    assert imported.code == 0, imported.err
    original = first_of_each(read_conll(source))
    assert len(original) == 3071  # of 3,250 sentences: 179 repeat an earlier one, tags and all
    assert f"Imported {len(original)} tasks" in imported.out
    out = tmp_path / "valid.conll"
    exported = mentor("db-out", "conll_valid", str(out))  # the suffix picks CoNLL
    assert exported.code == 0, exported.err
    assert read_conll(out) == original  # every word and IOB2 tag, in order


def test_docbin_import_exports_as_conll(mentor, shared_data, tmp_path):
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    from mentor.loaders.tags import tags_to_spans

    sentences = read_conll(shared_data / "conll2003/test.txt", limit=300)
    vocab = Vocab()
    docs = []
    for sentence in sentences:
        doc = Doc(vocab, words=[word for word, _tag in sentence])
        doc.ents = [Span(doc, start, end + 1, label=label) for start, end, label in tags_to_spans([t for _w, t in sentence])]
        docs.append(doc)
    path = tmp_path / "test.spacy"
    DocBin(docs=docs).to_disk(path)
    imported = mentor("db-in", "docs", str(path))
    assert imported.code == 0, imported.err
    assert f"Imported {len(first_of_each(sentences))} tasks" in imported.out
    exported = mentor("db-out", "docs", "--format", "conll")
    assert exported.code == 0, exported.err
    back = [[tuple(line.split(" ")) for line in block.splitlines()] for block in exported.out.strip().split("\n\n")]
    assert back == first_of_each(sentences)


def test_conll_export_leaves_out_what_iob_cannot_hold(mentor, tmp_path):
    source = tmp_path / "spans.jsonl"
    rows = [
        {"text": "New York City", "spans": [{"start": 0, "end": 8, "label": "GPE"}, {"start": 4, "end": 13, "label": "LOC"}]},
        {"text": "Berlin is big", "spans": [{"start": 0, "end": 6, "label": "GPE"}]},
        {"text": "rejected one", "spans": [], "answer": "reject"},
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert mentor("db-in", "spans", str(source)).code == 0
    exported = mentor("db-out", "spans", "--format", "conll")
    assert exported.code == 0, exported.err
    assert exported.out == "Berlin B-GPE\nis O\nbig O\n\n"
    [warning] = exported.err.strip().splitlines()
    assert "Answer 1 of 'spans'" in warning and "overlap" in warning and "[M183]" in warning


def test_bad_conll_line_is_named_and_nothing_imported(mentor, tmp_path):
    source = tmp_path / "bad.conll"
    source.write_text("EU B-ORG\n\nrejects O\nGerman Z-MISC\n")
    result = mentor("db-in", "bad", str(source))
    assert result.code == 1 and result.out == ""
    [line] = [line for line in result.err.strip().splitlines() if "[M180]" in line]
    assert "bad.conll:4:" in line and "Z-MISC" in line and "Nothing was imported" in line
    assert "bad" not in connect().datasets


def test_dry_runs_write_nothing(mentor, tmp_path):
    source = tmp_path / "tasks.jsonl"
    source.write_text("".join(json.dumps({"text": f"text {i}"}) + "\n" for i in range(5)))
    dry = mentor("db-in", "a", str(source), "--dry")
    assert dry.code == 0, dry.err
    assert "would import 5 tasks into 'a'" in dry.out and "nothing was written" in dry.out
    assert "a" not in connect().datasets
    assert mentor("db-in", "a", str(source)).code == 0
    again = mentor("db-in", "a", str(source), "--dry")
    assert "would import 0 tasks" in again.out and "(5 in the dataset after)" in again.out
    merged = mentor("db-merge", "a", "b", "--dry")
    assert merged.code == 0, merged.err
    assert "would merge 5 of 5 annotations from a into 'b'" in merged.out
    dropped = mentor("drop", "a", "--dry")
    assert dropped.code == 0, dropped.err
    assert "would delete dataset 'a' and its 5 annotations" in dropped.out
    db = connect()
    assert db.datasets == ["a"] and db.count_dataset("a") == 5


def test_label_option_takes_a_file_of_labels(mentor, tmp_path):
    recipe_file = tmp_path / "show.py"
    recipe_file.write_text(
        "from typing import Annotated, Optional\n"
        "from mentor import recipe, Opt\n"
        "@recipe('show-labels', group='utilities')\n"
        "def show_labels(label: Annotated[Optional[str], Opt('--label', '-l', help='Labels')] = None) -> None:\n"
        "    '''Print the labels given.'''\n"
        "    print('labels:', label)\n"
    )
    labels = tmp_path / "labels.txt"
    labels.write_text("PERSON\n\n  ORG  \nPRODUCT\nORG\n")
    result = mentor("show-labels", "--label", str(labels), "-F", str(recipe_file))
    assert result.code == 0, result.err
    assert "labels: PERSON,ORG,PRODUCT" in result.out
    assert "labels: A,B" in mentor("show-labels", "--label", "A,B", "-F", str(recipe_file)).out
    labels.write_text("PERSON\nORG,GPE\n")
    bad = mentor("show-labels", "-l", str(labels), "-F", str(recipe_file))
    assert bad.code == 1 and "labels.txt:2:" in bad.err and "[M182]" in bad.err


def test_prodigy_export_goes_out_as_it_came_in(mentor, shared_data):
    source = shared_data / "prodigy-recipes/example-datasets/annotated_news_headlines-ORG-PERSON-LOCATION-ner.jsonl"
    imported = mentor("db-in", "news_ner", str(source))
    assert imported.code == 0, imported.err
    assert "Kept the file's hashes on 373 tasks" in imported.out
    exported = [json.loads(line) for line in mentor("db-out", "news_ner").out.splitlines()]
    assert exported == [json.loads(line) for line in source.read_text().splitlines()]
