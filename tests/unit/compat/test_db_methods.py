"""Prodigy's example-level ``Database`` methods (``get_examples``, ``link``, ``unlink``, ``drop_examples``) on each backend."""
from __future__ import annotations

import sys
from typing import Iterator, List

import pytest
from sqlalchemy import select

from mentor.compat import COMPAT_PATH
from mentor.db.tables import example as example_table
from mentor.errors import DatasetNotFound, ExampleLookupError


@pytest.fixture
def pdb(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setattr(sys, "path", [str(COMPAT_PATH), *sys.path])
    from prodigy.components.db import Database

    database = Database(db_url)
    yield database
    database.close()


def _ids(pdb, task_hashes: List[int]) -> List[int]:
    with pdb.engine.connect() as conn:
        query = select(example_table.c.id).where(example_table.c.task_hash.in_(task_hashes)).order_by(example_table.c.id)
        return [row[0] for row in conn.execute(query)]


def _stored(pdb) -> List[dict]:
    pdb.add_dataset("news")
    pdb.add_dataset("news-alex", session=True)
    answers = [
        {"text": "Apple buys", "label": "ORG", "answer": "accept", "_session_id": "news-alex"},
        {"text": "Apple buys", "label": "PERSON", "answer": "reject", "_session_id": "news-alex"},
        {"text": "Bo sells", "label": "PERSON", "answer": "accept", "_session_id": "news-alex"},
    ]
    pdb.add_examples(answers, datasets=["news", "news-alex"])
    return list(pdb.get_dataset_examples("news"))


def test_get_examples_by_task_hash_input_hash_and_id(pdb) -> None:
    stored = _stored(pdb)
    apple, bo = stored[0], stored[2]
    assert [e["label"] for e in pdb.get_examples([apple["_task_hash"]])] == ["ORG"]
    assert [e["label"] for e in pdb.get_examples([apple["_input_hash"]], by="input_hash")] == ["ORG", "PERSON"]
    ids = _ids(pdb, [bo["_task_hash"]])
    assert [e["text"] for e in pdb.get_examples(ids, by="id")] == ["Bo sells"]
    assert pdb.get_examples([12345]) == []
    with pytest.raises(ExampleLookupError, match="by='text'"):
        pdb.get_examples([1], by="text")
    assert pdb.get_dataset_sessions("news") == ["news-alex"]
    assert pdb.get_task_hashes("news") == {e["_task_hash"] for e in stored}
    assert pdb.get_input_hashes("news", "news-alex") == {apple["_input_hash"], bo["_input_hash"]}


def test_link_and_unlink(pdb) -> None:
    stored = _stored(pdb)
    pdb.add_dataset("gold")
    ids = _ids(pdb, [stored[0]["_task_hash"], stored[2]["_task_hash"]])
    assert pdb.link("gold", ids) == 2
    assert pdb.link("gold", ids + [999999]) == 0  # held already; no such example
    assert [e["text"] for e in pdb.get_dataset_examples("gold")] == ["Apple buys", "Bo sells"]
    assert pdb.count_dataset("news") == 3  # linked, not moved
    with pytest.raises(DatasetNotFound):
        pdb.link("missing", ids)
    assert pdb.unlink("news") == 3
    assert "news" in pdb and pdb.count_dataset("news") == 0
    assert pdb.get_examples([stored[1]["_task_hash"]])  # unlinked examples stay stored, as in Prodigy
    assert pdb.link("news", _ids(pdb, [stored[1]["_task_hash"]])) == 1
    assert [e["label"] for e in pdb.get_dataset_examples("news")] == ["PERSON"]


def test_drop_examples_from_every_dataset(pdb) -> None:
    stored = _stored(pdb)
    assert pdb.drop_examples([stored[0]["_input_hash"]], by="input_hash") == 2
    assert [e["text"] for e in pdb.get_dataset_examples("news")] == ["Bo sells"]
    assert pdb.count_dataset("news-alex") == 1 and pdb.get_examples([stored[0]["_task_hash"]]) == []
    assert pdb.drop_examples([stored[2]["_task_hash"]]) == 1 and pdb.count_dataset("news") == 0
