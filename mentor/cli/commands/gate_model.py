"""``mentor gate-model``: save a trained pipeline with a pattern gate after its text classifier."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from wasabi import msg

from ...registry import Arg, Opt, recipe
from ...tasks import split_string


@recipe("gate-model", group="utilities")
def gate_model(
    model: Annotated[str, Arg(help="Trained pipeline folder (or package) with a textcat")],
    output: Annotated[Path, Arg(help="Folder to save the gated pipeline to")],
    patterns: Annotated[Path, Opt("--patterns", "-pt", help="Patterns JSONL: the terms that must occur")],
    label: Annotated[str, Opt("--label", "-l", help="Comma-separated categories to gate")],
    case_sensitive: Annotated[bool, Opt("--case-sensitive", "-CS", help="Match phrase patterns on the exact text")] = False,
) -> None:
    """Keep categories only when a listed term occurs: add a pattern gate to a pipeline."""
    from ...models.gate import gate_saved_pipeline

    nlp, gate = gate_saved_pipeline(model, output, patterns, split_string(label), case_sensitive=case_sensitive)
    msg.good(
        f"Saved the gated pipeline to {output}: {', '.join(gate.labels)} is set to 0 unless one of "
        f"{len(gate.patterns)} patterns matches (pipeline: {', '.join(nlp.pipe_names)})"
    )
