"""``textcat.uptrain`` and ``ner.uptrain``: a trained pipeline annotates, a person checks the doubtful part.

Use them to distil a large pipeline (a transformer, or one trained on lots of
data) into a small fast one, or to label a big source cheaply: confident
predictions are stored as accepted answers marked ``meta.auto: true``, the
rest are shown in the browser. Then ``mentor train`` on the dataset.
"""
from __future__ import annotations

from typing import Annotated, Any, List, Optional

from wasabi import msg

from ..core.keys import read_stored_keys
from ..core import Components
from ..db import connect
from ..errors import InputError
from ..loaders import get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string
from ..training.uptrain import Router, check_thresholds, score_categories, score_entities, textcat_component

AcceptOpt = Annotated[float, Opt("--accept-above", "-A", help="Store predictions scoring at least this as accepted (meta.auto: true)")]
SkipOpt = Annotated[float, Opt("--skip-below", "-S", help="Drop predictions scoring below this; the rest go to a person")]
LoaderOpt = Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")]
ExcludeOpt = Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")]


def _router(dataset: str, view_id: str, accept_above: float, skip_below: float) -> Router:
    db = connect()
    db.add_dataset(dataset)

    def store(answers: List[Task]) -> int:
        return db.add_examples(answers, datasets=[dataset])

    return Router(
        store, dataset=dataset, view_id=view_id, accept_above=accept_above,
        skip_below=skip_below, known=read_stored_keys(db.iter_hashes_and_content(dataset), "task"),
    )


def _summary(router: Router, dataset: str) -> Any:
    def on_exit(_controller: Any) -> None:
        router.flush()
        c = router.counts
        msg.info(
            f"Uptraining '{dataset}': {c.auto_accepted} auto-accepted (meta.auto), "
            f"{c.to_person} sent to a person, {c.skipped} skipped below the threshold, "
            f"{c.already_stored} already in the dataset"
        )

    return on_exit


@recipe("textcat.uptrain", group="annotation")
def textcat_uptrain(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Trained pipeline with a text classifier (folder or package)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to ask about (default: all the classifier's)")] = None,
    accept_above: AcceptOpt = 0.9,
    skip_below: SkipOpt = 0.1,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
) -> Components:
    """Let a trained classifier label the texts it is sure of; answer the rest yourself.

    One yes/no question per text and label. Scores >= --accept-above are stored
    as accepted with meta.auto: true, scores < --skip-below are skipped, the
    rest are shown (view: classification).
    """
    check_thresholds(accept_above, skip_below)
    nlp = load_pipeline(spacy_model)
    known_labels = list(nlp.get_pipe(textcat_component(nlp)).labels)
    labels = split_string(label) or known_labels
    unknown = [lab for lab in labels if lab not in known_labels]
    if unknown:
        raise InputError(f"Label(s) {', '.join(unknown)} not in the classifier's labels: {', '.join(known_labels)}")
    router = _router(dataset, "classification", accept_above, skip_below)
    stream = get_stream(source, loader=loader, dedup=True)
    return Components(
        dataset=dataset,
        view_id="classification",
        stream=router(score_categories(nlp, stream, labels)),
        sources=[stream],
        on_exit=_summary(router, dataset),
        exclude=split_string(exclude),
        config={"labels": labels},
    )


@recipe("ner.uptrain", group="annotation")
def ner_uptrain(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Trained pipeline with an entity recognizer (folder or package)")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels to keep (default: all the recognizer's)")] = None,
    accept_above: AcceptOpt = 0.9,
    skip_below: SkipOpt = 0.1,
    loader: LoaderOpt = None,
    exclude: ExcludeOpt = None,
) -> Components:
    """Let a trained recognizer annotate the texts it is sure of; correct the rest by hand.

    A text's score is its least certain entity decision (beam search). Texts
    scoring >= --accept-above are stored as accepted manual annotations with
    meta.auto: true, below --skip-below they are skipped, the rest are shown
    with the entities pre-filled (view: ner_manual).
    """
    check_thresholds(accept_above, skip_below)
    nlp = load_pipeline(spacy_model)
    labels = split_string(label) or None
    router = _router(dataset, "ner_manual", accept_above, skip_below)
    stream = get_stream(source, loader=loader, dedup=True)
    shown_labels = labels or [
        lab for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory in ("ner", "beam_ner")
        for lab in nlp.get_pipe(name).labels
    ]
    return Components(
        dataset=dataset,
        view_id="ner_manual",
        stream=router(score_entities(nlp, stream, labels=labels)),
        sources=[stream],
        on_exit=_summary(router, dataset),
        exclude=split_string(exclude),
        config={"labels": shown_labels, "exclude_by": "input"},
    )
