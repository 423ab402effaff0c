"""``ner.model-annotate``, ``textcat.model-annotate``, ``spans.model-annotate``: a pipeline as one more annotator.

The pipeline runs over a source (``nlp.pipe``, a batch at a time) and its
predictions go straight into the dataset, with no server, as the answers of
the session ``DATASET-MODEL_ALIAS``: shaped like the answers of the manual
views (:mod:`mentor.models.annotator`), ``answer: accept``, with the
``_input_hash`` the manual recipes give the same text, so ``review`` and the
agreement metrics set the model beside the people who annotated it. Each
batch is stored in one transaction; a rerun skips the texts the alias has
already annotated in the dataset, so an interrupted run picks up where it
stopped. Bad source lines are skipped with a warning, as every recipe does.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Callable, Iterable, Iterator, List, Optional

from wasabi import msg

from ..config import load_settings
from ..core.keys import DIGEST_FIELD, KeySet, format_digest, stored_keys_of
from ..core.sessions import session_id_for
from ..db import connect, validate_dataset_name
from ..db.common import chunks
from ..loaders import get_stream
from ..predict.progress import progress_bar
from ..registry import Arg, Opt, recipe
from ..tasks import Task, input_digest, split_string, task_key

logger = logging.getLogger(__name__)

BATCH_SIZE = 64

DatasetArg = Annotated[str, Arg(help="Dataset to store the model's answers in (created if it doesn't exist)")]
SourceArg = Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")]
AliasArg = Annotated[str, Arg(help="Name the model answers as: its session is DATASET-MODEL_ALIAS")]
LabelsOpt = Annotated[Optional[str], Opt("--labels", "--label", "-l", help="Comma-separated labels to keep (default: all the component's)")]
LoaderOpt = Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")]
BatchOpt = Annotated[int, Opt("--batch-size", "-b", min=1, help="Texts a batch through the pipeline, stored in one transaction")]
SegmentOpt = Annotated[bool, Opt("--segment", "-S", help="Split texts into sentences first (off, as Prodigy's)")]


@dataclass
class AnnotateReport:
    """What one run did: answers stored, texts skipped and why."""

    stored: int = 0
    already: int = 0
    no_text: int = 0
    bad_lines: int = 0


def _answered(db: Any, dataset: str, session: str) -> KeySet:
    """Keys (by input) of the texts the session already answered in the dataset."""
    done = KeySet()
    if dataset in db:
        for record in db.get_dataset_examples(dataset, session=session):
            done.add_stored(*stored_keys_of(record, "input"))
    return done


def _as_answer(answer: Task, *, session: str, now: int) -> Task:
    """A prediction (:func:`~mentor.models.prediction.as_prediction`) as the session's accepted answer."""
    answer.setdefault("answer", "accept")
    answer["_session_id"] = answer["_annotator_id"] = session
    answer["_timestamp"] = now
    answer[DIGEST_FIELD] = format_digest(input_digest(answer))  # last: a server restart reads it from the end
    return answer


def _counted(tasks: Iterable[Task], advance: Callable[[int], None], report: AnnotateReport) -> Iterator[Task]:
    """The source's tasks with text, advancing the bar by each one read."""
    for task in tasks:
        advance(1)
        if not isinstance(task.get("text"), str):
            report.no_text += 1
            continue
        yield task


def annotate_source(
    dataset: str,
    model_alias: str,
    model: str,
    source: str,
    make_annotator: Callable[[Any], Any],
    *,
    loader: Optional[str],
    batch_size: int,
    segment: bool,
) -> AnnotateReport:
    """Run the pipeline over the source and store its answers in batches; return what was done.

    ``make_annotator(nlp)`` builds the :class:`~mentor.models.annotator.ModelAnnotator`
    (it raises when the pipeline lacks the component or the labels), before
    anything is read or stored.
    """
    from ..models.loading import load_pipeline
    from ..models.prediction import predict_tasks
    from ..preprocess import split_sentences

    validate_dataset_name(dataset)
    session = session_id_for(dataset, model_alias)
    nlp = load_pipeline(model)
    annotator = make_annotator(nlp)
    stream = get_stream(source, loader=loader, dedup=True)
    settings = load_settings()
    if settings.strict_sources:
        stream.validate()
    report = AnnotateReport()
    db = connect(settings=settings)
    try:
        done = _answered(db, dataset, session)
        db.add_dataset(dataset)
        db.add_dataset(session, session=True)
        with progress_bar(f"{model_alias} ({annotator.component})", stream.total) as advance:
            texts: Iterable[Task] = _counted(stream, advance, report)
            if segment:
                texts = split_sentences(nlp, texts)
            for batch in chunks(texts, batch_size):
                fresh: List[Task] = []
                for task in batch:
                    key = task_key(task, "input")
                    if key in done:
                        report.already += 1
                        continue
                    done.add(key)
                    fresh.append(task)
                if not fresh:
                    continue
                now = int(time.time())
                predicted = predict_tasks(nlp, fresh, annotator.fields, annotator.view_id, batch_size=batch_size)
                answers = [_as_answer(answer, session=session, now=now) for answer in predicted]
                report.stored += db.add_examples(answers, [dataset, session])
    finally:
        db.close()
    report.bad_lines = stream.skipped
    _summarise(report, dataset=dataset, session=session, source=source)
    return report


def _summarise(report: AnnotateReport, *, dataset: str, session: str, source: str) -> None:
    msg.good(f"Stored {report.stored} answers of '{session}' in '{dataset}'")
    if report.already:
        msg.info(f"Skipped {report.already} texts '{session}' had already annotated in '{dataset}'")
    if report.no_text:
        logger.warning("Skipped %d tasks of %s without a 'text' to annotate", report.no_text, source)
    if report.bad_lines:
        logger.warning("Skipped %d invalid lines of %s (warnings above name the first ones)", report.bad_lines, source)


@recipe("ner.model-annotate", group="annotation")
def ner_model_annotate(
    dataset: DatasetArg,
    model: Annotated[str, Arg(help="Pipeline with an entity recognizer (name or path)")],
    source: SourceArg,
    model_alias: AliasArg,
    labels: LabelsOpt = None,
    loader: LoaderOpt = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Entity recognizer to read (default: the first)")] = None,
    batch_size: BatchOpt = BATCH_SIZE,
    segment: SegmentOpt = False,
) -> None:
    """Store a pipeline's entities in a dataset as one more annotator's ner_manual answers.

    No browser: the model's entities are stored as accepted answers of the
    session DATASET-MODEL_ALIAS, so review and metric.iaa.span compare the
    model with people (or with another model). A rerun skips the texts the
    alias already annotated.
    """
    from ..models.annotator import entity_annotator

    make = partial(entity_annotator, labels=split_string(labels) or None, component=component)
    annotate_source(dataset, model_alias, model, source, make, loader=loader, batch_size=batch_size, segment=segment)


@recipe("spans.model-annotate", group="annotation")
def spans_model_annotate(
    dataset: DatasetArg,
    model: Annotated[str, Arg(help="Pipeline with a span categorizer (name or path)")],
    source: SourceArg,
    model_alias: AliasArg,
    labels: LabelsOpt = None,
    loader: LoaderOpt = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Span categorizer to read (default: the first)")] = None,
    batch_size: BatchOpt = BATCH_SIZE,
    segment: SegmentOpt = False,
) -> None:
    """Store a span categorizer's spans in a dataset as one more annotator's spans_manual answers.

    Like ner.model-annotate for spaCy's spancat: the spans of its spans_key,
    which may overlap, are stored as accepted answers of DATASET-MODEL_ALIAS.
    """
    from ..models.annotator import span_annotator

    make = partial(span_annotator, labels=split_string(labels) or None, component=component)
    annotate_source(dataset, model_alias, model, source, make, loader=loader, batch_size=batch_size, segment=segment)


@recipe("textcat.model-annotate", group="annotation")
def textcat_model_annotate(
    dataset: DatasetArg,
    model: Annotated[str, Arg(help="Pipeline with a text classifier (name or path)")],
    source: SourceArg,
    model_alias: AliasArg,
    labels: LabelsOpt = None,
    threshold: Annotated[float, Opt("--threshold", "-t", help="A multi-label classifier accepts labels scoring at least this")] = 0.5,
    loader: LoaderOpt = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Text classifier to read (default: the first)")] = None,
    batch_size: BatchOpt = BATCH_SIZE,
) -> None:
    """Store a text classifier's categories in a dataset as one more annotator's choice answers.

    The labels are the options and the model's picks the accept list: its
    top label for an exclusive classifier (textcat), every label scoring at
    least --threshold for a multi-label one. With one label each answer is
    accept or reject on it (view classification), as textcat.manual asks it.
    """
    from ..models.annotator import textcat_annotator

    make = partial(textcat_annotator, labels=split_string(labels) or None, component=component, threshold=threshold)
    annotate_source(dataset, model_alias, model, source, make, loader=loader, batch_size=batch_size, segment=False)
