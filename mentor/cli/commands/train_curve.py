"""``mentor train-curve``: train on 25/50/75/100 % of the data to see if more would help."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, List, Optional, Sequence

import typer
from wasabi import msg

from .. import messages
from ...registry import Opt, recipe
from .train import (
    OVERRIDES_CONTEXT,
    BaseModelOpt,
    BinaryOpt,
    EvalSplitOpt,
    NerOpt,
    ParserOpt,
    SeedOpt,
    SenterOpt,
    SpancatOpt,
    TaggerOpt,
    TextcatMultiOpt,
    TextcatOpt,
    component_specs,
    load_merged,
    pipeline_config,
    print_data_summary,
    spacy_overrides,
)

UP, DOWN = "▲", "▼"
MORE_DATA_HELPS = "Accuracy improved in the last sample: more data will likely help."
MORE_DATA_FLAT = (
    "Accuracy didn't improve in the last sample: more data of the same kind may not help much; "
    "check the annotations, the labels, or annotate the cases the model gets wrong."
)


def marker(score: Optional[float], previous: Optional[float]) -> str:
    """▲ when the score rose from the previous step, ▼ when it fell, blank otherwise."""
    if score is None or previous is None:
        return ""
    if score > previous:
        return UP
    if score < previous:
        return DOWN
    return ""


def advice(totals: Sequence[Optional[float]]) -> str:
    if len(totals) >= 2 and totals[-1] is not None and totals[-2] is not None and totals[-1] > totals[-2]:
        return MORE_DATA_HELPS
    return MORE_DATA_FLAT


@recipe("train-curve", group="training")
def train_curve(
    ctx: typer.Context,
    ner: NerOpt = None,
    textcat: TextcatOpt = None,
    textcat_multilabel: TextcatMultiOpt = None,
    spancat: SpancatOpt = None,
    tagger: TaggerOpt = None,
    parser: ParserOpt = None,
    senter: SenterOpt = None,
    eval_split: EvalSplitOpt = 0.2,
    base_model: BaseModelOpt = "blank:en",
    config: Annotated[Optional[Path], Opt("--config", "-c", help="Your own spaCy config.cfg; its \\[corpora] are pointed at the datasets")] = None,
    gpu_id: Annotated[int, Opt("--gpu-id", "-g", help="GPU to train on; -1 for the CPU")] = -1,
    n_samples: Annotated[int, Opt("--n-samples", "-ns", help="Number of steps: 4 trains on 25, 50, 75 and 100 % of the training data")] = 4,
    show_plot: Annotated[bool, Opt("--show-plot", "-P", help="Draw the curve in the terminal")] = False,
    seed: SeedOpt = 0,
    binary: BinaryOpt = False,
) -> None:
    """Train on growing shares of the data and show whether the score is still rising.

    Every step is evaluated on the same eval data. A rise in the last step means
    more annotations will likely help. spaCy overrides (--training.max_epochs 5)
    apply to every step.
    """
    from ...training.curve import fractions, train_curve as run_curve
    from ...training.pipeline_config import use_reader

    specs = component_specs(ner, textcat, textcat_multilabel, spancat, tagger=tagger, parser=parser, senter=senter)
    components = [s.component for s in specs]
    overrides = spacy_overrides(ctx)
    merged = load_merged(specs, eval_split=eval_split, seed=seed, binary=binary)
    print_data_summary(merged)
    base = pipeline_config(specs, merged, config=config, base_model=base_model, seed=seed)
    cfg = use_reader(base, specs, eval_split=eval_split, seed=seed, binary=binary, balance=merged.binary_cats)
    msg.divider("Training curve")
    header = ["%", "Texts"] + [f"{c}" for c in components]
    msg.row(header, widths=[5, 8] + [18] * len(components))
    msg.row(["-" * 5, "-" * 8] + ["-" * 18] * len(components), widths=[5, 8] + [18] * len(components))
    history: List[dict] = []
    with tempfile.TemporaryDirectory(prefix="mentor-curve-") as tmp:
        counts = {c: merged.counts[c].train for c in components}
        for step in run_curve(cfg, components, counts, Path(tmp), n_samples=n_samples, overrides=overrides, use_gpu=gpu_id):
            previous = history[-1] if history else {}
            cells = []
            for c in components:
                score = step.scores.get(c)
                text = "n/a" if score is None else f"{score:.2f} {marker(score, previous.get(c))}"
                cells.append(text)
            n_texts = max(step.n_train.values())
            msg.row([f"{round(step.fraction * 100)}%", n_texts] + cells, widths=[5, 8] + [18] * len(components))
            history.append(step.scores)
    totals = [_mean(h.values()) for h in history]
    msg.text("")
    if advice(totals) == MORE_DATA_HELPS:
        msg.good(MORE_DATA_HELPS)
    else:
        messages.warn(MORE_DATA_FLAT)
    if show_plot:
        plot_curve(fractions(n_samples), history, components)


def _mean(values) -> Optional[float]:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def plot_curve(shares: Sequence[float], history: Sequence[dict], components: Sequence[str]) -> None:
    """Draw the curve with plotext (its 5.x module API or its 6.x figure API)."""
    import plotext as plt

    xs = [round(s * 100) for s in shares]
    title = "Score by % of the training data"
    if hasattr(plt, "plot"):  # plotext 5
        plt.clear_figure()
        for c in components:
            plt.plot(xs, [h.get(c) or 0.0 for h in history], label=c, marker="dot")
        plt.title(title)
        plt.plotsize(70, 18)
        plt.show()
        return
    figure = plt.figure
    figure.clear()
    for c in components:
        signal = figure.signal(xs, [h.get(c) or 0.0 for h in history], marker="dot")
        signal.label(c)
        signal.lines()
        figure.draw(signal)
    figure.title(title)
    figure.plot_size(70, 18)
    figure.show()


train_curve.context_settings = OVERRIDES_CONTEXT  # type: ignore[attr-defined]
