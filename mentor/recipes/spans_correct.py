"""``spans.correct``: fix a span categorizer's predictions by hand."""
from __future__ import annotations

from typing import Annotated, List, Optional

from ..core import Components
from ..loaders import get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string


@recipe("spans.correct", group="annotation")
def spans_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with a span categorizer (name or path)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to show (default: the model's)")] = None,
    update: Annotated[bool, Opt("--update", "-UP", help="Update the model with each batch of accepted answers")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Span categorizer component to use")] = None,
) -> Components:
    """Correct a span categorizer's spans (they may overlap); its predictions come pre-filled.

    Like ner.correct, for spaCy's spancat: spans may overlap and nest. The
    pipeline must already have a span categorizer; start with spans.manual.
    """
    from ..models.spancat import SpanCategorizer

    nlp = load_pipeline(spacy_model)
    model = SpanCategorizer(nlp, split_string(label) or None, component=component)
    stream = get_stream(source, loader=loader, rehash=True, dedup=True)

    def update_model(answers: List[Task]) -> Optional[float]:
        return model.update_corrections(answers)

    return Components(
        dataset=dataset,
        view_id="spans_manual",
        stream=model.annotate(stream),
        sources=[stream],
        update=update_model if update else None,
        exclude=split_string(exclude),
        config={"labels": model.labels, "exclude_by": "input"},
    )
