"""The Database API, run against SQLite, PostgreSQL and MariaDB in turn."""
import threading
import time

import pytest

from mentor.errors import DatasetNotFound, InvalidDatasetName, InvalidLine
from support.services import create_temp_database


def tasks(n, session=None, answer="accept", prefix="t"):
    out = []
    for i in range(n):
        task = {"text": f"{prefix}{i} ünïcødé ✓", "label": "A", "answer": answer, "meta": {"i": i}}
        if session:
            task["_session_id"] = session
        out.append(task)
    return out


def test_database_datasets_and_sessions(db):
    db.add_dataset("news", meta={"author": "me"})
    db.add_dataset("news", meta={"ignored": True})  # idempotent
    db.add_dataset("news-alex", session=True)
    assert db.datasets == ["news"]
    assert db.sessions == ["news-alex"]
    assert "news" in db and "nope" not in db and len(db) == 1
    meta = db.get_meta("news")
    assert meta["author"] == "me" and meta["session"] is False and meta["created"] > 0


@pytest.mark.parametrize(
    "name", ["", "a b", "a,b", "tab\there", "../../etc/passwd", "a\x00b", "a:b", "a/b", "..", "x" * 256]
)
def test_database_rejects_bad_names(db, name):
    with pytest.raises(InvalidDatasetName):
        db.add_dataset(name)


def test_database_round_trip_keeps_every_field(db):
    db.add_dataset("ds")
    original = tasks(5)
    original[0]["spans"] = [{"start": 0, "end": 2, "label": "X", "token_start": 0, "token_end": 0}]
    original[1]["_input_hash"], original[1]["_task_hash"] = 123, 456
    assert db.add_examples([dict(t) for t in original], ["ds"]) == 5
    stored = list(db.get_dataset_examples("ds"))
    assert [s["text"] for s in stored] == [t["text"] for t in original]
    assert stored[0]["spans"] == original[0]["spans"]
    assert (stored[1]["_input_hash"], stored[1]["_task_hash"]) == (123, 456)
    assert db.count_dataset("ds") == 5


def test_database_links_answer_to_dataset_and_session(db):
    db.add_dataset("ds")
    db.add_dataset("ds-ann", session=True)
    db.add_examples(tasks(3, session="ds-ann"), ["ds", "ds-ann"])
    assert db.count_dataset("ds") == 3 and db.count_dataset("ds-ann") == 3
    assert db.get_session_names("ds") == ["ds-ann"]
    assert db.get_input_hashes("ds") == db.get_input_hashes("ds-ann")
    assert len(db.get_task_hashes("ds", "ds-ann")) == 3


def test_database_same_answer_stored_once(db):
    db.add_dataset("ds")
    assert db.add_examples(tasks(4, session="ds-a"), ["ds"]) == 4
    assert db.add_examples(tasks(4, session="ds-a"), ["ds"]) == 0  # a retried batch
    assert db.add_examples(tasks(4, session="ds-b"), ["ds"]) == 4  # another annotator's answers count
    assert db.add_examples(tasks(2, session="ds-c") * 2, ["ds"]) == 2  # repeats inside one batch
    assert db.count_dataset("ds") == 10


def test_database_concurrent_writers_store_each_answer_once(db):
    db.add_dataset("ds")
    errors = []

    def write():
        try:
            for _ in range(3):
                db.add_examples(tasks(20, session="ds-a"), ["ds"])
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # a race may make one writer hit the unique index; the data must still be exact
    assert db.count_dataset("ds") == 20
    assert not errors, errors[:1]


def test_database_add_examples_is_all_or_nothing(db):
    db.add_dataset("ds")

    def broken():
        yield from tasks(2500)
        raise InvalidLine("file.jsonl", 2501, "not valid JSON")

    with pytest.raises(InvalidLine):
        db.add_examples(broken(), ["ds"])
    assert db.count_dataset("ds") == 0

    def broken_import():
        yield from tasks(3)
        raise InvalidLine("file.jsonl", 4, "bad")

    with pytest.raises(InvalidLine):
        db.import_examples("fresh", broken_import())
    assert "fresh" not in db


def test_issue12_import_commits_in_chunks_and_a_failure_removes_what_it_added(db, monkeypatch):
    import mentor.db.database as database

    monkeypatch.setattr(database, "IMPORT_CHUNK", 100)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)  # a transaction a chunk, other writers or not
    db.import_examples("ds", tasks(5, prefix="old"))
    seen_mid_import = []

    def broken():
        yield from tasks(250, prefix="new")
        with db.engine.connect() as conn:  # two chunks are committed, in the hidden staging dataset
            staged = conn.exec_driver_sql("SELECT COUNT(*) FROM link").scalar()
        seen_mid_import.append((db.count_dataset("ds"), staged))
        raise InvalidLine("file.jsonl", 251, "bad")

    with pytest.raises(InvalidLine):
        db.import_examples("ds", broken())
    assert seen_mid_import == [(5, 205)]
    assert [t["text"][:4] for t in db.get_dataset_examples("ds")] == [f"old{i}" for i in range(5)]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM example").scalar() == 5
    assert db.import_examples("ds", tasks(250, prefix="new")) == 250


def test_database_filters_and_unknown_dataset(db):
    db.add_dataset("ds")
    db.add_examples(tasks(3, answer="accept") + tasks(2, answer="reject", prefix="r"), ["ds"])
    assert len(list(db.get_dataset_examples("ds", answer="reject"))) == 2
    with pytest.raises(DatasetNotFound):
        db.get_dataset_examples("missing")
    with pytest.raises(DatasetNotFound):
        db.add_examples(tasks(1), ["missing"])
    with pytest.raises(DatasetNotFound):
        db.count_dataset("missing")


def test_database_drop_keeps_examples_other_datasets_use(db):
    db.add_dataset("ds")
    db.add_dataset("other")
    db.add_examples(tasks(3), ["ds", "other"])
    db.add_examples(tasks(2, prefix="o"), ["other"])
    assert db.drop_dataset("ds") == 3
    assert "ds" not in db
    assert db.count_dataset("other") == 5
    assert len(list(db.get_dataset_examples("other"))) == 5


def test_issue12_drop_removes_the_answers_in_its_session_datasets(db):
    db.add_dataset("ds")
    for session in ("ds-a", "ds-b", "keep-c"):
        db.add_dataset(session, session=True)
    db.add_examples(tasks(3, session="ds-a"), ["ds", "ds-a"])
    db.add_examples(tasks(2, prefix="b", session="ds-b"), ["ds", "ds-b"])
    db.add_dataset("keep")
    db.add_examples(tasks(2, prefix="k", session="keep-c"), ["keep", "keep-c"])
    db.add_examples(tasks(1, prefix="x", session="ds-b"), ["ds-b"])  # the session's own, not ds's
    assert db.drop_dataset("ds") == 5
    assert db.sessions == ["ds-b", "keep-c"]  # ds-a held only ds's answers
    assert [t["text"][:2] for t in db.get_dataset_examples("ds-b")] == ["x0"]
    assert db.count_dataset("keep") == 2 and db.count_dataset("keep-c") == 2
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM example").scalar() == 3


def test_database_streams_large_dataset_in_batches(db):
    db.add_dataset("big")
    db.add_examples(tasks(5000), ["big"])
    stream = db.get_dataset_examples("big")
    first = next(stream)
    assert first["text"].startswith("t0")
    assert sum(1 for _ in stream) == 4999


@pytest.mark.mysql
def test_dataset_created_keeps_its_seconds_on_mysql_and_an_old_float_column_is_widened(request):
    """MySQL's FLOAT is 4 bytes: an epoch timestamp came back in ~2-minute steps."""
    import sqlalchemy as sa

    from mentor.db import Database

    url, drop = create_temp_database("mysql")
    request.addfinalizer(drop)
    Database(url).close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the table as an older mentor created it
        conn.execute(sa.text("ALTER TABLE dataset MODIFY created FLOAT NOT NULL"))
    engine.dispose()
    db = Database(url)
    try:
        db.add_dataset("stamped")
        created = db.get_meta("stamped")["created"]
        assert abs(created - time.time()) < 5, created
        columns = {c["name"]: c["type"] for c in sa.inspect(db.engine).get_columns("dataset")}
        assert type(columns["created"]).__name__ == "DOUBLE"
    finally:
        db.close()
