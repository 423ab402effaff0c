"""``review``: turn several annotators' answers into one gold dataset, resolving the conflicts by hand.

The grouping (binary answers by task, manual answers by input, each distinct
annotation a version with the sessions that gave it) is :mod:`mentor.core.review`;
this recipe reads the answers, stores what ``--auto-accept`` settles, and
serves the rest in the ``review`` view. The reviewer's answer is stored in
DATASET as the gold answer, with the versions kept in its ``versions`` and the
original view in ``_view_id`` (so ``mentor train`` reads it as it reads the
answers it came from).
"""
from __future__ import annotations

from typing import Annotated, Any, Dict, Iterator, List, Optional, Tuple

from wasabi import msg

from ..core import Components
from ..core.keys import read_stored_keys
from ..core.review import ReviewCounts, collect_labels, group_answers, infer_view_id, is_manual, is_multiple_choice
from ..db import Database, connect
from ..errors import DatasetNotFound, InputError
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string


def _answers(db: Database, names: List[str]) -> Iterator[Tuple[str, Task]]:
    for name in names:
        for task in db.get_dataset_examples(name):
            yield name, task


def _review_view(db: Database, names: List[str], view_id: Optional[str]) -> str:
    view, seen = infer_view_id((task.get("_view_id") for _, task in _answers(db, names)), view_id)
    if view is None and not seen:
        raise InputError(
            f"The answers in {', '.join(names)} don't say which view they were given in (no _view_id): "
            "pass --view-id ner_manual (or the view you annotated with)"
        )
    if view is None:
        raise InputError(
            f"The answers in {', '.join(names)} were given in several views ({', '.join(seen)}): "
            "pass --view-id to review them in one"
        )
    if view in ("blocks", "review"):
        raise InputError(f"Answers given in '{view}' can't be reviewed as they are: pass --view-id with the view to show")
    return view


@recipe("review", group="annotation")
def review(
    dataset: Annotated[str, Arg(help="Dataset to save the reviewed (gold) answers to")],
    in_sets: Annotated[str, Arg(help="Comma-separated datasets whose answers to review")],
    view_id: Annotated[Optional[str], Opt("--view-id", "-v", help="View to review in, when the answers' _view_id can't tell (ner_manual, choice, ...)")] = None,
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to offer (default: those the answers use)")] = None,
    show_skipped: Annotated[bool, Opt("--show-skipped", help="Review ignored answers too, as versions of their own")] = False,
    auto_accept: Annotated[bool, Opt("--auto-accept", "-A", help="Store answers every annotator agrees on without asking (meta.auto)")] = False,
) -> Components:
    """Review several annotators' answers and store one gold answer per task.

    Binary answers (ner, classification, ...) are grouped by task, manual ones
    (ner_manual, spans_manual, choice, ...) by input; every distinct version
    lists the sessions that gave it and the most common one is pre-selected.
    Pick a version with its number key, edit it if need be, then accept.
    """
    names = split_string(in_sets)
    if not names:
        raise InputError("Name at least one dataset to review: mentor review gold news,news-extra")
    if dataset in names:
        raise InputError(f"The review dataset '{dataset}' can't also be an input: name a new one")
    db = connect()
    for name in names:
        if name not in db:
            raise DatasetNotFound(name)
    view = _review_view(db, names, view_id)
    manual = is_manual(view)
    counts = ReviewCounts()
    groups = group_answers(_answers(db, names), manual=manual, show_skipped=show_skipped, counts=counts)
    db.add_dataset(dataset)
    done = read_stored_keys(db.iter_hashes_and_content(dataset), "input" if manual else "task")
    pending = [group for group in groups if group.key not in done]
    auto = [group for group in pending if auto_accept and group.unanimous]
    if auto:
        db.add_examples([group.auto_answer(view, dataset) for group in auto], datasets=[dataset])
    # every group, the decided ones too: the server leaves out what DATASET holds (exclude_by below),
    # and counts it as done, so the progress bar reads decided / all
    stream = [group.task(view) for group in groups]
    msg.info(
        f"Reviewing {counts.used} answers from {', '.join(names)} in '{view}': {len(groups)} "
        f"{'inputs' if manual else 'questions'}, {sum(g.conflict for g in groups)} with conflicting answers; "
        f"{len(groups) - len(pending)} already reviewed in '{dataset}', {len(auto)} auto-accepted, "
        f"{len(pending) - len(auto)} to review" + (f" ({counts.ignored} ignored answers left out)" if counts.ignored else "")
    )
    config: Dict[str, Any] = {
        "labels": split_string(label) or collect_labels(groups),
        "review_view_id": view,
        "review_binary": not manual,
        # a manual answer's task hash changes as it is edited: the input says what was reviewed
        "exclude_by": "input" if manual else "task",
    }
    if view == "choice":
        config["choice_style"] = "multiple" if is_multiple_choice(groups) else "single"
    return Components(dataset=dataset, view_id="review", stream=stream, config=config)
