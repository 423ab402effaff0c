"""``spans.manual``: mark overlapping or nested spans by hand (for spaCy's SpanCategorizer)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

from ..core import Components
from ..registry import Arg, Opt, recipe
from .ner_manual import span_components


@recipe("spans.manual", group="annotation")
def spans_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to tokenize with (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Data to annotate (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Match patterns JSONL to pre-highlight spans")] = None,
    highlight_chars: Annotated[bool, Opt("--highlight-chars", "-C", help="Select characters, not whole tokens")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Mark spans by hand where they may overlap or nest.

    Like ner.manual, but spans are shown stacked and may share tokens; the
    answers train a span categorizer rather than an entity recognizer.
    """
    return span_components(
        view_id="spans_manual",
        dataset=dataset,
        spacy_model=spacy_model,
        source=source,
        label=label,
        patterns=patterns,
        highlight_chars=highlight_chars,
        loader=loader,
        exclude=exclude,
    )
