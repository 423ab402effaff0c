"""``mentor metric.iaa.doc|span|binary``: how much the annotators of a dataset agree."""
from __future__ import annotations

import json
from typing import Annotated, Any, Callable, Dict, Iterable, List, Optional, Set

from wasabi import msg

from ...config import load_settings
from ...core.sessions import bare_name
from ...db import Database, connect
from ...errors import InvalidChoice
from ...metrics.errors import UnknownAnnotator
from ...metrics.iaa import DOC_MODES, Report, Scores, binary_agreement, doc_agreement, span_agreement
from ...registry import Arg, Opt, recipe
from ...tasks import Task, split_string

LEFT_OUT = {
    "single_annotator_items": "items one annotator answered",
    "no_annotator": "answers without a _session_id",
    "not_accepted": "rejected or ignored answers",
    "ignored": "ignored answers",
    "no_answer": "answers that are neither accept nor reject",
    "no_choice": "accepted answers with no option chosen",
    "other_labels": "answers on labels not in --labels",
    "superseded": "earlier answers an annotator gave again",
}

AnnotatorsOpt = Annotated[
    Optional[str], Opt("--annotators", "-a", help="Only these annotators, comma-separated (session names)")
]
LabelsOpt = Annotated[Optional[str], Opt("--labels", "-l", help="Only these labels, comma-separated")]
JsonOpt = Annotated[bool, Opt("--json", help="Print the report as JSON on stdout")]

Measure = Callable[..., Report]


def _number(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _select_annotators(db: Database, dataset: str, names: Optional[str]) -> Optional[Set[str]]:
    """The session ids ``--annotators`` names, by bare name (alex) or full id (news-alex)."""
    if names is None:
        return None
    known = db.get_session_names(dataset)
    chosen: Set[str] = set()
    unknown: List[str] = []
    for name in split_string(names):
        matches = [sid for sid in known if name in (sid, bare_name(dataset, sid))]
        chosen.update(matches)
        if not matches:
            unknown.append(name)
    if unknown:
        raise UnknownAnnotator(dataset, unknown, [bare_name(dataset, sid) for sid in known])
    return chosen


def _print_report(dataset: str, title: str, report: Report, name: Callable[[str], str]) -> None:
    msg.divider(f"Agreement in '{dataset}' ({title})")
    rows: List[Any] = [
        ("Items compared", f"{report.items:,} (answered by 2 annotators or more)"),
        ("Annotators", f"{len(report.annotators)}: {', '.join(name(who) for who in report.annotators)}"),
        ("Answers compared", f"{report.answers:,}"),
    ]
    rows += [("Left out", f"{LEFT_OUT.get(reason, reason)}: {count:,}") for reason, count in report.left_out.items()]
    msg.table(rows)
    rows = [("all labels", report.overall), *report.labels.items()]
    if isinstance(report.overall, Scores):
        table = [
            (label, s.items, s.annotators, _number(s.percent_agreement), _number(s.krippendorff_alpha), _number(s.gwet_ac2))
            for label, s in rows
        ]
        header = ("Label", "Items", "Annotators", "Percent", "Krippendorff α", "Gwet AC2")
    else:
        table = [(label, s.items, s.annotators, len(s.pairs), _number(s.f1)) for label, s in rows]  # type: ignore[union-attr]
        header = ("Label", "Items", "Annotators", "Pairs", "Pairwise F1")
    msg.table(table, header=header, aligns=("l",) + ("r",) * (len(header) - 1))


def _run(
    dataset: str, title: str, measure: Measure, *, annotators: Optional[str], labels: Optional[str], as_json: bool, **kwargs: Any
) -> None:
    db = connect(settings=load_settings())
    chosen = _select_annotators(db, dataset, annotators)
    answers: Iterable[Task] = db.get_dataset_examples(dataset)
    report = measure(answers, annotators=chosen, labels=split_string(labels) or None, source=dataset, **kwargs)

    def name(session_id: str) -> str:
        return bare_name(dataset, session_id)

    if as_json:
        data: Dict[str, Any] = {"dataset": dataset, **report.to_dict(name)}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_report(dataset, title, report, name)


@recipe("metric.iaa.doc", group="training")
def metric_iaa_doc(
    dataset: Annotated[str, Arg(help="Dataset of choice answers from several annotators")],
    mode: Annotated[str, Arg(help="multiclass (one option per answer) or multilabel (any number)")],
    annotators: AnnotatorsOpt = None,
    labels: LabelsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure agreement on document labels: percent, Krippendorff's alpha, Gwet's AC2.

    Answers are the options accepted in a choice view (textcat.manual with
    several labels), grouped by input. multiclass compares the one option of
    each answer; multilabel asks of each label whether it was chosen.
    """
    if mode not in DOC_MODES:
        raise InvalidChoice("MODE", mode, DOC_MODES)
    _run(dataset, f"doc, {mode}", doc_agreement, annotators=annotators, labels=labels, as_json=as_json, mode=mode)


@recipe("metric.iaa.binary", group="training")
def metric_iaa_binary(
    dataset: Annotated[str, Arg(help="Dataset of accept/reject answers from several annotators")],
    annotators: AnnotatorsOpt = None,
    labels: LabelsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure agreement on accept vs reject: percent, Krippendorff's alpha, Gwet's AC2.

    Answers are grouped by question (_task_hash: the text with its label or
    span); ignored answers are left out.
    """
    _run(dataset, "binary", binary_agreement, annotators=annotators, labels=labels, as_json=as_json)


@recipe("metric.iaa.span", group="training")
def metric_iaa_span(
    dataset: Annotated[str, Arg(help="Dataset of span answers (ner.manual, spans.manual) from several annotators")],
    annotators: AnnotatorsOpt = None,
    labels: LabelsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure agreement on spans: F1 between each pair of annotators, exact match.

    Answers are grouped by input; a span agrees when start, end and label
    are the same. F1 is averaged over the pairs of annotators.
    """
    _run(dataset, "span", span_agreement, annotators=annotators, labels=labels, as_json=as_json)
