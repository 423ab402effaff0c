"""``mentor db-out``: export a dataset as JSONL, streamed."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Iterator, Optional, TextIO

import srsly
from wasabi import msg

from ...db import connect
from ...errors import InvalidChoice
from ...registry import Arg, Opt, recipe
from ...tasks import ANSWERS


def write_lines(lines: Iterator[str], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(line)
        out.write("\n")
        count += 1
    return count


@recipe("db-out", group="database")
def db_out(
    dataset: Annotated[str, Arg(help="Dataset to export")],
    output: Annotated[Optional[Path], Arg(help="JSONL file (or folder) to write; stdout if omitted")] = None,
    answer: Annotated[Optional[str], Opt("--answer", help="Only export answers of this kind: accept, reject, ignore")] = None,
) -> None:
    """Export a dataset's annotations as JSONL (to stdout or a file)."""
    if answer is not None and answer not in ANSWERS:
        raise InvalidChoice("--answer", answer, ANSWERS)
    db = connect()
    if answer is None:
        lines = db.iter_raw_examples(dataset)  # already JSON text: no parse/dump round trip
    else:
        lines = (srsly.json_dumps(task) for task in db.get_dataset_examples(dataset, answer=answer))
    if output is None:
        write_lines(lines, sys.stdout)
        sys.stdout.flush()
        return
    path = output / f"{dataset}.jsonl" if output.is_dir() else output
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf8") as handle:
        count = write_lines(lines, handle)
    tmp.replace(path)  # a reader never sees a half-written export
    msg.good(f"Exported {count} annotations from '{dataset}' to {path}")
