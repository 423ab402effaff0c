"""The three tables every answer lives in, and the claims servers share a dataset by.

``dataset`` rows are datasets or annotator sessions (``session`` flag).
``example`` rows hold each stored task as JSON text, with both hashes indexed.
``link`` ties an example to each dataset it belongs to. It repeats the task hash,
the session name and a 64-bit content key so that one unique index can say
"this session already gave this answer in this dataset": a retried batch is then
stored once, a second server process racing the first can't store a duplicate,
and two different tasks whose 32-bit hashes collide are both kept.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

metadata = MetaData()

# MySQL's TEXT stops at 64 KiB; a task with tokens or an image easily exceeds it.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# SQLite only auto-increments an INTEGER PRIMARY KEY, so BigInteger must fall back there.
Id = BigInteger().with_variant(Integer(), "sqlite")

dataset = Table(
    "dataset",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("created", Double, nullable=False),  # epoch seconds: MySQL's FLOAT is 4 bytes (upgrade.py)
    Column("meta", LongText, nullable=False, default="{}"),
    Column("session", Boolean, nullable=False, default=False),
)

example = Table(
    "example",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("input_hash", BigInteger, nullable=False, index=True),
    Column("task_hash", BigInteger, nullable=False, index=True),
    Column("content", LongText, nullable=False),
)

link = Table(
    "link",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("example_id", Id, ForeignKey("example.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("dataset_id", Id, ForeignKey("dataset.id", ondelete="CASCADE"), nullable=False),
    Column("task_hash", BigInteger, nullable=False),
    Column("session_key", String(255), nullable=False, default=""),
    Column("content_key", BigInteger, nullable=False, default=0),
    UniqueConstraint("dataset_id", "task_hash", "session_key", "content_key", name="uq_link_answer"),
    Index("ix_link_dataset", "dataset_id", "id"),
)

# Which server process serves which task of a dataset (mentor/db/claims.py): several servers
# on one database share a dataset's work through it. ``task_key`` is the task's key
# (mentor.core.keys: hash and input digest, as decimal text: it is wider than 64 bits).
# ``slot`` is one of the ``annotations_per_task`` places a task has (0 when it has one), and
# ``session`` the annotator session a slot was claimed for ("" with one place: the owner routes it).
claim = Table(
    "claim",
    metadata,
    Column("dataset_id", Id, ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True),
    Column("task_key", String(48), primary_key=True),
    Column("slot", Integer, primary_key=True, autoincrement=False, default=0),
    Column("owner", String(255), nullable=False),
    Column("session", String(255), nullable=False, default=""),
    Column("expires", Double, nullable=False),  # epoch seconds: MySQL's FLOAT is 4 bytes, ~2-minute steps
)
