"""``ner.teach`` and ``ner.correct``: an entity recognizer in the loop."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Iterable, List, Optional

from ..core import Components
from ..loaders import get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..sorters import NER_RESCORE_LIMIT, prefer_uncertain
from ..tasks import Task, split_string


@recipe("ner.teach", group="annotation")
def ner_teach(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to load (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated entity label(s) (default: the model's)")] = None,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Match patterns JSONL to bootstrap the model")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
    unsegmented: Annotated[bool, Opt("--unsegmented", "-U", help="Don't split texts into sentences")] = False,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Entity recognizer component to use or add")] = None,
) -> Components:
    """Accept or reject the entity the model is least sure about; the model learns as you go.

    Each question is one span the beam search proposed, with its probability.
    Pick it over ner.manual to improve an existing model on your data, or with
    --patterns to start one from a list of terms; use ner.correct when you
    want complete annotations for training instead of yes/no ones.
    """
    from ..models.combine import combine_models, matcher_for_labels
    from ..models.ner import EntityRecognizer
    from ..preprocess import split_sentences

    nlp = load_pipeline(spacy_model)
    recognizer = EntityRecognizer(nlp, split_string(label) or None, component=component)
    model = recognizer if patterns is None else combine_models(
        recognizer,
        matcher_for_labels(nlp, patterns, recognizer.labels, label_span=True, label_task=False, combine_matches=False),
    )
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    stream: Iterable[Task] = lines
    if not unsegmented:
        stream = split_sentences(nlp, stream)
    # re-scoring a span re-parses its sentence with the beam: refresh fewer per update than textcat
    questions = prefer_uncertain(model(stream), rescorer=model.score_tasks, rescore_limit=NER_RESCORE_LIMIT)

    def update(answers: List[Task]) -> Optional[float]:
        loss = model.update(answers)
        questions.rescore()
        return loss

    return Components(
        dataset=dataset,
        view_id="ner",
        stream=questions,
        sources=[lines],
        update=update,
        exclude=split_string(exclude),
        config={"labels": recognizer.labels, "batch_size": 10, "exclude_by": "task"},
    )


@recipe("ner.correct", group="annotation")
def ner_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with an entity recognizer (name or path)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to show (default: the model's)")] = None,
    update: Annotated[bool, Opt("--update", "-UP", help="Update the model with each batch of accepted answers")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
    unsegmented: Annotated[bool, Opt("--unsegmented", "-U", help="Don't split texts into sentences")] = False,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Entity recognizer component to use")] = None,
) -> Components:
    """Correct the model's entities by hand: its predictions come pre-highlighted.

    Faster than ner.manual when the model is already decent: fix what it got
    wrong and accept. The answers are complete annotations, ready for training;
    with --update the model learns from each accepted batch as you go.
    """
    from ..models.ner import EntityRecognizer
    from ..preprocess import split_sentences

    nlp = load_pipeline(spacy_model)
    model = EntityRecognizer(nlp, split_string(label) or None, component=component)
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    stream: Iterable[Task] = lines
    if not unsegmented:
        stream = split_sentences(nlp, stream)

    def update_model(answers: List[Task]) -> Optional[float]:
        return model.update_corrections(answers)

    return Components(
        dataset=dataset,
        view_id="ner_manual",
        stream=model.annotate(stream),
        sources=[lines],
        update=update_model if update else None,
        exclude=split_string(exclude),
        config={"labels": model.labels, "exclude_by": "input"},
    )
