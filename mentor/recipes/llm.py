"""``ner.llm.correct``, ``spans.llm.correct``, ``textcat.llm.correct`` and the ``*.llm.fetch`` recipes.

A language model (any OpenAI-compatible endpoint, ``--backend openai``) or the
offline zero-shot model (``--backend zero-shot``) suggests the annotations;
a person corrects them in the manual views, with the prompt and the reply
shown under the task (the ``llm_io`` block). ``*.llm.fetch`` asks ahead of
time and writes the tasks to a JSONL file (resumable), which the correct
recipes, ``ner.manual`` or ``textcat.manual`` then serve without asking again.
Replies are cached on disk by backend, model, prompt and text: no text is
sent twice. Answers are stored as the manual view's (``_view_id``
``ner_manual``, ``spans_manual`` or ``choice``), so ``review``, ``train`` and
the agreement metrics read them as they read ``ner.manual``'s.
"""
from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Iterator, List, Optional, Set, Tuple

from rich.console import Console
from rich.progress import track
from wasabi import msg

from ..config import Settings, load_settings
from ..core import Components
from ..db import connect
from ..db.common import chunks
from ..errors import InputError
from ..loaders import get_stream
from ..registry import Arg, Opt, recipe
from ..tasks import Task, set_hashes, split_string

logger = logging.getLogger(__name__)

LabelOpt = Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to suggest")]
DescriptionOpt = Annotated[
    Optional[List[str]],
    Opt("--description", "-d", help="LABEL=what it means, for the prompt or the zero-shot model (repeatable)"),
]
BackendOpt = Annotated[str, Opt("--backend", "-b", help="Suggester: openai (an OpenAI-compatible endpoint), zero-shot, or one registered with @suggester")]
ModelOpt = Annotated[Optional[str], Opt("--model", "-m", help="Model name for the endpoint (default: llm_model)")]
LoaderOpt = Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")]
ExcludeOpt = Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")]
ExclusiveOpt = Annotated[bool, Opt("--exclusive", "-E", help="One category a text")]
ThresholdOpt = Annotated[float, Opt("--threshold", "-t", help="Pre-select categories scoring at least this (not --exclusive)")]
SpacyModelArg = Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")]
SourceArg = Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")]

INNER_VIEW = {"ner": "ner_manual", "spans": "spans_manual", "textcat": "choice"}


def _labels(kind: str, label: Optional[str]) -> List[str]:
    labels = split_string(label)
    if not labels:
        raise InputError(f"{kind}.llm.* needs labels: --label PERSON,ORG")
    return labels


def _suggester(kind: str, labels: List[str], description: Optional[List[str]], backend: str,
               model: Optional[str], *, nlp: Any = None, exclusive: bool = False) -> Tuple[Any, Settings]:
    """The backend, built from the settings (``--model`` over ``llm_model``), and those settings."""
    from ..models.suggestions import SuggestRequest, load_suggester, parse_descriptions

    settings = load_settings({"llm_model": model})
    request = SuggestRequest(kind=kind, labels=labels, descriptions=parse_descriptions(description or [], labels),  # type: ignore[arg-type]
                             exclusive=exclusive, nlp=nlp)
    return load_suggester(backend, request, settings), settings


def _answered_inputs(settings: Settings, names: List[str]) -> Set[int]:
    """Input hashes of the texts these datasets hold answers for: not worth a request."""
    db = connect(settings=settings)
    try:
        return db.get_input_hashes(*[name for name in names if name in db])
    finally:
        db.close()


def _primed(tasks: Iterator[Task]) -> Iterator[Task]:
    """Compute the first task now, so a wrong URL, key or model stops the recipe before the server starts."""
    iterator = iter(tasks)
    first = list(itertools.islice(iterator, 1))
    return itertools.chain(first, iterator)


def _stored_as(view_id: str) -> Callable[[List[Task]], List[Task]]:
    def before_db(answers: List[Task]) -> List[Task]:
        for answer in answers:
            answer["_view_id"] = view_id
        return answers

    return before_db


def _correct(kind: str, dataset: str, spacy_model: Optional[str], source: str, label: Optional[str],
             description: Optional[List[str]], backend: str, model: Optional[str], loader: Optional[str],
             exclude: Optional[str], *, exclusive: bool = False, threshold: float = 0.5) -> Components:
    from ..models.loading import load_pipeline
    from ..models.suggest_tasks import suggest_tasks

    labels = _labels(kind, label)
    nlp = load_pipeline(spacy_model) if spacy_model else None
    suggester, settings = _suggester(kind, labels, description, backend, model, nlp=nlp, exclusive=exclusive)
    stream = get_stream(source, loader=loader, dedup=True)
    known = _answered_inputs(settings, [dataset, *split_string(exclude)])
    tasks = suggest_tasks(stream, suggester, kind=kind, nlp=nlp, labels=labels, batch_size=settings.batch_size,
                          threshold=threshold, exclusive=exclusive, known=known)
    if kind != "textcat":
        from ..preprocess import add_tokens

        tasks = add_tokens(nlp, tasks)  # tasks from a fetch file keep their tokens; the spans get token indices
    inner = INNER_VIEW[kind]
    config = {"labels": labels, "exclude_by": "input", "blocks": [{"view_id": inner}, {"view_id": "llm_io"}]}
    if kind == "textcat":
        config["choice_style"] = "single" if exclusive else "multiple"
    return Components(
        dataset=dataset,
        view_id="blocks",
        stream=_primed(tasks),
        sources=[stream],
        exclude=split_string(exclude),
        before_db=_stored_as(inner),
        config=config,
    )


def _fetch(kind: str, source: str, output: Path, label: Optional[str], description: Optional[List[str]],
           backend: str, model: Optional[str], loader: Optional[str], *, spacy_model: Optional[str] = None,
           exclusive: bool = False, threshold: float = 0.5) -> None:
    from ..models.loading import load_pipeline
    from ..models.suggest_tasks import SuggestReport, suggest_tasks
    from .fetch_output import FetchOutput

    labels = _labels(kind, label)
    nlp = load_pipeline(spacy_model) if spacy_model else None
    out = FetchOutput(output)
    suggester, settings = _suggester(kind, labels, description, backend, model, nlp=nlp, exclusive=exclusive)
    stream = get_stream(source, loader=loader, dedup=True)
    report = SuggestReport()
    already = 0
    batch = max(settings.batch_size, settings.llm_concurrency * 2)

    def todo(tasks: Iterable[Task]) -> Iterator[Task]:
        nonlocal already
        for task in tasks:
            set_hashes(task)
            if task["_input_hash"] in out.done:
                already += 1
                continue
            yield task

    read = track(stream, total=stream.total, description=f"{backend} ({kind})", transient=True,
                 console=Console(stderr=True))
    tasks = suggest_tasks(todo(read), suggester, kind=kind, nlp=nlp, labels=labels, batch_size=batch,
                          threshold=threshold, exclusive=exclusive, report=report)
    for written in chunks(tasks, batch):
        out.append(written)
    msg.good(f"Wrote {report.suggested} tasks with suggestions to {output}")
    if already:
        msg.info(f"Skipped {already} texts already in {output}")
    if report.failed:
        logger.warning("Skipped %d texts whose reply couldn't be read (warnings above); a rerun asks again", report.failed)


@recipe("ner.llm.correct", group="annotation")
def ner_llm_correct(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    spacy_model: SpacyModelArg,
    source: SourceArg,
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
) -> Components:
    """Correct entity spans a language model (or the zero-shot model) suggests.

    Each text is sent once (replies are cached) and comes pre-filled in
    ner_manual; the prompt and the reply are shown under it. A source written
    by ner.llm.fetch is served without asking again.
    """
    return _correct("ner", dataset, spacy_model, source, label, description, backend, model, loader, exclude)


@recipe("spans.llm.correct", group="annotation")
def spans_llm_correct(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    spacy_model: SpacyModelArg,
    source: SourceArg,
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
) -> Components:
    """Correct (possibly overlapping) spans a language model suggests, in spans_manual."""
    return _correct("spans", dataset, spacy_model, source, label, description, backend, model, loader, exclude)


@recipe("textcat.llm.correct", group="annotation")
def textcat_llm_correct(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: SourceArg,
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    exclusive: ExclusiveOpt = False,
    threshold: ThresholdOpt = 0.5,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
) -> Components:
    """Correct the categories a language model picks: the labels are options, its picks pre-selected."""
    return _correct("textcat", dataset, None, source, label, description, backend, model, loader, exclude,
                    exclusive=exclusive, threshold=threshold)


@recipe("ner.llm.fetch", group="annotation")
def ner_llm_fetch(
    spacy_model: SpacyModelArg,
    source: SourceArg,
    output: Annotated[Path, Arg(help="JSONL file to write (appended to; texts already in it are skipped)")],
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
) -> None:
    """Ask for entity suggestions ahead of time and write ner_manual tasks to a JSONL file.

    Resumable: a rerun skips the texts already in OUTPUT. Serve the file with
    ner.llm.correct (or ner.manual) to correct them without asking again.
    """
    _fetch("ner", source, output, label, description, backend, model, loader, spacy_model=spacy_model)


@recipe("spans.llm.fetch", group="annotation")
def spans_llm_fetch(
    spacy_model: SpacyModelArg,
    source: SourceArg,
    output: Annotated[Path, Arg(help="JSONL file to write (appended to; texts already in it are skipped)")],
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
) -> None:
    """Ask for span suggestions ahead of time and write spans_manual tasks to a JSONL file (resumable)."""
    _fetch("spans", source, output, label, description, backend, model, loader, spacy_model=spacy_model)


@recipe("textcat.llm.fetch", group="annotation")
def textcat_llm_fetch(
    source: SourceArg,
    output: Annotated[Path, Arg(help="JSONL file to write (appended to; texts already in it are skipped)")],
    label: LabelOpt = None,
    description: DescriptionOpt = None,
    exclusive: ExclusiveOpt = False,
    threshold: ThresholdOpt = 0.5,
    backend: BackendOpt = "openai",
    model: ModelOpt = None,
    loader: LoaderOpt = None,
) -> None:
    """Ask for categories ahead of time and write choice tasks to a JSONL file (resumable)."""
    _fetch("textcat", source, output, label, description, backend, model, loader,
           exclusive=exclusive, threshold=threshold)
