"""``mentor drop``: delete a dataset."""
from __future__ import annotations

import sys
from typing import Annotated

from wasabi import msg

from ...db import connect
from ...db.preview import preview_drop
from ...errors import DatasetNotFound, Refused
from ...registry import Arg, Opt, recipe


@recipe("drop", group="database")
def drop(
    dataset: Annotated[str, Arg(help="Dataset (or session) to delete")],
    yes: Annotated[bool, Opt("--yes", "-y", help="Don't ask for confirmation")] = False,
    dry: Annotated[bool, Opt("--dry", help="Say what would be deleted, deleting nothing")] = False,
) -> None:
    """Delete a dataset and its annotations (asks first unless --yes)."""
    db = connect()
    if dataset not in db:
        raise DatasetNotFound(dataset)
    if dry:
        preview = preview_drop(db, dataset)
        sessions = f", with their copies in sessions {', '.join(preview.sessions)}" if preview.sessions else ""
        msg.info(f"Dry run: would delete dataset '{dataset}' and its {preview.answers} annotations{sessions}; nothing was deleted")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise Refused(f"Not deleting '{dataset}': no terminal to confirm on. Pass --yes to delete")
        count = db.count_dataset(dataset)
        reply = input(f"Delete dataset '{dataset}' and its {count} annotations? [y/N] ")
        if reply.strip().lower() not in ("y", "yes"):
            raise Refused(f"Not deleting '{dataset}'")
    removed = db.drop_dataset(dataset)
    msg.good(f"Deleted dataset '{dataset}' ({removed} annotations)")
