"""``pos.correct``, ``dep.correct``, ``sent.correct``: fix a pipeline's tags, arcs and sentence starts.

Prodigy's recipes of the same names and flags. Each pre-fills every token
from the pipeline (``models/syntax.py``) and stores what the person accepted
in Prodigy's shapes: tags and sentence starts as one-token ``spans`` (the
``pos_manual`` view), arcs as ``relations`` (the ``relations`` view that
``rel.manual`` uses, with single tokens as the ends). ``mentor train
--tagger/--parser/--senter`` trains on the answers.
"""
from __future__ import annotations

from typing import Annotated, List, Optional

from ..core import Components
from ..loaders import Stream, get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string

LoaderOpt = Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")]
ExcludeOpt = Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")]
UnsegmentedOpt = Annotated[bool, Opt("--unsegmented", "-U", help="Don't split texts into sentences")]
ComponentOpt = Annotated[Optional[str], Opt("--component", "-c", help="The pipeline component to read (default: the first of its kind)")]


def _sentences(nlp, lines: Stream, unsegmented: bool) -> Stream:  # type: ignore[no-untyped-def]
    """The source's texts, a task a sentence unless --unsegmented."""
    from ..preprocess import split_sentences

    return lines if unsegmented else lines.apply(lambda tasks: split_sentences(nlp, tasks))


@recipe("pos.correct", group="annotation")
def pos_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with a tagger or morphologizer (name or path)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated tags to show and correct (default: all the model's)")] = None,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
    unsegmented: UnsegmentedOpt = False,
    component: ComponentOpt = None,
) -> Components:
    """Correct the part-of-speech tags a pipeline predicts, token by token.

    Every token comes tagged by the model; move with ←/→, pick a tag with its
    key and press Enter (or click the token) to set it; D clears it. A tagger
    gives fine-grained tags (token.tag_), a morphologizer coarse ones
    (token.pos_). Train with: mentor train OUT --tagger DATASET.
    """
    from ..models.syntax import shown_labels, tag_tasks, tagger_of

    nlp = load_pipeline(spacy_model)
    name, attr, known = tagger_of(nlp, component)
    labels = shown_labels(split_string(label), known, name)
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    stream = _sentences(nlp, lines, unsegmented)
    return Components(
        dataset=dataset,
        view_id="pos_manual",
        stream=stream.apply(lambda tasks: tag_tasks(nlp, tasks, name, attr, labels if label else None)),
        sources=[lines],
        exclude=split_string(exclude),
        config={"labels": labels, "exclude_by": "input"},
    )


@recipe("dep.correct", group="annotation")
def dep_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with a dependency parser (name or path)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated dependency labels to show and correct (default: all the model's)")] = None,
    update: Annotated[bool, Opt("--update", "-UP", help="Update the parser with each batch of accepted answers")] = False,
    wrap: Annotated[bool, Opt("--wrap", "-W", help="Wrap the text over several lines instead of one scrolling line")] = False,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
    unsegmented: UnsegmentedOpt = False,
    component: ComponentOpt = None,
) -> Components:
    """Correct the dependency arcs a pipeline predicts.

    The parser's arcs come drawn over the tokens. Move with ←/→ and press
    Enter on the head, then on the child: the arc gets the picked label (the
    same arc again removes it); D removes the arcs of the token under the
    cursor. With --label only arcs with those labels are shown and trained.
    Train with: mentor train OUT --parser DATASET.
    """
    from ..models.syntax import arc_tasks, parser_of, shown_labels

    nlp = load_pipeline(spacy_model)
    name, known = parser_of(nlp, component)
    labels = shown_labels(split_string(label), known, name)
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    stream = _sentences(nlp, lines, unsegmented)

    def update_model(answers: List[Task]) -> Optional[float]:
        return _update_parser(nlp, name, answers)

    return Components(
        dataset=dataset,
        view_id="relations",
        stream=stream.apply(lambda tasks: arc_tasks(nlp, tasks, name, labels if label else None)),
        sources=[lines],
        update=update_model if update else None,
        exclude=split_string(exclude),
        config={
            "labels": labels,
            "relations_span_labels": [],
            "wrap_relations": wrap,
            "exclude_by": "input",
        },
    )


def _update_parser(nlp, component: str, answers: List[Task]) -> Optional[float]:  # type: ignore[no-untyped-def]
    """The parser learns from accepted answers, read as ``mentor train --parser`` reads them."""
    from spacy.tokens import Doc

    from ..models.syntax import update_component
    from ..training.docs import doc_from_tokens
    from ..training.syntax import Unusable, arcs_of

    references = []
    for answer in answers:
        if answer.get("answer") != "accept":
            continue
        try:
            heads, deps = arcs_of(answer)
        except Unusable:
            continue
        doc = doc_from_tokens(nlp.vocab, str(answer.get("text", "")), answer["tokens"])
        if doc is not None and len(doc) == len(heads):
            words, spaces = [t.text for t in doc], [bool(t.whitespace_) for t in doc]
            references.append(Doc(nlp.vocab, words=words, spaces=spaces, heads=heads, deps=deps))
    return update_component(nlp, component, references)


@recipe("sent.correct", group="annotation")
def sent_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline that sets sentences: senter, parser or sentencizer (name or path)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
    component: ComponentOpt = None,
) -> Components:
    """Correct where a pipeline starts sentences, token by token.

    Each token that starts a sentence is marked S. Move with ←/→ and press
    Enter (or click a token) to mark or unmark it. Texts are shown whole.
    Train with: mentor train OUT --senter DATASET.
    """
    from ..models.syntax import SENT_START_LABEL, sentence_setter_of, sentence_tasks

    nlp = load_pipeline(spacy_model)
    name = sentence_setter_of(nlp, component)
    lines = get_stream(source, loader=loader, rehash=True, dedup=True)
    return Components(
        dataset=dataset,
        view_id="pos_manual",
        stream=lines.apply(lambda tasks: sentence_tasks(nlp, tasks, name)),
        sources=[lines],
        exclude=split_string(exclude),
        config={"labels": [SENT_START_LABEL], "exclude_by": "input"},
    )
