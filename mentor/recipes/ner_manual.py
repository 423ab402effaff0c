"""``ner.manual``: mark entity spans by hand, snapped to tokens.

The span recipes (this one and ``spans.manual``) share one stream builder,
:func:`span_components`, and differ only in the view: ``ner_manual`` keeps
spans apart, ``spans_manual`` lets them overlap.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Iterator, List, Optional, Tuple

from ..core import Components
from ..errors import InputError
from ..loaders import Stream, get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, rehash_task, split_string


def strip_token_info(answers: List[Task]) -> List[Task]:
    """Drop character tokens and token indices before storing: they only served the UI."""
    for answer in answers:
        answer.pop("tokens", None)
        for span in answer.get("spans") or []:
            span.pop("token_start", None)
            span.pop("token_end", None)
    return answers


def _tasks_only(scored: Iterator[Tuple[float, Task]]) -> Iterator[Task]:
    for _score, task in scored:
        yield task


def _rehashed(stream: Iterator[Task]) -> Iterator[Task]:
    for task in stream:
        yield rehash_task(task)


def tokenized_stream(
    nlp: Any, source: str, *, patterns: Optional[Path], highlight_chars: bool, loader: Optional[str]
) -> Stream:
    """A source's tasks with tokens, pattern matches pre-highlighted as spans, rehashed.

    Every example is kept (matches or not): the manual views show them all.
    """
    from ..preprocess import add_tokens  # spaCy loads when a recipe runs, not when the command line starts

    stream = get_stream(source, loader=loader, dedup=True)
    if patterns is not None:
        from ..models.matcher import PatternMatcher

        if not Path(patterns).is_file():
            raise InputError(f"Can't find the patterns file '{patterns}'")
        matcher = PatternMatcher(
            nlp, Path(patterns), label_span=True, label_task=False, combine_matches=True, all_examples=True
        )
        stream = stream.apply(lambda tasks: _tasks_only(matcher(tasks)))
    return stream.apply(lambda tasks: add_tokens(nlp, tasks, use_chars=highlight_chars)).apply(_rehashed)


def span_components(
    *,
    view_id: str,
    dataset: str,
    spacy_model: str,
    source: str,
    label: Optional[str],
    patterns: Optional[Path],
    highlight_chars: bool,
    loader: Optional[str],
    exclude: Optional[str],
) -> Components:
    """Tokenize a source (and pre-highlight pattern matches) for a manual span view."""
    nlp = load_pipeline(spacy_model)
    labels = split_string(label)
    if not labels and "ner" in nlp.pipe_names:
        labels = [str(name) for name in nlp.get_pipe("ner").labels]
    if not labels:
        raise InputError(f"{view_id.replace('_', '.')} needs labels: --label PERSON,ORG")
    stream = tokenized_stream(nlp, source, patterns=patterns, highlight_chars=highlight_chars, loader=loader)
    config = {
        "labels": labels,
        "exclude_by": "input",
        "ner_manual_highlight_chars": highlight_chars,
    }
    return Components(
        dataset=dataset,
        view_id=view_id,
        stream=stream,
        exclude=split_string(exclude),
        before_db=strip_token_info if highlight_chars else None,
        config=config,
    )


@recipe("ner.manual", group="annotation")
def ner_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Data to annotate (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Match patterns JSONL to pre-highlight spans")] = None,
    highlight_chars: Annotated[bool, Opt("--highlight-chars", "-C", help="Select characters, not whole tokens")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Mark entity spans by hand; the model only tokenizes.

    Every text is shown, in order; drag or click tokens to make a span, click
    a span to remove it. Spans never overlap (use spans.manual for that).
    --patterns pre-highlights matches for you to keep or remove.
    """
    return span_components(
        view_id="ner_manual",
        dataset=dataset,
        spacy_model=spacy_model,
        source=source,
        label=label,
        patterns=patterns,
        highlight_chars=highlight_chars,
        loader=loader,
        exclude=exclude,
    )
