"""Issue 16: imports at disk speed (mentor/db/bulk.py), on SQLite, PostgreSQL and MariaDB in turn."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterator, List

import mentor.db.bulk as bulk
import mentor.db.database as database
from mentor.core.importing import import_file
from mentor.loaders import get_stream
from mentor.tasks import set_hashes

# what COPY's text format escapes (tab, newline, carriage return, backslash) and what
# JSON escapes (quotes, control characters), in the stored JSON and in the raw session
# key; NUL-free, as PostgreSQL's text is
AWKWARD = ["tab\there", "new\nline", "cr\rlf\r\n", "back\\slash \\N \\t", 'quote " and \\"', "é 中文 🙂 \u2028", "\x01\x1f"]


def awkward_tasks() -> List[Dict]:
    return [
        {
            "text": text,
            "label": f"L\t{i}",
            "meta": {"path": "C:\\data\\new", "note": text},
            "answer": "accept",
            "_session_id": f"ds-{text}",
        }
        for i, text in enumerate(AWKWARD)
    ]


def tasks(n: int, prefix: str = "t") -> Iterator[Dict]:
    for i in range(n):
        yield {"text": f"{prefix}{i}", "answer": "accept"}


def test_issue16_import_round_trips_text_copy_escapes_exactly(db, monkeypatch):
    used = []
    copy_rows = bulk.copy_rows

    def spy(*args):
        used.append(len(args[1]))
        return copy_rows(*args)

    monkeypatch.setattr(bulk, "copy_rows", spy)
    given = awkward_tasks()
    assert db.import_examples("ds", [dict(task) for task in given]) == len(given)
    stored = db.get_dataset("ds")
    assert stored == [set_hashes(dict(task)) for task in given]
    assert db.get_session_names("ds") == sorted(task["_session_id"] for task in given)
    assert used == ([len(given)] if db.backend == "postgresql" else [])  # PostgreSQL's rows go in with COPY
    # a second import of the same answers adds nothing, and leaves no orphaned example rows
    assert db.import_examples("ds", [dict(task) for task in given]) == 0
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM example").scalar() == len(given)


def test_issue16_repeats_across_transactions_are_stored_once(db, monkeypatch):
    monkeypatch.setattr(database, "IMPORT_CHUNK", 10)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 30)
    tables: List[str] = []
    copy_links = bulk._copy_links

    def spy(cursor, table, *args):
        tables.append(table)
        return copy_links(cursor, table, *args)

    monkeypatch.setattr(bulk, "_copy_links", spy)
    rows = list(tasks(50)) + list(tasks(50))  # each answer twice, in different transactions
    assert db.import_examples("ds", rows) == 50
    if db.backend == "postgresql":  # COPY straight into link, refused once a transaction repeats an answer
        assert tables == ["link", "link", "link", "mentor_incoming_link", "link", "mentor_incoming_link"]
    assert [task["text"] for task in db.get_dataset("ds")] == [f"t{i}" for i in range(50)]
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM example").scalar() == 50
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM link").scalar() == 50


def test_issue16_long_transactions_until_another_connection_writes(db, monkeypatch):
    """SQLite: once another connection commits, the rest of the file goes in short transactions."""
    monkeypatch.setattr(database, "IMPORT_CHUNK", 10)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 100)
    sizes: List[int] = []
    write = bulk._write

    def spy(db_, conn, rows, staging_id):
        sizes.append(len(rows))
        return write(db_, conn, rows, staging_id)

    monkeypatch.setattr(bulk, "_write", spy)
    db.add_dataset("other")

    def with_a_writer() -> Iterator[Dict]:
        for number, task in enumerate(tasks(400)):
            if number == 250:  # read ahead of the fourth transaction
                assert db.add_examples([{"text": "a server's answer", "answer": "accept"}], ["other"]) == 1
            yield task

    assert db.import_examples("ds", with_a_writer()) == 400
    if db.backend == "sqlite":
        assert sizes == [10, 100, 100] + [10] * 19
    else:  # no writer waits for staged rows there: always the long ones
        assert sizes == [10, 100, 100, 100, 90]
    assert [task["text"] for task in db.get_dataset("ds")] == [f"t{i}" for i in range(400)]


def test_issue16_db_in_leaves_hashing_to_the_database_with_the_same_hashes(db, tmp_path: Path):
    path = tmp_path / "mixed.jsonl"
    hashed = {"text": "from prodigy", "_input_hash": 1, "_task_hash": 2}
    path.write_text("\n".join(json.dumps(task) for task in [{"text": "plain", "label": "X"}, hashed]) + "\n")
    read = list(get_stream(str(path), hash_unhashed=False))
    assert "_input_hash" not in read[0] and read[1]["_input_hash"] == 1
    result = import_file(db, "ds", str(path))
    assert (result.added, result.foreign) == (2, 1)
    plain, prodigy = db.get_dataset("ds")
    assert plain == set_hashes({"text": "plain", "label": "X", "answer": "accept"})
    assert (prodigy["_input_hash"], prodigy["_task_hash"]) == (1, 2) and "_mentor_hashes" in prodigy


def test_issue16_mariadb_statements_split_by_size_keep_each_row_with_its_id(db, monkeypatch):
    """MariaDB's multi-row INSERT ... RETURNING, cut into statements of a few rows: links still meet their rows."""
    monkeypatch.setattr(database, "MARIADB_STATEMENT_BYTES", 200)
    given = [{"text": f"{i} " + "x" * (i * 17 % 90), "answer": "accept"} for i in range(60)]
    assert db.import_examples("ds", [dict(task) for task in given]) == 60
    assert db.add_examples([{"text": "one more", "answer": "reject"}], ["ds"]) == 1
    assert [task["text"] for task in db.get_dataset("ds")] == [task["text"] for task in given] + ["one more"]


def test_issue16_sqlite_connections_get_their_settings_back_after_an_import(db):
    """The import's connection commits unsynced and checks no foreign keys; the pool's connections all do."""
    if db.backend != "sqlite":
        return
    assert db.import_examples("ds", list(tasks(30))) == 30
    conns = [db.engine.connect() for _ in range(4)]
    try:
        for conn in conns:
            raw = conn.connection.dbapi_connection
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        for conn in conns:
            conn.close()


def test_issue16_rows_are_built_with_the_cyclic_collector_paused(db):
    """A transaction's rows hold no cycles: the collector is paused while they are read, and runs again after."""
    import gc

    states: List[bool] = []

    def watched() -> Iterator[Dict]:
        for task in tasks(30):
            states.append(gc.isenabled())
            yield task

    assert gc.isenabled()
    assert db.import_examples("ds", watched()) == 30
    assert states == [False] * 30 and gc.isenabled()
    gc.disable()  # a caller that paused it itself gets it back paused
    try:
        assert db.import_examples("ds2", tasks(5)) == 5
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_issue16_a_transactions_rows_are_let_go_before_the_next_are_read(db, monkeypatch):
    """One transaction's rows in memory at a time, not two."""
    import weakref

    monkeypatch.setattr(database, "IMPORT_CHUNK", 10)
    monkeypatch.setattr(database, "IMPORT_CHUNK_ALONE", 30)

    class Rows(list):  # a list that can be watched
        pass

    earlier: List[weakref.ref] = []
    alive: List[bool] = []
    rows_of = database.rows_of

    def watched(tasks_, limit):
        alive.extend(ref() is not None for ref in earlier)
        rows = Rows(rows_of(tasks_, limit))
        earlier.append(weakref.ref(rows))
        return rows

    monkeypatch.setattr(database, "rows_of", watched)
    assert db.import_examples("ds", tasks(100)) == 100
    assert len(earlier) == 5 and alive == [False] * 10
    assert [task["text"] for task in db.get_dataset("ds")] == [f"t{i}" for i in range(100)]
