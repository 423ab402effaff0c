"""``mentor db-out``: export a dataset as JSONL (or CoNLL), streamed."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Iterator, List, Optional, TextIO

import srsly
from wasabi import msg

from .. import messages
from ...core.keys import strip_own_hashes
from ...db import Database, connect
from ...errors import InvalidChoice, NotConll
from ...loaders.conll import conll_lines
from ...loaders.tags import TagError
from ...registry import Arg, Opt, recipe
from ...tasks import ANSWERS, Task

FORMATS = ("jsonl", "conll")
CONLL_SUFFIXES = (".conll",)


def write_lines(lines: Iterator[str], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(line)
        out.write("\n")
        count += 1
    return count


def conll_sentences(tasks: Iterator[Task], dataset: str, left_out: List[NotConll]) -> Iterator[str]:
    """Each answer as a CoNLL sentence (``word TAG`` lines and a blank line); what CoNLL can't hold goes to ``left_out``."""
    for index, task in enumerate(tasks, start=1):
        try:
            lines = conll_lines(task)
        except (TagError, KeyError, TypeError, ValueError) as err:
            left_out.append(NotConll(dataset, index, str(err)))
            continue
        if lines:
            yield "\n".join(lines) + "\n"


def jsonl_lines(db: Database, dataset: str, answer: Optional[str]) -> Iterator[str]:
    """The dataset as JSONL, each answer as it came in (mentor's own hashes of an import left out)."""
    if answer is None:
        # already JSON text: no parse/dump round trip
        return (strip_own_hashes(line) for line in db.iter_raw_examples(dataset))
    return (strip_own_hashes(srsly.json_dumps(task)) for task in db.get_dataset_examples(dataset, answer=answer))


@recipe("db-out", group="database")
def db_out(
    dataset: Annotated[str, Arg(help="Dataset to export")],
    output: Annotated[Optional[Path], Arg(help="JSONL (or .conll) file, or folder, to write; stdout if omitted")] = None,
    answer: Annotated[Optional[str], Opt("--answer", help="Only export answers of this kind: accept, reject, ignore")] = None,
    file_format: Annotated[Optional[str], Opt("--format", "-f", help="jsonl or conll (default: from the output's suffix, else jsonl)")] = None,
) -> None:
    """Export a dataset's annotations as JSONL (to stdout or a file), or as CoNLL.

    CoNLL (``--format conll`` or an output ending in .conll) writes each
    accepted answer (or those --answer names) as a sentence of ``word TAG``
    lines, IOB2, from its tokens; answers whose spans overlap or miss the
    token boundaries are left out with a warning.
    """
    if answer is not None and answer not in ANSWERS:
        raise InvalidChoice("--answer", answer, ANSWERS)
    if file_format is None:
        file_format = "conll" if output is not None and output.suffix.lower() in CONLL_SUFFIXES else "jsonl"
    if file_format not in FORMATS:
        raise InvalidChoice("--format", file_format, FORMATS)
    db = connect()
    left_out: List[NotConll] = []
    if file_format == "conll":
        lines = conll_sentences(db.get_dataset_examples(dataset, answer=answer or "accept"), dataset, left_out)
    else:
        lines = jsonl_lines(db, dataset, answer)
    if output is None:
        write_lines(lines, sys.stdout)
        sys.stdout.flush()
    else:
        path = output / f"{dataset}.{file_format}" if output.is_dir() else output
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf8") as handle:
            count = write_lines(lines, handle)
        tmp.replace(path)  # a reader never sees a half-written export
        what = "sentences" if file_format == "conll" else "annotations"
        msg.good(f"Exported {count} {what} from '{dataset}' to {path}")
    if left_out:
        messages.warn(f"{left_out[0].message} [{left_out[0].code}]" + (f" (and {len(left_out) - 1} more)" if len(left_out) > 1 else ""))
