"""``rel.manual``: mark spans and the labelled relations between them.

A relation joins a head and a child: ``{"head": i, "child": j, "label": L,
"head_span": {...}, "child_span": {...}}`` where ``i``/``j`` are token indices
(the last token of each span, as Prodigy stores them) and the spans carry
``start``/``end``/``token_start``/``token_end``/``label``. The tokens stay in
the stored answer, since the indices point into them.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Iterable, Iterator, Optional, Sequence

from ..core import Components
from ..core.answers import relation_problem
from ..errors import NeedsLabels
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, rehash_task, split_string
from .ner_manual import tokenized_stream

logger = logging.getLogger(__name__)


def checked_relations(stream: Iterable[Task]) -> Iterator[Task]:
    """Pass tasks whose pre-filled ``relations`` point at their tokens; warn about and skip the others."""
    for task in stream:
        relations = task.get("relations")
        if relations is not None:
            problems = [relation_problem(r, len(task["tokens"])) for r in relations] if isinstance(relations, list) else ["must be a list"]
            problem = next((p for p in problems if p), None)
            if problem:
                logger.warning("Skipped the task with input hash %s: its relations %s", task.get("_input_hash"), problem)
                continue
        yield task


def with_entities(stream: Iterable[Task], nlp: Any, labels: Sequence[str]) -> Iterator[Task]:
    """Pre-fill the spans of tasks that have none with the pipeline's entities (``labels`` only, when given)."""
    from ..preprocess import spans_to_dicts

    for task in stream:
        if not task.get("spans"):
            task["spans"] = spans_to_dicts(nlp(str(task["text"])).ents, labels=labels or None)
            task = rehash_task(task)
        yield task


@recipe("rel.manual", group="annotation")
def rel_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Data to annotate (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated relation label(s)")] = None,
    span_label: Annotated[Optional[str], Opt("--span-label", "-sl", help="Comma-separated span label(s)")] = None,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Match patterns JSONL to pre-highlight spans")] = None,
    wrap: Annotated[bool, Opt("--wrap", "-W", help="Wrap the text over several lines instead of one scrolling line")] = False,
    hide_arrow_heads: Annotated[bool, Opt("--hide-arrow-heads", "-HA", help="Draw the relations without arrow heads")] = False,
    add_ents: Annotated[bool, Opt("--add-ents", "-AE", help="Pre-fill spans with the pipeline's entities (and offer their labels)")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Mark spans and the labelled relations between them, by keyboard or mouse.

    Drag over tokens (or move the cursor with the arrow keys, Shift to extend,
    Enter) to make a span with the picked span label; click a span (or Enter
    on it) to pick the head, then the child: the relation gets the picked
    relation label. Without --span-label single tokens are the ends.
    """
    labels = split_string(label)
    if not labels:
        raise NeedsLabels("rel.manual needs relation labels: --label WORKS_FOR,LOCATED_IN")
    span_labels = split_string(span_label)
    nlp = load_pipeline(spacy_model)
    stream = tokenized_stream(nlp, source, patterns=patterns, highlight_chars=False, loader=loader)
    if add_ents:
        from ..models.annotator import entity_annotator

        known = entity_annotator(nlp).labels  # NoEntityRecognizer (one line) when the pipeline has none
        span_labels = span_labels or known
        stream = stream.apply(with_entities, nlp, span_labels)
    return Components(
        dataset=dataset,
        view_id="relations",
        stream=stream.apply(checked_relations),
        exclude=split_string(exclude),
        config={
            "labels": labels,
            "relations_span_labels": span_labels,
            "wrap_relations": wrap,
            "hide_relation_arrow": hide_arrow_heads,
            "exclude_by": "input",
        },
    )
