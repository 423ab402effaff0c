"""A pipeline's tags, dependency arcs and sentence starts as tasks to correct.

``pos.correct``, ``dep.correct`` and ``sent.correct`` show what a pipeline
predicts for each token in the shape Prodigy uses, so the answers train with
``mentor train --tagger/--parser/--senter`` (``training/syntax.py`` reads
them back):

* tags: one-token ``spans`` whose label is the tag (``pos_manual`` view);
* arcs: ``relations`` ``{head, child, label, head_span, child_span}`` between
  single tokens (``relations`` view); the root's self-arc is not shown;
* sentence starts: one-token ``spans`` labelled ``S`` (``pos_manual`` view).

A task that already has ``tokens`` keeps them: the pipeline runs on a Doc
built from them, so token indices stay those the source gave.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..preprocess import doc_to_tokens
from ..tasks import Task, rehash_task
from .annotator import LabelsNotInModel, MissingComponent, pick_labels

__all__ = [
    "NoTagger",
    "NoParser",
    "NoSentenceSetter",
    "UnknownLabels",
    "shown_labels",
    "SENT_START_LABEL",
    "tagger_of",
    "parser_of",
    "sentence_setter_of",
    "tag_tasks",
    "arc_tasks",
    "sentence_tasks",
]

# M260-M269 are the syntax recipes'
TAGGER_FACTORIES = ("tagger", "morphologizer")
PARSER_FACTORIES = ("parser", "beam_parser")
SENTENCE_FACTORIES = ("senter", "parser", "beam_parser", "sentencizer")
SENT_START_LABEL = "S"
BATCH_SIZE = 32


class NoTagger(MissingComponent):
    """No component predicts part-of-speech tags (tagger, morphologizer)."""

    code = "M260"
    what, factory, train = "a tagger", "tagger or morphologizer", "--tagger"


class NoParser(MissingComponent):
    """No dependency parser."""

    code = "M261"
    what, factory, train = "a dependency parser", "parser", "--parser"


class NoSentenceSetter(MissingComponent):
    """No component sets sentence boundaries."""

    code = "M262"
    what, factory, train = "a component that sets sentences", "senter, parser or sentencizer", "--senter"


class UnknownLabels(LabelsNotInModel):
    """--label names tags or dependency labels the component doesn't predict."""

    code = "M263"


def shown_labels(requested: Sequence[str], known: Sequence[str], component: str) -> List[str]:
    """The labels a recipe offers: those of --label, each one the component knows; else all it knows."""
    if not known:  # a sentencizer has no labels to check against
        return list(requested)
    return pick_labels(requested, known, component, error=UnknownLabels)


def _find(nlp: Language, factories: Sequence[str], component: Optional[str], error: type) -> str:
    names = list(nlp.pipe_names)
    if component is not None:
        if component not in names:
            raise error(component, names)
        return component
    for factory in factories:  # the order of ``factories`` is the order of preference
        for name in names:
            if nlp.get_pipe_meta(name).factory == factory:
                return name
    raise error(None, names)


def tagger_of(nlp: Language, component: Optional[str] = None) -> Tuple[str, str, List[str]]:
    """The tagging component, the token attribute it sets (``tag_`` or ``pos_``) and its labels."""
    name = _find(nlp, TAGGER_FACTORIES, component, NoTagger)
    pipe = nlp.get_pipe(name)
    if nlp.get_pipe_meta(name).factory == "morphologizer":
        # a morphologizer's labels are feature strings, POS=NOUN among them
        upos = {
            field.split("=", 1)[1]
            for label in pipe.labels for field in str(label).split("|") if field.startswith("POS=")
        }
        return name, "pos_", sorted(upos)
    return name, "tag_", [str(label) for label in pipe.labels]


def parser_of(nlp: Language, component: Optional[str] = None) -> Tuple[str, List[str]]:
    """The parser and its dependency labels (ROOT left out: the root has no arc to draw)."""
    name = _find(nlp, PARSER_FACTORIES, component, NoParser)
    return name, [str(label) for label in nlp.get_pipe(name).labels if str(label) != "ROOT"]


def sentence_setter_of(nlp: Language, component: Optional[str] = None) -> str:
    return _find(nlp, SENTENCE_FACTORIES, component, NoSentenceSetter)


def _doc_for(nlp: Language, task: Task) -> Doc:
    """The task's own tokens as a Doc when they spell out its text; else the tokenizer's."""
    text = str(task.get("text", ""))
    tokens = task.get("tokens")
    if isinstance(tokens, list) and tokens and all(isinstance(t, dict) for t in tokens):
        words = [str(t.get("text", "")) for t in tokens]
        spaces = [bool(t.get("ws")) for t in tokens]
        if all(words) and "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text:
            return Doc(nlp.vocab, words=words, spaces=spaces)
    return nlp.make_doc(text)


def _annotated(nlp: Language, stream: Iterable[Task], disable: Sequence[str]) -> Iterator[Tuple[Doc, Task]]:
    """Each task with the pipeline's Doc of it, in batches (components in ``disable`` don't run)."""
    pairs = ((_doc_for(nlp, task), task) for task in stream)
    yield from nlp.pipe(pairs, as_tuples=True, batch_size=BATCH_SIZE, disable=list(disable))


def _token_span(doc: Doc, i: int, label: Optional[str] = None) -> Dict[str, Any]:
    token = doc[i]
    span: Dict[str, Any] = {"start": token.idx, "end": token.idx + len(token.text), "token_start": i, "token_end": i}
    if label is not None:
        span["label"] = label
    return span


def _unused(nlp: Language, keep: Sequence[str]) -> List[str]:
    """Components that needn't run to get ``keep``'s predictions (entity recognizers, classifiers)."""
    wanted = set(keep) | {"tok2vec", "transformer"}
    # a component may listen to another's embeddings or need its output (lemmatizer after tagger): keep
    # everything before the last wanted one, drop the rest
    names = list(nlp.pipe_names)
    last = max(names.index(name) for name in keep)
    return [name for name in names[last + 1:] if name not in wanted]


def tag_tasks(
    nlp: Language, stream: Iterable[Task], component: str, attr: str, labels: Optional[Sequence[str]] = None
) -> Iterator[Task]:
    """Tasks with tokens and one span a token, labelled with its predicted tag (``labels`` only, if given)."""
    wanted = set(labels) if labels else None
    for doc, task in _annotated(nlp, stream, _unused(nlp, [component])):
        task["tokens"] = doc_to_tokens(doc)
        task["spans"] = [
            _token_span(doc, t.i, getattr(t, attr))
            for t in doc if getattr(t, attr) and (wanted is None or getattr(t, attr) in wanted)
        ]
        yield rehash_task(task)


def arc_tasks(
    nlp: Language, stream: Iterable[Task], component: str, labels: Optional[Sequence[str]] = None
) -> Iterator[Task]:
    """Tasks with tokens and the parser's arcs as relations (``labels`` only, if given)."""
    wanted = set(labels) if labels else None
    for doc, task in _annotated(nlp, stream, _unused(nlp, [component])):
        task["tokens"] = doc_to_tokens(doc)
        task["relations"] = [
            {
                "head": t.head.i,
                "child": t.i,
                "label": t.dep_,
                "head_span": _token_span(doc, t.head.i),
                "child_span": _token_span(doc, t.i),
            }
            for t in doc
            if t.head.i != t.i and t.dep_ and (wanted is None or t.dep_ in wanted)
        ]
        yield rehash_task(task)


def sentence_tasks(nlp: Language, stream: Iterable[Task], component: str) -> Iterator[Task]:
    """Tasks with tokens and an ``S`` span on every token that starts a sentence."""
    for doc, task in _annotated(nlp, stream, _unused(nlp, [component])):
        task["tokens"] = doc_to_tokens(doc)
        task["spans"] = [_token_span(doc, sent.start, SENT_START_LABEL) for sent in doc.sents]
        yield rehash_task(task)


def update_component(nlp: Language, component: str, references: Sequence[Doc]) -> Optional[float]:
    """One update of ``component`` on corrected Docs (``dep.correct --update``); its loss, or None."""
    from spacy.training import Example

    if not references:
        return None
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in references]
    losses: Dict[str, float] = {}
    nlp.update(examples, losses=losses, exclude=[n for n in nlp.pipe_names if n != component])
    loss = losses.get(component)
    return None if loss is None else float(loss)
