"""``mentor progress``: answers per day, week or month."""
from __future__ import annotations

from typing import Annotated

from wasabi import msg

from ...db import connect
from ...db.summary import answers_over_time
from ...errors import InputError
from ...registry import Arg, Opt, recipe
from ...tasks import split_string


@recipe("progress", group="database")
def progress(
    datasets: Annotated[str, Arg(help="Comma-separated datasets")],
    interval: Annotated[str, Opt("--interval", "-i", help="Bucket size: day, week or month")] = "day",
) -> None:
    """Show how many answers were added per day, week or month."""
    if interval not in ("day", "week", "month"):
        raise InputError(f"--interval must be day, week or month, got '{interval}'")
    db = connect()
    for name in split_string(datasets):
        rows = []
        running = 0
        for bucket, counts in answers_over_time(db, name, interval):  # type: ignore[arg-type]
            new = sum(counts.values())
            running += new
            rows.append((bucket, new, running, counts.get("accept", 0), counts.get("reject", 0), counts.get("ignore", 0)))
        msg.divider(f"Progress of '{name}' per {interval}")
        if rows:
            msg.table(rows, header=(interval.title(), "New", "Total", "Accept", "Reject", "Ignore"), aligns=("l", "r", "r", "r", "r", "r"))
        else:
            msg.info("No annotations yet")
