"""``mentor stats``: what is in the database, or in one dataset."""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import platform
import sys
from typing import Annotated, Optional

from wasabi import msg

from ... import __version__
from ...config import load_settings
from ...core.analytics import TABLE_HEADER, SessionsReport, session_stats, table_rows
from ...db import Database, connect
from ...db.summary import summarize_dataset
from ...errors import InputError
from ...registry import Arg, Opt, recipe


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


@recipe("stats", group="database")
def stats(
    dataset: Annotated[Optional[str], Arg(help="Dataset to describe; omit for the whole database")] = None,
    list_datasets: Annotated[bool, Opt("-l", "--list-datasets", help="List the datasets")] = False,
    list_sessions: Annotated[bool, Opt("-ls", "--list-sessions", help="List the session datasets")] = False,
    sessions: Annotated[
        bool, Opt("--sessions", help="Per annotator: answers, seconds per task, answer mix, agreement, model score")
    ] = False,
    gold: Annotated[
        Optional[str], Opt("--gold", help="With --sessions: a dataset 'mentor review' wrote, to compare each annotator with")
    ] = None,
    as_json: Annotated[bool, Opt("--json", help="With --sessions: print the statistics as JSON on stdout")] = False,
) -> None:
    """Show the database's datasets and sessions, or a dataset's answer counts (--sessions: per annotator)."""
    if (gold or as_json) and not sessions:
        raise InputError("--gold and --json go with --sessions")
    if sessions and dataset is None:
        raise InputError("--sessions needs a DATASET")
    settings = load_settings()
    db = connect(settings=settings)
    if sessions and dataset is not None:
        report = annotator_stats(db, dataset, gold)
        if as_json:
            print(json.dumps(report.to_dict(), indent=2))
        else:
            _print_sessions(report)
        return
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


def annotator_stats(db: Database, dataset: str, gold: Optional[str] = None) -> SessionsReport:
    """The per-annotator statistics of a dataset in the database. Raises DatasetNotFound."""
    db.get_meta(dataset)  # a missing dataset (or gold dataset) is an error, not an empty table
    if gold is not None:
        db.get_meta(gold)
    gold_answers = db.get_dataset_examples(gold) if gold is not None else None
    return session_stats(db.get_dataset_examples(dataset), dataset=dataset, gold=gold_answers, gold_name=gold)


def _print_sessions(report: SessionsReport) -> None:
    msg.divider(f"Annotators of '{report.dataset}'")
    print(f"{report.answers} answers, view {report.view_id or '-'}, items by {report.by} hash"
          + (f", {report.unattributed} without a session" if report.unattributed else "")
          + (f", gold: '{report.gold}' ({report.gold_answers} decisions)" if report.gold else ""))
    if not report.annotators:
        print("(no answers with a session)")
        return
    msg.table(table_rows(report), header=TABLE_HEADER, aligns=("l",) + ("r",) * (len(TABLE_HEADER) - 1))
    scored = [a for a in report.annotators if a.scores]
    if scored:
        msg.divider("Model score over time (mean meta.score, in answer order)")
        rows = [(a.name, "  ".join(f"{b.first}-{b.last}: {b.mean:.2f}" for b in a.scores)) for a in scored]
        rows.append(("all", "  ".join(f"{b.first}-{b.last}: {b.mean:.2f}" for b in report.scores)))
        msg.table(rows, header=("Annotator", "Answers: score"))
