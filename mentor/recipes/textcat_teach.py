"""``textcat.teach`` and ``textcat.correct``: a text classifier in the loop."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Iterable, Iterator, List, Optional

from wasabi import msg

from ..core import Components
from ..errors import InputError
from ..loaders import get_stream
from ..models.loading import load_pipeline
from ..registry import Arg, Opt, recipe
from ..sorters import teach_sorter
from ..tasks import Task, rehash_task, split_string


@recipe("textcat.teach", group="annotation")
def textcat_teach(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline to load (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s) to ask about")] = None,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Match patterns JSONL to bootstrap the model")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Text classifier component to use or add")] = None,
    model_arch: Annotated[str, Opt("--model-arch", "-ma", help="In-loop model: auto, minilm, vectors, tfidf, bow, ensemble")] = "auto",
    exclusive: Annotated[bool, Opt("--exclusive", "-E", help="The labels are exclusive classes: one question per text")] = False,
) -> Components:
    """Accept or reject the label the model is least sure about; the model learns as you go.

    Pick this over textcat.manual when the labelled examples are rare or the
    dataset is large: one yes/no question at a time, chosen by uncertainty, each
    batch of answers updating the model. Patterns (--patterns) make the first
    questions useful before the model knows anything. The model in the loop is
    sentence embeddings + TF-IDF under a logistic regression (--model-arch);
    the answers train any spaCy pipeline afterwards with ``mentor train``.
    """
    from ..models.combine import combine_models, matcher_for_labels

    labels = split_string(label)
    if not labels:
        raise InputError("textcat.teach needs at least one label: --label SPAM or --label A,B")
    nlp = load_pipeline(spacy_model)
    classifier = _in_loop_classifier(nlp, labels, model_arch, component=component, exclusive=exclusive)
    model = classifier if patterns is None else combine_models(
        classifier,
        matcher_for_labels(nlp, patterns, labels, label_span=False, label_task=True),
    )
    stream = get_stream(source, loader=loader, rehash=True, dedup=True)
    questions = teach_sorter(model(stream), model, background=True)
    if hasattr(classifier, "on_fitted"):  # the linear model refits in a thread: re-score when it is done
        classifier.on_fitted = questions.rescore

    def update(answers: List[Task]) -> Optional[float]:
        loss = model.update(answers)
        questions.rescore()
        return loss

    return Components(
        dataset=dataset,
        view_id="classification",
        stream=questions,
        sources=[stream],
        update=update,
        exclude=split_string(exclude),
        config={"labels": labels, "batch_size": 10, "exclude_by": "task"},
    )


@recipe("textcat.correct", group="annotation")
def textcat_correct(
    dataset: Annotated[str, Arg(help="Dataset to save the answers to")],
    spacy_model: Annotated[str, Arg(help="Pipeline with a text classifier (name or path), or blank:LANG")],
    source: Annotated[str, Arg(help="Texts to annotate: file path, or '-' for stdin")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated labels (default: the component's)")] = None,
    threshold: Annotated[float, Opt("--threshold", "-t", help="Pre-select labels scoring at least this")] = 0.5,
    update: Annotated[bool, Opt("--update", "-UP", help="Update the model with each batch of answers")] = False,
    exclusive: Annotated[bool, Opt("--exclusive", "-E", help="Classes are exclusive (for a new component)")] = False,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader: jsonl, json, csv, tsv, txt")] = None,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets whose tasks to skip")] = None,
    component: Annotated[Optional[str], Opt("--component", "-c", help="Text classifier component to use")] = None,
) -> Components:
    """Correct a text classifier's categories: its choices come pre-selected.

    Every text is shown once with all labels as options and the model's score
    beside each; labels scoring at least --threshold are already ticked. Use it
    to fix a trained model's output quickly, or with --update to keep it learning.
    """
    from ..models.textcat import TextClassifier

    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1, got {threshold}")
    nlp = load_pipeline(spacy_model)
    labels = split_string(label) or _component_labels(nlp, component)
    if not labels:
        raise InputError("The pipeline has no text classifier labels: pass --label")
    model = TextClassifier(nlp, labels, component=component, exclusive=exclusive)
    stream = get_stream(source, loader=loader, rehash=True, dedup=True)

    def preselect(tasks: Iterable[Task]) -> Iterator[Task]:
        """Add the labels as options with the model's scores, ticking those >= threshold."""
        for task, scores in model.predict_tasks(tasks):
            chosen = [name for name in labels if scores[name] >= threshold]
            if model.exclusive and chosen:
                chosen = [max(chosen, key=lambda name: scores[name])]
            task = dict(task)
            task["options"] = [
                {"id": name, "text": name, "meta": round(scores[name], 2)} for name in labels
            ]
            task["accept"] = chosen
            yield rehash_task(task)

    def update_model(answers: List[Task]) -> Optional[float]:
        return model.update(answers)

    return Components(
        dataset=dataset,
        view_id="choice",
        stream=stream.apply(preselect),
        update=update_model if update else None,
        exclude=split_string(exclude),
        config={
            "labels": labels,
            "choice_style": "single" if model.exclusive else "multiple",
            "exclude_by": "input",
        },
    )


def _in_loop_classifier(nlp: Any, labels: List[str], arch: str, *, component: Optional[str], exclusive: bool) -> Any:
    """The classifier textcat.teach puts in the loop (see mentor/models/textcat_choice.py).

    ``auto`` keeps a text classifier the pipeline already has (its training is
    worth more than a fresh model); otherwise the strongest installed model. A
    fallback is said once, at start.
    """
    from ..config import load_settings
    from ..models.textcat import TextClassifier
    from ..models.textcat_choice import make_text_classifier, resolve_arch

    if arch == "auto" and (component or TextClassifier.find_component(nlp)):
        return TextClassifier(nlp, labels, component=component, exclusive=exclusive)
    resolved, note = resolve_arch(arch, nlp)
    if note:
        msg.warn(note)
    cache_path = load_settings().embeddings_cache

    def spacy_classifier(architecture: str) -> Any:
        return TextClassifier(nlp, labels, component=component, exclusive=exclusive, architecture=architecture)

    return make_text_classifier(
        labels, resolved, exclusive=exclusive and len(labels) > 1, nlp=nlp, cache_path=cache_path,
        spacy_factory=spacy_classifier, fit_in_background=True,
    )


def _component_labels(nlp: object, component: Optional[str]) -> List[str]:
    from ..models.textcat import TextClassifier

    name = component or TextClassifier.find_component(nlp)  # type: ignore[arg-type]
    if name is None or name not in nlp.pipe_names:  # type: ignore[attr-defined]
        return []
    return list(nlp.get_pipe(name).labels)  # type: ignore[attr-defined]

