"""``mentor evaluate``: score a trained pipeline on datasets, per label."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Dict, List

from wasabi import msg

from ...errors import InputError
from ...registry import Arg, recipe
from .train import (
    BinaryOpt,
    NerOpt,
    ParserOpt,
    SenterOpt,
    SpancatOpt,
    TaggerOpt,
    TextcatMultiOpt,
    TextcatOpt,
    component_specs,
    load_merged,
)

if TYPE_CHECKING:  # spaCy loads when a command runs, not when the command line starts
    from ...training.evaluate import ComponentScores


def print_confusion(result: ComponentScores) -> None:
    if not result.confusion:
        return
    if result.component == "textcat":
        labels = sorted(set(result.confusion) | {p for row in result.confusion.values() for p in row})
        msg.text("Confusion matrix (rows: gold label, columns: predicted label):")
        rows = [[gold] + [result.confusion.get(gold, {}).get(p, 0) for p in labels] for gold in labels]
        msg.table(rows, header=["gold \\ predicted"] + labels, divider=True)
    else:
        msg.text("Confusion per label (threshold 0.5):")
        rows = [[label, c["tp"], c["fp"], c["fn"], c["tn"]] for label, c in sorted(result.confusion.items())]
        msg.table(rows, header=["Label", "TP", "FP", "FN", "TN"], divider=True)


@recipe("evaluate", group="training")
def evaluate(
    model: Annotated[str, Arg(help="Trained pipeline to evaluate (a folder such as OUT/model-best, or a package)")],
    ner: NerOpt = None,
    textcat: TextcatOpt = None,
    textcat_multilabel: TextcatMultiOpt = None,
    spancat: SpancatOpt = None,
    tagger: TaggerOpt = None,
    parser: ParserOpt = None,
    senter: SenterOpt = None,
    binary: BinaryOpt = False,
) -> None:
    """Evaluate a pipeline on datasets: precision, recall and F per label.

    Every answer of the given datasets is used (merged per text as for training;
    the eval: prefix is optional here). Text classification also gets a
    confusion matrix; tags, arcs and sentence starts an accuracy over the
    tokens the answers annotate (for arcs: head and label right).
    """
    from ...models.loading import load_pipeline
    from ...training.evaluate import evaluate as run_evaluation
    from ...training.evaluate import pipe_names_missing, scores_table
    from ...training.specs import ComponentSpec

    specs = component_specs(ner, textcat, textcat_multilabel, spancat, tagger=tagger, parser=parser, senter=senter)
    # everything is evaluation data here: fold eval: sets into the list
    specs = [ComponentSpec(s.component, train=s.datasets) for s in specs]
    nlp = load_pipeline(model)
    missing = pipe_names_missing(nlp, [s.component for s in specs])
    if missing:
        raise InputError(
            f"Pipeline '{model}' has no component {', '.join(missing)} (it has: {', '.join(nlp.pipe_names) or 'none'})"
        )
    merged = load_merged(specs, eval_split=0.0, binary=binary, require_dev=False, check_labels=False)
    docs = merged.to_docs(nlp, "train")
    by_component: Dict[str, List] = {s.component: [d for d, e in zip(docs, merged.train) if s.component in e] for s in specs}
    results = run_evaluation(nlp, by_component)
    for component, result in results.items():
        report = merged.reports[component]
        msg.divider(f"{component}: {result.examples} texts from {', '.join(dict.fromkeys(next(s for s in specs if s.component == component).train))}")
        if report.skipped:
            msg.text("Not used: " + ", ".join(f"{n} {reason}" for reason, n in report.skipped.most_common()))
        header, rows = scores_table(result)
        msg.table(rows, header=header, divider=True, aligns=("l", "r", "r", "r", "r"))
        if result.accuracy is not None:
            msg.text(f"{result.accuracy_name}: {result.accuracy * 100:.2f}")
        print_confusion(result)
