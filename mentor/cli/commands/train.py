"""``mentor train``: train a spaCy pipeline from datasets with spaCy's own loop.

The component flags and the data summary defined here are shared by the other
training commands (train-curve, data-to-spacy, spacy-config, evaluate).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Dict, List, Optional

import typer
from wasabi import msg

from .. import messages
from ...config import load_settings
from ...db import connect
from ...errors import InputError
from ...registry import Arg, Opt, recipe
from ...tasks import split_string
from ...training.specs import ComponentSpec, parse_specs

if TYPE_CHECKING:  # spaCy loads when a command runs, not when the command line starts
    from ...training.corpus import MergedCorpus

NerOpt = Annotated[Optional[str], Opt("--ner", "-n", help="Datasets for named entities, comma-separated; prefix eval: for evaluation sets (--ner news,eval:news_eval)")]
TextcatOpt = Annotated[Optional[str], Opt("--textcat", "-tc", help="Datasets for exclusive text categories (exactly one label per text)")]
TextcatMultiOpt = Annotated[Optional[str], Opt("--textcat-multilabel", "-tcm", help="Datasets for non-exclusive text categories (any number of labels per text; use this for yes/no answers on one label)")]
SpancatOpt = Annotated[Optional[str], Opt("--spancat", "-sc", help="Datasets for span categorization (overlapping spans, group 'sc')")]
TaggerOpt = Annotated[Optional[str], Opt("--tagger", help="Datasets for part-of-speech tags (pos.correct answers; untagged tokens are missing)")]
ParserOpt = Annotated[Optional[str], Opt("--parser", "-p", help="Datasets for dependency arcs (dep.correct answers; tokens without an arc are missing)")]
SenterOpt = Annotated[Optional[str], Opt("--senter", "-s", help="Datasets for sentence starts (sent.correct answers)")]
EvalSplitOpt = Annotated[float, Opt("--eval-split", "-es", help="Share of texts held out for evaluation for components without an eval: dataset")]
BaseModelOpt = Annotated[str, Opt("--base-model", "-m", help="blank:LANG for a new pipeline, or a pipeline (folder or package) to start from")]
BinaryOpt = Annotated[bool, Opt("--binary", "-B", help="Treat all NER answers as yes/no answers on their spans (unannotated tokens are missing, not O)")]
SeedOpt = Annotated[int, Opt("--seed", help="Random seed for the eval split and for spaCy's training")]
BalanceOpt = Annotated[Optional[bool], Opt("--balance/--no-balance", help="Text categories: show the texts of each label's rarer answer more often, so that yes and no weigh the same (as class_weight='balanced'). Default: on when a text classifier trains on yes/no answers")]
SilverRoundsOpt = Annotated[int, Opt("--silver-rounds", help="Binary NER answers: after training on them, train again this many times on the best annotation consistent with them (the model's beam marks what may be an entity, the rest is O). 0: train on the answers alone, other tokens missing")]

TEXTCAT_COMPONENTS = ("textcat", "textcat_multilabel")
OVERRIDES_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}
CONFLICTS_SHOWN = 5


def component_specs(
    ner: Optional[str],
    textcat: Optional[str],
    textcat_multilabel: Optional[str],
    spancat: Optional[str],
    *,
    tagger: Optional[str] = None,
    parser: Optional[str] = None,
    senter: Optional[str] = None,
) -> List[ComponentSpec]:
    return parse_specs({
        "ner": ner, "textcat": textcat, "textcat_multilabel": textcat_multilabel, "spancat": spancat,
        "tagger": tagger, "parser": parser, "senter": senter,
    })


def spacy_overrides(ctx: Optional[typer.Context]) -> Dict[str, Any]:
    """spaCy dotted overrides from the extra command-line args (``--training.max_epochs 5``)."""
    if ctx is None or not ctx.args:
        return {}
    from spacy.cli._util import parse_config_overrides

    return parse_config_overrides(list(ctx.args))


def load_merged(specs: List[ComponentSpec], **kwargs: Any) -> MergedCorpus:
    """Read and merge the datasets from the configured database, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ...training.corpus import merge_datasets

    db = connect(settings=load_settings())
    try:
        total = sum(db.count_dataset(name) for spec in specs for name in spec.datasets if name in db)
        with Progress(TextColumn("Reading answers"), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
            task = bar.add_task("read", total=total)
            return merge_datasets(db, specs, on_read=lambda n: bar.advance(task, n), **kwargs)
    finally:
        db.close()


def print_data_summary(merged: MergedCorpus) -> None:
    """The table of answers read, used and skipped per component, and the conflicts."""
    msg.divider("Training data")
    rows = []
    for component, report in merged.reports.items():
        counts = merged.counts[component]
        eval_report = merged.eval_reports.get(component)
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.kinds.items()))
        rows.append((
            component,
            report.tasks + (eval_report.tasks if eval_report else 0),
            counts.train,
            f"{counts.dev} ({counts.dev_source})",
            kinds,
            ", ".join(merged.labels.get(component, [])),
        ))
    msg.table(rows, header=("Component", "Answers", "Train texts", "Eval texts", "Kinds", "Labels"), divider=True)
    skipped = [
        (component, reason, n)
        for reports in (merged.reports, merged.eval_reports)
        for component, report in reports.items()
        for reason, n in report.skipped.most_common()
    ]
    if skipped:
        msg.text("Answers not used for training, and why:")
        msg.table(skipped, header=("Component", "Reason", "Answers"), divider=True)
    for component, counts in merged.counts.items():
        if counts.removed_from_train:
            messages.warn(f"[{component}] {counts.removed_from_train} texts are in an eval dataset too: used only for evaluation")
    conflicts = [c for reports in (merged.reports, merged.eval_reports) for r in reports.values() for c in r.conflicts]
    if conflicts:
        messages.warn(f"{len(conflicts)} texts have conflicting answers and were left out (resolve them with a review):")
        shown = [
            (c.component, c.input_hash, _short(c.text), c.reason, ", ".join(c.datasets))
            for c in conflicts[:CONFLICTS_SHOWN]
        ]
        msg.table(shown, header=("Component", "_input_hash", "Text", "Conflict", "Datasets"), divider=True)
        if len(conflicts) > CONFLICTS_SHOWN:
            msg.text(f"... and {len(conflicts) - CONFLICTS_SHOWN} more")


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def estimate_eval_frequency(merged: MergedCorpus) -> int:
    """Steps between evaluations so that small data is scored about once an epoch.

    spaCy evaluates every ``eval_frequency`` (200) steps and picks model-best
    from those scores: with a few hundred texts an epoch is only a few steps and
    model-best would be the untrained step 0. spaCy's default batcher starts at
    about 100-150 words a batch.
    """
    words = sum(len(next(iter(entry.values())).text.split()) for entry in merged.train)
    return max(1, min(200, math.ceil(words / 150)))


def fit_generated_config(config: Any, merged: MergedCorpus) -> None:
    """Adapt a generated config to the data: evaluation frequency, spancat's span lengths."""
    config["training"]["eval_frequency"] = estimate_eval_frequency(merged)
    spancat = config["components"].get("spancat")
    if spancat is not None and "suggester" in spancat:
        lengths = [
            len(entry["spancat"].text[start:end].split())
            for entry in merged.train if "spancat" in entry
            for start, end, _ in entry["spancat"].spans
        ]
        longest = max([3] + lengths)
        # spaCy's default suggests 1-3 token spans: longer gold spans could never be predicted
        spancat["suggester"]["sizes"] = list(range(1, min(longest, 12) + 1))


def pipeline_config(
    specs: List[ComponentSpec],
    merged: MergedCorpus,
    *,
    config: Optional[Path],
    base_model: str,
    seed: int,
    transformer: Optional[str] = None,
) -> Any:
    """The user's config as given, or a generated one fitted to the data."""
    from ...training.pipeline_config import generate_config, load_user_config

    if config is not None:
        return load_user_config(config)
    generated = generate_config(specs, base_model=base_model, transformer=transformer, seed=seed)
    fit_generated_config(generated, merged)
    return generated


def print_label_stats(output_dir: Path, merged: MergedCorpus) -> None:
    import spacy

    from ...training.evaluate import evaluate, scores_table

    nlp = spacy.load(output_dir / "model-best")
    docs = merged.to_docs(nlp, "dev")
    by_component = {c: [d for d, e in zip(docs, merged.dev) if c in e] for c in merged.counts}
    for component, result in evaluate(nlp, by_component).items():
        header, rows = scores_table(result)
        msg.divider(f"Per-label scores on the eval data: {component}")
        msg.table(rows, header=header, divider=True, aligns=("l", "r", "r", "r", "r"))


def check_gate_request(specs: List[ComponentSpec], patterns: Path) -> None:
    """Refuse a gate that can't be added before training, not after an hour of it."""
    from ...models.patterns import load_patterns

    if not any(spec.component in TEXTCAT_COMPONENTS for spec in specs):
        raise InputError("--require-patterns gates text categories: give --textcat or --textcat-multilabel datasets")
    if not load_patterns(patterns):
        raise InputError(f"No patterns in {patterns}: the gate would drop the categories of every text")


def labels_to_gate(merged: MergedCorpus, requested: Optional[str]) -> List[str]:
    """The categories --gate-labels names (all text categories by default), each known to the data."""
    known = [label for component in TEXTCAT_COMPONENTS for label in merged.labels.get(component, [])]
    labels = split_string(requested) if requested else known
    unknown = [label for label in labels if label not in known]
    if unknown:
        raise InputError(f"--gate-labels {', '.join(unknown)}: not a text category of this data ({', '.join(known)})")
    return labels


def gate_trained(output_dir: Path, patterns: Path, labels: List[str]) -> None:
    """Save model-best and model-last with a pattern gate after their text classifier."""
    from ...models.gate import gate_saved_pipeline

    gated = []
    for name in ("model-best", "model-last"):
        if (output_dir / name).exists():
            _, gate = gate_saved_pipeline(output_dir / name, output_dir / name, patterns, labels)
            gated.append(name)
    msg.good(
        f"Gated {', '.join(labels)} in {' and '.join(gated)}: set to 0 unless a pattern in {patterns} matches"
    )


def train_components(
    cfg: Any, output_dir: Path, merged: MergedCorpus, *, silver_rounds: int, overrides: Dict[str, Any], use_gpu: int
) -> None:
    """Train once, or with silver rounds when there are binary NER answers to complete."""
    from ...training.silver import partial_ner, train_with_silver
    from ...training.train import train_pipeline

    if silver_rounds < 0:
        raise InputError(f"--silver-rounds must be 0 or more, got {silver_rounds}")
    if not silver_rounds or not any(partial_ner(merged.train)):
        train_pipeline(cfg, output_dir, overrides=overrides, use_gpu=use_gpu)
        return

    def announce(n: int, stats: Any) -> None:
        if stats is None:
            msg.info(f"Round 0 of {silver_rounds}: binary NER answers as they are (other tokens missing)")
            return
        msg.info(
            f"Round {n} of {silver_rounds}: {stats.texts} texts of binary NER answers completed by the "
            f"last model: {stats.added} entities added, {stats.outside_tokens} tokens outside, "
            f"{stats.missing_tokens} left missing"
        )

    result = train_with_silver(cfg, output_dir, merged, rounds=silver_rounds, overrides=overrides, use_gpu=use_gpu, on_round=announce)
    if result.best_round is not None and result.best_round < silver_rounds:
        messages.warn(
            f"Round {result.best_round} scored best on the eval data: model-best is its model "
            f"(model-last is the last round's)"
        )


@recipe("train", group="training")
def train(
    ctx: typer.Context,
    output_dir: Annotated[Path, Arg(help="Folder for model-best, model-last and config.cfg (created if needed)")],
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
    transformer: Annotated[Optional[str], Opt("--transformer", "-t", help="Hugging Face model name or local folder for a transformer pipeline (needs mentor\\[transformers])")] = None,
    gpu_id: Annotated[int, Opt("--gpu-id", "-g", help="GPU to train on; -1 for the CPU")] = -1,
    epochs: Annotated[Optional[int], Opt("--epochs", "--n-iter", help="Passes over the training data: an epoch is one pass over every training example. Default: spaCy's config (stop after 20,000 updates or when the score stops improving)")] = None,
    batch_size: Annotated[Optional[int], Opt("--batch-size", "-b", help="Examples per update. Smaller: more, noisier updates per epoch; larger: fewer, smoother updates and more memory. Default: spaCy's batches by word count (100 growing to 1,000 words)")] = None,
    seed: SeedOpt = 0,
    binary: BinaryOpt = False,
    silver_rounds: SilverRoundsOpt = 2,
    balance: BalanceOpt = None,
    label_stats: Annotated[bool, Opt("--label-stats", "-L", help="Print precision, recall and F per label after training")] = False,
    require_patterns: Annotated[Optional[Path], Opt("--require-patterns", "-rp", help="Patterns JSONL: text categories count only when one of these terms occurs. The classifier still learns from every answer; a mentor_pattern_gate component saved after it sets the categories to 0 when nothing matches")] = None,
    gate_labels: Annotated[Optional[str], Opt("--gate-labels", help="Categories that --require-patterns gates, comma-separated (default: every text category)")] = None,
) -> None:
    """Train a spaCy pipeline from datasets, with spaCy's own training loop.

    Answers are merged per text across all given datasets. Any spaCy setting can
    be overridden with a dotted flag, as with 'spacy train':
    --training.max_epochs 10 --training.dropout 0.2
    """
    from ...training.pipeline_config import set_schedule, use_reader

    specs = component_specs(ner, textcat, textcat_multilabel, spancat, tagger=tagger, parser=parser, senter=senter)
    overrides = spacy_overrides(ctx)
    if require_patterns is not None:
        check_gate_request(specs, require_patterns)
    merged = load_merged(specs, eval_split=eval_split, seed=seed, binary=binary)
    print_data_summary(merged)
    gated = labels_to_gate(merged, gate_labels) if require_patterns is not None else []
    base = pipeline_config(specs, merged, config=config, base_model=base_model, seed=seed, transformer=transformer)
    balanced = merged.binary_cats if balance is None else balance
    if balanced:
        chosen = sum(1 for labels in merged.chosen_labels("train") if labels)
        if chosen:
            msg.info(f"--balance: {chosen} training texts were chosen by an active learner (their answers carry "
                     "a priority): not re-balanced, the sample is enriched already")
    reader = use_reader(base, specs, eval_split=eval_split, seed=seed, binary=binary, balance=balanced)
    cfg = set_schedule(reader, epochs=epochs, batch_size=batch_size)
    msg.info(f"Components: {', '.join(s.component for s in specs)}; base: {base_model if config is None else config}")
    msg.divider("Training pipeline")
    try:
        train_components(cfg, output_dir, merged, silver_rounds=silver_rounds, overrides=overrides, use_gpu=gpu_id)
    except KeyboardInterrupt:
        messages.warn(f"Training interrupted: the last state is in {output_dir / 'model-last'}")
        raise
    msg.good(f"Saved model-best, model-last and config.cfg in {output_dir}")
    if require_patterns is not None:
        gate_trained(output_dir, require_patterns, gated)
    if label_stats:
        print_label_stats(output_dir, merged)


train.context_settings = OVERRIDES_CONTEXT  # type: ignore[attr-defined]
