"""``match`` and ``filter-by-patterns``: pattern matches without a model.

``match`` asks about each pattern match (accept or reject), so you learn how good
your patterns are before they bootstrap a model in ``textcat.teach`` or
``ner.teach``; ``filter-by-patterns`` keeps only the texts your patterns match,
to build a smaller, richer source for a manual recipe.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterable, Iterator, List, Optional, Tuple

import srsly
from wasabi import msg

from ..core import Components
from ..errors import InputError
from ..loaders import get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..sorters import prefer_high_scores
from ..tasks import Task, split_string

if TYPE_CHECKING:  # spaCy loads when a recipe runs, not when the command line starts
    from ..models.matcher import PatternMatcher


@recipe("match", group="annotation")
def match(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Texts to match: file path, or '-' for stdin")],
    patterns: Annotated[Path, Opt("--patterns", "-pt", help="Match patterns JSONL")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels: use only their patterns")] = None,
    label_task: Annotated[bool, Opt("--label-task", "-LT", help="Ask about the label of the whole text (classification view)")] = False,
    combine_matches: Annotated[bool, Opt("--combine-matches", "-C", help="One question per text with all its matches")] = False,
    all_examples: Annotated[bool, Opt("--all-examples", "-A", help="Also show texts without matches")] = False,
    in_order: Annotated[bool, Opt("--in-order", "-IO", help="Keep the source order instead of best patterns first")] = False,
    case_sensitive: Annotated[bool, Opt("--case-sensitive", "-CS", help="Match phrase patterns on the exact text")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
) -> Components:
    """Accept or reject pattern matches; no model, the patterns learn which ones work.

    Each match is highlighted (the ner view, or the classification view with
    --label-task) and your answers count for the pattern behind it. Matches of
    patterns you keep rejecting score lower and come later, so a bad pattern
    fades instead of filling the queue; --in-order shows everything in file order.
    Answers stored earlier in the dataset count from the start.
    """
    from ..models.matcher import PatternMatcher

    nlp = load_pipeline(spacy_model)
    matcher = PatternMatcher(
        nlp,
        patterns,
        label_span=not label_task,
        label_task=label_task,
        combine_matches=combine_matches,
        all_examples=all_examples,
        filter_labels=split_string(label) or None,
        case_sensitive=case_sensitive,
    )
    if not len(matcher):
        raise InputError(f"No patterns in {patterns} have the label(s) {label}")
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    scored = matcher(lines)
    if in_order:
        questions: Iterable[Task] = (task for _, task in scored)
        pool = None
    else:
        pool = prefer_high_scores(scored, rescorer=matcher.score_tasks)
        questions = pool

    def update(answers: List[Task]) -> None:
        matcher.update(answers)
        if pool is not None:
            pool.rescore()

    def on_load(controller: object) -> None:
        """Count the answers already in the dataset, so a restarted session keeps what it learnt."""
        db = getattr(controller, "db", None)
        if db is not None and dataset in db:
            update(list(db.get_dataset_examples(dataset)))

    return Components(
        dataset=dataset,
        view_id="classification" if label_task else "ner",
        stream=questions,
        sources=[lines],
        update=update,
        on_load=on_load,
        exclude=split_string(exclude),
        config={"labels": matcher.labels, "exclude_by": "task"},
    )


@recipe("filter-by-patterns", group="utilities")
def filter_by_patterns(
    output: Annotated[Path, Arg(help="JSONL file to write the matching tasks to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Texts to filter: file path, or '-' for stdin")],
    patterns: Annotated[Path, Opt("--patterns", "-pt", help="Match patterns JSONL")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels: use only their patterns")] = None,
    case_sensitive: Annotated[bool, Opt("--case-sensitive", "-CS", help="Match phrase patterns on the exact text")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
) -> None:
    """Write only the texts that match a pattern, with the matches as spans."""
    from ..models.matcher import PatternMatcher

    nlp = load_pipeline(spacy_model)
    matcher = PatternMatcher(
        nlp, patterns, filter_labels=split_string(label) or None, case_sensitive=case_sensitive
    )
    read, kept, spans = write_matches(matcher, get_stream(source, loader=loader), output)
    msg.good(f"Kept {kept} of {read} texts ({spans} matches) in {output}")


def write_matches(matcher: PatternMatcher, stream: Iterable[Task], output: Path) -> Tuple[int, int, int]:
    """Stream the tasks that match into a JSONL file; return (texts read, texts kept, spans).

    Each task keeps its fields and gains ``spans`` and ``meta.pattern``; the
    tokens and scores the annotation views need are left out. The file appears
    whole or not at all: it is written beside ``output`` and renamed at the end.
    """
    counts = {"read": 0, "spans": 0}

    def counted(tasks: Iterable[Task]) -> Iterator[Task]:
        for task in tasks:
            counts["read"] += 1
            yield task

    def records() -> Iterator[Task]:
        for _, task in matcher(counted(stream)):
            task.pop("tokens", None)
            task.pop("score", None)
            task["meta"].pop("score", None)
            counts["spans"] += len(task["spans"])
            yield task

    output.parent.mkdir(parents=True, exist_ok=True)
    part = output.with_name(output.name + ".part")
    kept = 0
    with part.open("w", encoding="utf8") as handle:
        for task in records():
            handle.write(srsly.json_dumps(task) + "\n")
            kept += 1
    part.replace(output)
    return counts["read"], kept, counts["spans"]
