"""``mentor simulate``: replay annotation with an oracle, teach order against random."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Dict, Iterable, List, Optional

from wasabi import msg

from .. import messages
from ...config import load_settings
from ...db import connect
from ...errors import InputError
from ...loaders import get_stream
from ...registry import Arg, Opt, recipe
from ...sorters import DEFAULT_POOL_SIZE, DEFAULT_RESCORE_LIMIT
from ...tasks import split_string

if TYPE_CHECKING:  # spaCy loads when a command runs, not when the command line starts
    from ...simulate import SimulationResult


def _rows(source: str) -> Iterable[Dict[str, Any]]:
    """A file's tasks, or a dataset's answers when ``source`` is no file but a dataset name."""
    if Path(source).exists() or source == "-":
        return get_stream(source)
    db = connect(settings=load_settings())
    if source in db:
        return db.get_dataset_examples(source)
    raise InputError(f"'{source}' is neither a file nor a dataset in the database")


@recipe("simulate", group="utilities")
def simulate(
    source: Annotated[str, Arg(help="Labelled data: JSONL/CSV file or dataset name")],
    eval_file: Annotated[Optional[str], Opt("--eval", help="Held-out data to score on (file or dataset)")] = None,
    eval_split: Annotated[float, Opt("--eval-split", "-es", help="Fraction held out when --eval is not given")] = 0.2,
    label: Annotated[Optional[str], Opt("--label", "-l", help="Labels to teach (default: the rarer of two classes, else all)")] = None,
    seeds: Annotated[int, Opt("--seeds", help="Runs per strategy, each with its own order and initial weights")] = 3,
    max_labels: Annotated[int, Opt("--max-labels", help="Answers to simulate per run")] = 1000,
    step: Annotated[int, Opt("--step", help="Score the model every this many answers")] = 50,
    batch_size: Annotated[int, Opt("--batch-size", help="Answers per model update")] = 10,
    pool_size: Annotated[int, Opt("--pool-size", help="Questions the teach sorter keeps to choose from")] = DEFAULT_POOL_SIZE,
    rescore_limit: Annotated[int, Opt("--rescore-limit", help="Pooled questions re-scored per update (0: all)")] = DEFAULT_RESCORE_LIMIT or 0,
    explore: Annotated[Optional[float], Opt("--explore", help="Share of teach questions picked at random from the pool (default: the teach sorter's)")] = None,
    scan: Annotated[Optional[float], Opt("--scan", help="New texts the teach pool looks at per question served, the rest set aside (default: the teach sorter's, up to 4 by the label's rarity)")] = None,
    warmup: Annotated[int, Opt("--warmup", help="Serve this many teach questions at random before sorting")] = 0,
    architecture: Annotated[str, Opt("--model-arch", "--architecture", help="In-loop model: auto, minilm, vectors, tfidf, bow, ensemble")] = "auto",
    strategies: Annotated[str, Opt("--strategies", help="Comma-separated: teach, random, baseline")] = "teach,random,baseline",
    output: Annotated[Optional[Path], Opt("--output", "-o", help="Write the curves as JSON here")] = None,
    no_plot: Annotated[bool, Opt("--no-plot", help="Don't draw the terminal plot")] = False,
    ner: Annotated[bool, Opt("--ner", help="Replay ner.teach (default when the rows have spans and no task label)")] = False,
    spacy_model: Annotated[Optional[str], Opt("--model", help="NER: pipeline (name or path) the recognizer starts from (default: blank:en)")] = None,
    seed_size: Annotated[int, Opt("--seed-size", help="NER: train on this many gold sentences of the pool before asking")] = 0,
    max_sentences: Annotated[int, Opt("--max-sentences", help="NER: sentences of the data to ask about (0: all)")] = 2000,
    max_eval: Annotated[int, Opt("--max-eval", help="NER: held-out sentences to score on (0: all)")] = 500,
    jobs: Annotated[int, Opt("--jobs", "-j", help="Text classification: replays to run at once, each in its own process")] = 1,
    patterns: Annotated[Optional[Path], Opt("--patterns", "-pt", help="Text classification: match patterns JSONL that teach starts from, as textcat.teach --patterns")] = None,
) -> None:
    """Tell whether active learning pays on your data, before you annotate it.

    Replays annotation with an oracle answering from your labels: the teach
    loop (the in-loop model behind the teach sorter) against random order
    (same model) and the common baseline (TF-IDF + logistic regression with
    uncertainty sampling), several seeds. Prints the learning curves and how
    many answers each needs to reach 90 % and 95 % of the full-data score.
    With entity annotations (--ner) it replays ner.teach: the beam NER behind
    the teach sorter against random candidates, scored by entity F1. With
    --patterns, teach asks about the patterns' matches too, as textcat.teach
    --patterns does, and both learn from every answer.
    """
    from ...models.textcat_choice import resolve_arch
    from ...simulate import (
        STRATEGIES, SimulationConfig, default_labels, label_counts, read_labelled,
        simulate as run_simulation, split_eval,
    )

    if seeds < 1 or max_labels < 1 or step < 1 or batch_size < 1 or pool_size < 1 or rescore_limit < 0:
        raise InputError("--seeds, --max-labels, --step, --batch-size and --pool-size must be positive")
    if warmup < 0:
        raise InputError(f"--warmup must be 0 or more, got {warmup}")
    if jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {jobs}")
    if explore is not None and not 0.0 <= explore <= 1.0:
        raise InputError(f"--explore must be between 0 and 1, got {explore}")
    if scan is not None and scan < 1.0:
        raise InputError(f"--scan must be 1 or more, got {scan}")
    rows = list(_rows(source))
    from ...simulate.ner import is_ner_data

    if ner or is_ner_data(rows):
        if patterns is not None:
            raise InputError("--patterns is for text classification; a NER replay starts from --model or --seed-size")
        _simulate_ner(
            rows, source, eval_file, eval_split, label, seeds=seeds, max_labels=max_labels, step=step,
            batch_size=batch_size, pool_size=pool_size, strategies=strategies, output=output, no_plot=no_plot,
            spacy_model=spacy_model, seed_size=seed_size, max_sentences=max_sentences, max_eval=max_eval,
        )
        return
    examples, exclusive = read_labelled(rows, where=source)
    if eval_file:
        train = examples
        eval_examples, _ = read_labelled(_rows(eval_file), where=eval_file)
    else:
        train, eval_examples = split_eval(examples, eval_split)
    labels = default_labels(train, exclusive, split_string(label))
    chosen = split_string(strategies)
    unknown = [name for name in chosen if name not in STRATEGIES]
    if unknown or not chosen:
        raise InputError(f"Unknown strategy {', '.join(unknown) or '(none)'}: use {', '.join(STRATEGIES)}")
    pattern_dicts = _patterns_for(patterns, labels) if patterns is not None else None
    arch, note = resolve_arch(architecture)
    if note:
        messages.warn(note)
    settings = load_settings()
    config = SimulationConfig(
        labels=labels, max_labels=max_labels, step=step, batch_size=batch_size,
        pool_size=pool_size, rescore_limit=rescore_limit or None, explore=explore, warmup=warmup, seeds=seeds,
        scan=scan, architecture=arch, exclusive=exclusive and len(labels) > 1,
        cache_path=str(settings.embeddings_cache), patterns=pattern_dicts,
    )
    counts = label_counts(train)
    msg.info(
        f"{len(train)} training and {len(eval_examples)} evaluation examples; teaching "
        + ", ".join(f"{name} ({counts[name][0]}/{counts[name][1]} positive)" for name in labels)
        + f"; model: {arch}"
        + ("; exclusive classes: one question per text, answers count texts" if config.exclusive else "")
        + (f"; teach starts from {len(pattern_dicts)} pattern{'' if len(pattern_dicts) == 1 else 's'}" if pattern_dicts else "")
    )
    started = time.perf_counter()
    result = run_simulation(
        train, eval_examples, config, strategies=chosen, jobs=jobs,
        progress=lambda what: msg.text(f"  ... {what} ({time.perf_counter() - started:.0f}s)"),
    )
    _report(result, output, no_plot)


def _patterns_for(path: Path, labels: List[str]) -> List[Dict[str, Any]]:
    """The patterns for ``labels``, checked now (a bad line is ``file:line`` before any replay runs)."""
    from ...models.patterns import filter_patterns, load_patterns

    kept = filter_patterns(load_patterns(path), labels)
    if not kept:
        raise InputError(f"{path}: no pattern has any of the labels {', '.join(labels)}")
    return [{"label": p.label, "pattern": p.pattern, "id": p.id} for p in kept]


def _report(result: SimulationResult, output: Optional[Path], no_plot: bool) -> None:
    """Print the curves and targets, draw them, and write them as JSON to ``output``."""
    _print_result(result)
    if not no_plot:
        _plot(result)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf8")
        msg.good(f"Wrote the curves to {output}")


def _simulate_ner(
    rows: List[Dict[str, Any]], source: str, eval_file: Optional[str], eval_split: float, label: Optional[str],
    *, seeds: int, max_labels: int, step: int, batch_size: int, pool_size: int, strategies: str,
    output: Optional[Path], no_plot: bool, spacy_model: Optional[str], seed_size: int, max_sentences: int,
    max_eval: int,
) -> None:
    """``mentor simulate --ner``: replay ner.teach on entity annotations."""
    import random

    from ...simulate import split_eval
    from ...simulate.ner import NER_STRATEGIES, NerConfig, read_ner, simulate_ner

    if seed_size < 0 or max_sentences < 0 or max_eval < 0:
        raise InputError("--seed-size, --max-sentences and --max-eval must be 0 or more")
    labels = split_string(label) or None
    examples, found, skipped = read_ner(rows, where=source, labels=labels)
    if eval_file:
        pool = examples
        eval_examples, _, _ = read_ner(_rows(eval_file), where=eval_file, labels=labels)
        held = {e.text for e in eval_examples}
        pool = [e for e in pool if e.text not in held]
        random.Random(0).shuffle(pool)
    else:
        pool, eval_examples = split_eval(examples, eval_split)
    if max_sentences:
        pool = pool[:max_sentences]
    if max_eval:
        eval_examples = eval_examples[:max_eval]
    chosen = [name for name in split_string(strategies) if name != "baseline"]
    unknown = [name for name in chosen if name not in NER_STRATEGIES]
    if unknown or not chosen:
        raise InputError(f"Unknown NER strategy {', '.join(unknown) or '(none)'}: use {', '.join(NER_STRATEGIES)}")
    if seed_size >= len(pool):
        raise InputError(f"--seed-size {seed_size} leaves no sentences to ask about (the pool has {len(pool)})")
    config = NerConfig(
        labels=found, max_labels=max_labels, step=step, batch_size=batch_size, pool_size=pool_size,
        seeds=seeds, seed_size=seed_size, model=spacy_model,
    )
    n_entities = sum(len(e.entities) for e in pool)
    msg.info(
        f"NER (ner.teach replay): {len(pool)} sentences to ask about ({n_entities} gold entities), "
        f"{len(eval_examples)} held out; labels {', '.join(found)}; model: beam NER on {spacy_model or 'blank:en'}"
        + (f", first trained on {seed_size} gold sentences of the pool" if seed_size else "")
        + (f"; {skipped} rows skipped (ignored, rejected or repeated)" if skipped else "")
    )
    started = time.perf_counter()
    result = simulate_ner(
        pool, eval_examples, config, strategies=chosen,
        progress=lambda what: msg.text(f"  ... {what} ({time.perf_counter() - started:.0f}s)"),
    )
    _report(result, output, no_plot)


def _print_result(result: SimulationResult) -> None:
    exclusive = result.config.get("exclusive")
    is_ner = result.config.get("task") == "ner"
    metric = (
        "entity F1 (ents_f)" if is_ner
        else "F1" if len(result.config["labels"]) == 1 else "macro F1 (argmax)" if exclusive else "macro F1"
    )
    msg.divider(f"Learning curves ({metric} on {result.n_eval} held-out examples, mean ± spread over seeds)")
    names = list(result.curves)
    rows: List[List[Any]] = []
    for i, point in enumerate(result.curves[names[0]].points):
        row: List[Any] = [point.labels]
        for name in names:
            points = result.curves[name].points
            row.append(f"{points[i].mean:.3f} ± {points[i].std:.3f}" if i < len(points) else "")
        rows.append(row)
    msg.table(rows, header=["answers"] + names, aligns=["r"] + ["r"] * len(names))
    if is_ner:
        msg.info(
            f"Full data (reference for the targets): the same model trained on the gold spans of all "
            f"{result.full_labels} sentences of the pool, {result.config['full_epochs']} epochs: {metric} "
            f"{result.full_score:.3f} (one run)"
        )
    else:
        msg.info(
            f"Full data ({result.full_labels} texts, trained to convergence): {metric} "
            f"{result.full_score:.3f} ± {result.full_std:.3f} with the in-loop model ({result.config['architecture']})"
            + (f", {result.baseline_full_score:.3f} with the TF-IDF baseline" if result.baseline_full_score is not None else "")
        )
    summary: List[List[Any]] = []
    limit = result.config["max_labels"]
    for target in ("0.9", "0.95"):
        row = [f"{float(target):.0%} of full"]
        for name in names:
            curve = result.curves[name]
            needed, stays = curve.labels_to.get(target), curve.stays_above.get(target)
            seeds = [n for n in curve.labels_to_per_seed.get(target, []) if n is not None]
            cell = f"{needed}" if needed is not None else f"> {limit}"
            if needed is not None and stays is not None and stays != needed:
                cell += f" (stays {stays})"
            if len(seeds) > 1:
                cell += f" [{min(seeds)}-{max(seeds)}]"
            row.append(cell)
        ratio = result.ratio(float(target))
        row.append(f"{ratio:.2f}x" if ratio is not None else "-")
        summary.append(row)
    msg.table(summary, header=["answers to reach"] + names + ["teach / random"], aligns=["l"] + ["r"] * (len(names) + 1))
    msg.text("First crossing of the mean curve; (stays N): from N on it never falls below; [a-b]: per-seed crossings.")
    for name, curve in result.curves.items():
        if curve.points and curve.points[-1].labels + result.config["step"] <= limit:
            msg.text(
                f"{name} ran out of questions after {curve.points[-1].labels} answers"
                + (" (the beam proposed no entity in the sentences left)" if is_ner else "")
            )
    split = result.config.get("split_updates") or {}
    if any(sum(counts) for counts in split.values()):
        failed = result.config.get("failed_updates") or {}
        msg.warn(
            "spaCy's beam update failed on some batches (a rejected span ending where an accepted one ends), "
            "which were then trained one answer at a time: "
            + ", ".join(f"{name} {sum(split[name])} batches, {sum(failed.get(name, []))} answers dropped" for name in split)
        )


def _plot(result: SimulationResult) -> None:
    """Draw the mean curves in the terminal (plotext 5's function API or 6's figure API)."""
    import plotext as plt

    series = [(name, [p.labels for p in c.points], [p.mean for p in c.points]) for name, c in result.curves.items()]
    xs = series[0][1]
    series.append(("95% of full", xs, [result.full_score * 0.95] * len(xs)))
    if hasattr(plt, "plot"):  # plotext 5
        plt.clf()
        for name, x, y in series:
            plt.plot(x, y, label=name)
        plt.title("score vs answers")
        plt.plotsize(80, 20)
        plt.show()
        return
    figure = plt.figure
    figure.clear()
    for name, x, y in series:
        signal = figure.signal(x, y)
        signal.lines()
        signal.label(name)
        figure.draw(signal)
    figure.title("score vs answers")
    figure.plot_size(80, 20)
    # bottom right: the curves rise from the bottom left and flatten at the top
    low = min(min(y) for _, _, y in series)
    figure.legend(x=xs[-1], y=low, ha="right", va="bottom", relative=True)
    figure.show()
