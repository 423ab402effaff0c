"""``textcat.eval``: judge a text classifier's decisions yes/no, and score it on exit.

Each text is asked once per label: "does LABEL apply?", with the model's
score shown. The task keeps what the model decided (``predicted``), so the
answers are an evaluation set and a verdict at once: on exit the model's
decisions are scored against every accept/reject stored in the dataset
(ignored answers don't count).
"""
from __future__ import annotations

from typing import Annotated, Counter, Dict, Iterable, Iterator, Optional

from wasabi import msg

from ..core import Components
from ..errors import NeedsLabels
from ..loaders import get_stream
from ..registry import Arg, Opt, recipe
from ..tasks import Task, rehash_task, split_string
from .compare import dataset_report


def eval_counts(answers: Iterable[Task]) -> Dict[str, Counter[str]]:
    """Per label: tp/fp/fn/tn of the model's ``predicted`` against the accept/reject answers."""
    counts: Dict[str, Counter[str]] = {}
    for answer in answers:
        verdict, predicted = answer.get("answer"), answer.get("predicted")
        if verdict not in ("accept", "reject") or not isinstance(predicted, bool):
            continue
        gold = verdict == "accept"
        cell = ("t" if predicted == gold else "f") + ("p" if predicted else "n")
        counts.setdefault(str(answer.get("label")), Counter())[cell] += 1
    return counts


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def print_eval_table(counts: Dict[str, Counter[str]]) -> None:
    """Accuracy, precision, recall and F1 per label, from eval_counts."""
    rows = []
    for label, c in sorted(counts.items()):
        tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        rows.append((label, tp + fp + fn + tn, tp, fp, fn, tn,
                     _ratio(tp + tn, tp + fp + fn + tn), _ratio(tp, tp + fp), _ratio(tp, tp + fn), f1))
    msg.table(rows, header=("label", "n", "TP", "FP", "FN", "TN", "accuracy", "precision", "recall", "F1"),
              aligns=("l",) + ("r",) * 9, divider=True)


@recipe("textcat.eval", group="annotation")
def textcat_eval(
    dataset: Annotated[str, Arg(help="Dataset to save the judgements to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with a text classifier (name or path)")],
    source: Annotated[str, Arg(help="Texts to evaluate on (file path or '-' for stdin)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s) to evaluate")] = None,
    threshold: Annotated[float, Opt("--threshold", "-t", help="Score from which a multi-label classifier says yes")] = 0.5,
    component: Annotated[Optional[str], Opt("--component", "-c", help="The text classifier's name in the pipeline")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Evaluate a text classifier: accept or reject each label on each text, scores printed on exit.

    The model's score is shown with every question; its yes/no decision is
    kept in the task. Stop the server to see accuracy, precision, recall and
    F1 per label over everything answered in the dataset.
    """
    from ..models.annotator import textcat_annotator
    from ..models.loading import load_pipeline

    labels = split_string(label)
    if not labels:
        raise NeedsLabels("textcat.eval needs the label(s) to evaluate: --label POSITIVE")
    nlp = load_pipeline(spacy_model)
    judges = {name: textcat_annotator(nlp, [name], component=component, threshold=threshold) for name in labels}

    def ask(tasks: Iterable[Task]) -> Iterator[Task]:
        for task in tasks:
            doc = nlp(str(task["text"]))
            for name, judge in judges.items():
                score = float(doc.cats.get(name, 0.0))
                question = {**task, "label": name, "score": round(score, 4), "predicted": judge.fields(doc)["answer"] == "accept"}
                question["meta"] = {**(task.get("meta") or {}), "score": round(score, 3)}
                yield rehash_task(question)

    return Components(
        dataset=dataset,
        view_id="classification",
        stream=get_stream(source, loader=loader, dedup=True).apply(ask),
        on_exit=dataset_report(dataset, f"{spacy_model} against the answers in '{dataset}'",
                               lambda answers: print_eval_table(eval_counts(answers))),
        exclude=split_string(exclude),
        config={"labels": labels},
    )
