"""Bring a database an older mentor created up to today's tables, in place.

``metadata.create_all`` only adds what is missing; it never changes a column
that exists. Each step here is one such change, checked against the live
schema first so that it runs once, and safe when two processes start at the
same moment (the second finds the work done, or repeats an idempotent ALTER).
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text

logger = logging.getLogger(__name__)


def upgrade(engine: Engine) -> None:
    """Run every step that this database still needs."""
    if engine.dialect.name in ("mysql", "mariadb"):
        _widen_dataset_created(engine)


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
