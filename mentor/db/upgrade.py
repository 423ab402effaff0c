"""Bring a database an older mentor created up to today's tables, in place.

``metadata.create_all`` only adds what is missing; it never changes a column
that exists. Each step here is one such change, checked against the live
schema first so that it runs once, and safe when two processes start at the
same moment (the second finds the work done, or repeats an idempotent ALTER).
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text

from .tables import claim as claim_table

logger = logging.getLogger(__name__)


def upgrade(engine: Engine) -> None:
    """Run every step that this database still needs."""
    if engine.dialect.name in ("mysql", "mariadb"):
        _widen_dataset_created(engine)
    _add_claim_slots(engine)


def _widen_dataset_created(engine: Engine) -> None:
    """``dataset.created`` was FLOAT: on MySQL 4 bytes, so a timestamp was stored in ~2-minute steps.

    (SQLite's REAL and PostgreSQL's double precision were always 8 bytes.)
    """
    column = next((c for c in inspect(engine).get_columns("dataset") if c["name"] == "created"), None)
    # mysql.DOUBLE is a subclass of Float too, so the reflected type's own name decides
    if column is None or type(column["type"]).__name__.upper() != "FLOAT":
        return
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE dataset MODIFY created DOUBLE NOT NULL"))
    logger.info("dataset.created widened from FLOAT to DOUBLE")


def _add_claim_slots(engine: Engine) -> None:
    """``claim`` gained ``slot`` (in its primary key) and ``session``: one claim per place of a task.

    A primary key can't be changed in place on SQLite, and the table only
    holds leases of a minute or so, so it is dropped and created anew: a claim
    lost this way only lets another server take the task, as when its lease
    runs out. Servers of an older mentor must not share the database meanwhile
    (their statements name the old key).
    """
    inspector = inspect(engine)
    if not inspector.has_table("claim") or any(c["name"] == "slot" for c in inspector.get_columns("claim")):
        return
    claim_table.drop(engine, checkfirst=True)
    claim_table.create(engine, checkfirst=True)
    logger.info("claim table recreated with slots (its leases are work in progress: none kept)")
