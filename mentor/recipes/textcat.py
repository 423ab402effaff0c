"""``textcat.manual``: pick the categories of each text by hand."""
from __future__ import annotations

from typing import Annotated, Iterator, List, Optional

from ..core import Components
from ..errors import InputError
from ..loaders import get_stream
from ..registry import Arg, Opt, recipe
from ..tasks import Task, rehash_task, split_string


def add_label_options(stream: Iterator[Task], labels: List[str]) -> Iterator[Task]:
    """Show every label as an option of a ``choice`` task; the answer's ``accept`` lists the picked ids."""
    options = [{"id": label, "text": label} for label in labels]
    for task in stream:
        task["options"] = [dict(option) for option in options]
        yield rehash_task(task)


def add_label(stream: Iterator[Task], label: str) -> Iterator[Task]:
    """Ask one yes/no question per text: does ``label`` apply?"""
    for task in stream:
        task["label"] = label
        yield rehash_task(task)


@recipe("textcat.manual", group="annotation")
def textcat_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help="Data to annotate (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    exclusive: Annotated[bool, Opt("--exclusive", "-E", help="Treat classes as mutually exclusive")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Annotate categories of texts by hand.

    With one label each text is a yes/no question (accept/reject); with
    several, the labels are options to pick from: one (--exclusive) or any.
    No model is involved; use textcat.teach to let one choose the questions.
    """
    labels = split_string(label)
    if not labels:
        raise InputError("textcat.manual needs at least one label: --label SPAM or --label SPAM,HAM")
    stream = get_stream(source, loader=loader, dedup=True)
    if len(labels) == 1:
        return Components(
            dataset=dataset,
            view_id="classification",
            stream=stream.apply(add_label, labels[0]),
            exclude=split_string(exclude),
            config={"labels": labels},
        )
    return Components(
        dataset=dataset,
        view_id="choice",
        stream=stream.apply(add_label_options, labels),
        exclude=split_string(exclude),
        config={
            "labels": labels,
            "choice_style": "single" if exclusive else "multiple",
            # the options are the same for every text: a text answered once is done
            "exclude_by": "input",
        },
    )
