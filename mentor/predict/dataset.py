"""Finished shards into a dataset, through ``db-in``'s own import (``mentor predict --dataset``).

Each shard is imported all or nothing by :func:`~mentor.core.importing.import_file`,
so predictions arrive in the dataset as ``db-in`` would bring them (answer
``accept`` unless a single-label classification gave ``reject``). The import
keeps what a dataset already holds, so importing a folder again after an
interrupted import adds only the shards that were missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.importing import import_file
from ..db import Database
from .progress import progress_bar
from .shards import ShardFolder


@dataclass
class DatasetReport:
    """Predictions added to the dataset and its size after."""

    added: int = 0
    total: int = 0


def import_shards(open_db: Callable[[], Database], dataset: str, folder: ShardFolder) -> DatasetReport:
    """Import every finished shard of ``folder`` into ``dataset``; return what was added."""
    report = DatasetReport()
    shards = [path for path in folder.shards() if path.stat().st_size]
    db = open_db()
    try:
        with progress_bar(f"into '{dataset}'", len(shards)) as advance:
            for path in shards:
                result = import_file(db, dataset, str(path))
                report.added += result.added
                report.total = result.total
                advance(1)
    finally:
        db.close()
    return report
