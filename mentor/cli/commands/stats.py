"""``mentor stats``: what is in the database, or in one dataset."""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import sys
from typing import Annotated, Optional

from wasabi import msg

from ... import __version__
from ...config import load_settings
from ...db import connect
from ...db.summary import summarize_dataset
from ...registry import Arg, Opt, recipe


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


@recipe("stats", group="database")
def stats(
    dataset: Annotated[Optional[str], Arg(help="Dataset to describe; omit for the whole database")] = None,
    list_datasets: Annotated[bool, Opt("-l", "--list-datasets", help="List the datasets")] = False,
    list_sessions: Annotated[bool, Opt("-ls", "--list-sessions", help="List the session datasets")] = False,
) -> None:
    """Show the database's datasets and sessions, or a dataset's answer counts."""
    settings = load_settings()
    db = connect(settings=settings)
    if dataset is None:
        try:  # the installed version, without the seconds importing spaCy takes
            spacy_version = importlib.metadata.version("spacy")
        except importlib.metadata.PackageNotFoundError:  # the database commands work without spaCy
            spacy_version = "not installed"
        msg.divider("mentor stats")
        msg.table(
            [
                ("Version", __version__),
                ("Location", db.location),
                ("Mentor home", str(settings.home)),
                ("Platform", platform.platform()),
                ("Python", sys.version.split()[0]),
                ("spaCy", spacy_version),
                ("Database backend", db.backend),
                ("Total datasets", len(db.datasets)),
                ("Total sessions", len(db.sessions)),
            ]
        )
        if list_datasets:
            msg.divider("Datasets")
            print("\n".join(db.datasets) or "(none)")
        if list_sessions:
            msg.divider("Sessions")
            print("\n".join(db.sessions) or "(none)")
        return
    summary = summarize_dataset(db, dataset)
    msg.divider(f"Dataset '{dataset}'")
    rows = [
        ("Dataset", dataset),
        ("Created", _when(summary.created)),
        ("Kind", "session" if summary.meta.get("session") else "dataset"),
        ("Annotations", summary.total),
        ("Accept", summary.answers.get("accept", 0)),
        ("Reject", summary.answers.get("reject", 0)),
        ("Ignore", summary.answers.get("ignore", 0)),
        ("Unique inputs", summary.inputs),
        ("Inputs with several versions", summary.inputs_with_versions),
        ("Sessions", len(summary.sessions)),
        ("Views", ", ".join(f"{v} ({n})" for v, n in summary.view_ids.most_common()) or "-"),
    ]
    if summary.answers.get("none"):
        rows.insert(6, ("No answer", summary.answers["none"]))
    msg.table(rows)
    if list_sessions and summary.sessions:
        msg.divider("Sessions")
        msg.table(sorted(summary.sessions.items()), header=("Session", "Annotations"))
