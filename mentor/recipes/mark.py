"""``mark``: show tasks as they are in any view, and count the answers."""
from __future__ import annotations

from typing import Annotated, Any, Counter, Iterator, List, Optional

from wasabi import msg

from ..core import Components
from ..loaders import get_stream
from ..registry import Arg, Opt, recipe
from ..tasks import Task, rehash_task, split_string


def _with_label(stream: Iterator[Task], label: str) -> Iterator[Task]:
    for task in stream:
        task["label"] = label
        yield rehash_task(task)


@recipe("mark", group="annotation")
def mark(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help="Data to annotate (file path or '-' for stdin)")],
    view_id: Annotated[str, Opt("--view-id", "-v", help="Interface to show the tasks in: text, html, choice, ...")] = "text",
    label: Annotated[Optional[str], Opt("--label", "-l", help="Label to ask about, set on every task")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt, images")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Click through tasks in the order they come, in any view, with no model.

    Tasks are shown as they are in the source (bring your own ``options``,
    ``spans`` or ``html``); a summary of the answers is printed when you stop.
    """
    stream = get_stream(source, loader=loader, dedup=True)
    if label:
        stream = stream.apply(_with_label, label)
    counts: Counter[Optional[str]] = Counter()

    def count_answers(answers: List[Task]) -> List[Task]:
        # called once per newly stored answer (retries excluded), ignored ones included
        counts.update(answer.get("answer") for answer in answers)
        return answers

    def print_summary(controller: Any) -> None:
        msg.info(f"Answers this run in '{dataset}'")
        msg.table(
            [("Accept", counts["accept"]), ("Reject", counts["reject"]), ("Ignore", counts["ignore"]),
             ("Total", sum(counts.values()))],
            aligns=("l", "r"),
        )

    config = {"labels": [label]} if label else {}
    return Components(
        dataset=dataset,
        view_id=view_id,
        stream=stream,
        before_db=count_answers,
        on_exit=print_summary,
        exclude=split_string(exclude),
        config=config,
    )
