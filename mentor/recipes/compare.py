"""A/B evaluation: ``compare`` (two output files), ``ner.eval-ab`` (two NER pipelines).

Each task shows one input and two outputs side by side. Which output goes on
the left is random per task (``--no-random`` keeps A left), so the annotator
can't learn which system is which; the task keeps the assignment in
``mapping`` (``{"A": "left", "B": "right"}``). Answers follow Prodigy's
compare convention: **accept** prefers the left (first) output, **reject**
the right (second) one, **ignore** means no preference. A results table of
wins per system over the whole dataset is printed when the server stops.
"""
from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Annotated, Any, Callable, Counter, Dict, Iterable, Iterator, List, Optional, Tuple

from wasabi import msg

from ..core import Components
from ..errors import NothingToCompare
from ..loaders import get_stream
from ..loaders.outputs import Output, load_outputs
from ..loaders.skips import SkipReport
from ..registry import Arg, Opt, recipe
from ..tasks import Task, set_hashes, split_string

logger = logging.getLogger(__name__)

SIDE_OF_ANSWER = {"accept": "left", "reject": "right"}


def ab_task(key: Any, input: Dict[str, Any], a: Dict[str, Any], b: Dict[str, Any], rng: Optional[random.Random]) -> Task:
    """One compare task: A and B on random sides (A left when ``rng`` is None), the sides kept in ``mapping``."""
    a_side, b_side = ("left", "right") if rng is None or rng.random() < 0.5 else ("right", "left")
    task: Task = {"id": key, "input": input, a_side: a, b_side: b, "mapping": {"A": a_side, "B": b_side}}
    if isinstance(input.get("text"), str):
        task["text"] = input["text"]  # for the history list and search; the input is shown from "input"
    return set_hashes(task)


def ab_counts(answers: Iterable[Task]) -> Counter[str]:
    """Wins per system ("A", "B"), "none" for ignored (no preference) and "total", from stored compare answers."""
    counts: Counter[str] = Counter()
    for answer in answers:
        mapping = answer.get("mapping")
        if not isinstance(mapping, dict):
            continue  # not a compare answer
        counts["total"] += 1
        side = SIDE_OF_ANSWER.get(str(answer.get("answer")))
        winner = next((system for system, shown in mapping.items() if shown == side), None)
        counts[winner if winner in ("A", "B") else "none"] += 1
    return counts


def print_ab_table(counts: Counter[str], names: Dict[str, str]) -> None:
    """The results table: each system's wins and its share of the answers that preferred one."""
    decided = counts["A"] + counts["B"]
    rows: List[Tuple[str, str, Any, str]] = []
    for system in ("A", "B"):
        share = f"{counts[system] / decided:.1%}" if decided else "-"
        rows.append((system, names[system], counts[system], share))
    rows.append(("", "no preference (ignored)", counts["none"], ""))
    rows.append(("", "total", counts["total"], ""))
    msg.table(rows, header=("", "system", "preferred", "share"), aligns=("l", "l", "r", "r"), divider=True)
    if decided:
        best = max(("A", "B"), key=lambda s: counts[s])
        if counts["A"] == counts["B"]:
            msg.info("A and B were preferred equally often")
        else:
            msg.good(f"{best} ({names[best]}) was preferred in {counts[best]} of {decided} decided comparisons")


def dataset_report(dataset: str, title: str, report: Callable[[Iterator[Task]], None]) -> Callable[[Any], None]:
    """An ``on_exit`` that hands every answer stored in ``dataset`` to ``report`` (a table printer)."""

    def on_exit(controller: Any) -> None:
        db = getattr(controller, "db", None)
        if db is None or dataset not in db:
            msg.info(f"No answers in '{dataset}' yet")
            return
        msg.info(title)
        report(db.get_dataset_examples(dataset))

    return on_exit


def ab_summary(dataset: str, names: Dict[str, str]) -> Callable[[Any], None]:
    """The compare recipes' ``on_exit``: wins per system over the whole dataset."""
    return dataset_report(dataset, f"A/B results in '{dataset}'", lambda answers: print_ab_table(ab_counts(answers), names))


def _read_outputs(path: Path) -> Dict[Any, Output]:
    """Every valid output of a file by id (later lines win), bad lines skipped with a warning."""
    if not Path(path).is_file():
        get_stream(path)  # raises the loaders' SourceNotFound / SourceIsFolder
    report = SkipReport(str(path))
    found = {output.id: output for output in load_outputs(path, on_invalid=report)}
    report.finish()
    return found


def _pairs(a_file: Path, b_file: Path, rng: Optional[random.Random]) -> List[Task]:
    """The compare tasks, as a list: both files are read anyway, and a list gives the app its total."""
    a, b = _read_outputs(a_file), _read_outputs(b_file)
    shared = [key for key in a if key in b]
    if not shared:
        raise NothingToCompare(str(a_file), str(b_file), len(a), len(b))
    if len(shared) < max(len(a), len(b)):
        logger.warning("Comparing the %d ids found in both files (%d in A, %d in B)", len(shared), len(a), len(b))
    return [ab_task(key, a[key].input, a[key].output, b[key].output, rng) for key in shared]


@recipe("compare", group="annotation")
def compare(
    dataset: Annotated[str, Arg(help="Dataset to save the preferences to")],
    a_file: Annotated[Path, Arg(help="JSONL of system A's outputs: {id, input, output} a line")],
    b_file: Annotated[Path, Arg(help="JSONL of system B's outputs, paired with A's by id")],
    no_random: Annotated[bool, Opt("--no-random", "-NR", help="Show A on the left every time")] = False,
    diff: Annotated[bool, Opt("--diff", "-D", help="Show a word diff of the two outputs' texts")] = False,
    seed: Annotated[Optional[int], Opt("--seed", help="Seed of the random sides, to repeat an order")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Compare two systems' outputs on the same inputs, A/B, blind.

    Outputs are paired by id and shown side by side in random order: accept
    (a) prefers the left one, reject (x) the right one, ignore (space) neither.
    The stored answer keeps which side was A; wins are tallied on exit.
    """
    rng = None if no_random else random.Random(seed)
    stream = _pairs(a_file, b_file, rng)
    names = {"A": Path(a_file).name, "B": Path(b_file).name}
    return Components(
        dataset=dataset,
        view_id="diff" if diff else "compare",
        stream=stream,
        on_exit=ab_summary(dataset, names),
        exclude=split_string(exclude),
        config={"exclude_by": "input"},
    )


@recipe("ner.eval-ab", group="annotation")
def ner_eval_ab(
    dataset: Annotated[str, Arg(help="Dataset to save the preferences to")],
    before_model: Annotated[str, Arg(help="Pipeline A (name or path), e.g. the model before training")],
    after_model: Annotated[str, Arg(help="Pipeline B (name or path), e.g. the model after training")],
    source: Annotated[str, Arg(help="Texts to run both pipelines on (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated entity labels to compare (default: all)")] = None,
    unsegmented: Annotated[bool, Opt("--unsegmented", "-U", help="Don't split the texts into sentences")] = False,
    show_same: Annotated[bool, Opt("--show-same", help="Also ask about texts where both pipelines agree")] = False,
    seed: Annotated[Optional[int], Opt("--seed", help="Seed of the random sides, to repeat an order")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Compare two NER pipelines' entities on the same texts, A/B, blind.

    Both pipelines run on each text (sentence); where their entities differ
    the two analyses are shown side by side in random order: accept prefers
    the left one, reject the right one. Wins per pipeline are tallied on exit.
    """
    from ..models.annotator import entity_annotator
    from ..models.loading import load_pipeline
    from ..preprocess import split_sentences

    labels = split_string(label)
    pipelines = [load_pipeline(name) for name in (before_model, after_model)]
    annotators = [entity_annotator(nlp, labels or None) for nlp in pipelines]
    rng = random.Random(seed)
    stream = get_stream(source, loader=loader, dedup=True)
    if not unsegmented:
        stream = stream.apply(lambda tasks: split_sentences(pipelines[0], tasks))

    def tasks(source_tasks: Iterable[Task]) -> Iterator[Task]:
        for task in source_tasks:
            text = str(task["text"])
            a, b = ({"text": text, "spans": ann.fields(nlp(text))["spans"]} for nlp, ann in zip(pipelines, annotators))
            if show_same or a["spans"] != b["spans"]:
                yield ab_task(task["_input_hash"], {"text": text}, a, b, rng)

    names = {"A": before_model, "B": after_model}
    return Components(
        dataset=dataset,
        view_id="compare",
        stream=stream.apply(tasks),
        on_exit=ab_summary(dataset, names),
        exclude=split_string(exclude),
        config={"exclude_by": "input", "labels": labels or None},
    )

