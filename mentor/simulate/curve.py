"""Run every strategy over several seeds and summarise the learning curves.

The question a user asks before starting: will the teach loop save me labels
on *my* data? The answer is the number of answers each strategy needs before
the model reaches 90 % and 95 % of the score it gets from all the data, with
the spread over seeds to tell a real gain from luck.
"""
from __future__ import annotations

import multiprocessing
import statistics
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..models.textcat_choice import LINEAR_ARCHS
from .data import Labelled
from .replay import STRATEGIES, ModelKit, RunCurve, SimulationConfig, run_full_data, run_strategy

__all__ = [
    "CurvePoint", "StrategyCurve", "SimulationResult", "simulate", "labels_to_reach", "labels_to_stay", "TARGETS",
]

TARGETS = (0.9, 0.95)

Progress = Callable[[str], None]


@dataclass
class CurvePoint:
    labels: int
    mean: float
    std: float
    min: float
    max: float
    per_seed: List[float]


@dataclass
class StrategyCurve:
    strategy: str
    points: List[CurvePoint] = field(default_factory=list)
    labels_to: Dict[str, Optional[int]] = field(default_factory=dict)
    # the first checkpoint after which the mean never falls below the target again
    stays_above: Dict[str, Optional[int]] = field(default_factory=dict)
    # labels_to per seed: the spread of the crossing itself
    labels_to_per_seed: Dict[str, List[Optional[int]]] = field(default_factory=dict)


@dataclass
class SimulationResult:
    config: Dict[str, Any]
    n_train: int
    n_eval: int
    full_score: float
    full_std: float
    full_labels: int
    curves: Dict[str, StrategyCurve]
    baseline_full_score: Optional[float] = None

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready dict (what ``--output`` writes)."""
        return asdict(self)

    def ratio(self, target: float) -> Optional[float]:
        """teach's labels over random's to reach ``target`` of the full score, if both got there."""
        key = f"{target:g}"
        teach = self.curves.get("teach", StrategyCurve("teach")).labels_to.get(key)
        rand = self.curves.get("random", StrategyCurve("random")).labels_to.get(key)
        if teach is None or rand is None or rand == 0:
            return None
        return teach / rand


def _summarise(strategy: str, runs: Sequence[RunCurve]) -> StrategyCurve:
    # runs may stop early (the data ran out); keep checkpoints every seed reached
    n_points = min(len(run.scores) for run in runs)
    curve = StrategyCurve(strategy)
    for i in range(n_points):
        scores = [run.scores[i] for run in runs]
        curve.points.append(CurvePoint(
            labels=runs[0].labels[i],
            mean=statistics.fmean(scores),
            std=statistics.pstdev(scores) if len(scores) > 1 else 0.0,
            min=min(scores),
            max=max(scores),
            per_seed=scores,
        ))
    return curve


def labels_to_reach(curve: StrategyCurve, score: float) -> Optional[int]:
    """The first checkpoint whose mean score reaches ``score`` (None if none does)."""
    for point in curve.points:
        if point.mean >= score:
            return point.labels
    return None


def labels_to_stay(curve: StrategyCurve, score: float) -> Optional[int]:
    """The checkpoint from which the mean score stays at or above ``score`` to the end (None if never)."""
    found: Optional[int] = None
    for point in curve.points:
        if point.mean >= score:
            found = point.labels if found is None else found
        else:
            found = None
    return found


def _seed_crossings(runs: Sequence[RunCurve], score: float) -> List[Optional[int]]:
    crossings: List[Optional[int]] = []
    for run in runs:
        crossings.append(next((n for n, s in zip(run.labels, run.scores) if s >= score), None))
    return crossings


def summarise_runs(strategy: str, runs: Sequence[RunCurve], full_score: float) -> StrategyCurve:
    """The mean curve of a strategy's runs and its answers to each target of ``full_score``."""
    curve = _summarise(strategy, runs)
    curve.labels_to = {f"{t:g}": labels_to_reach(curve, t * full_score) for t in TARGETS}
    curve.stays_above = {f"{t:g}": labels_to_stay(curve, t * full_score) for t in TARGETS}
    curve.labels_to_per_seed = {f"{t:g}": _seed_crossings(runs, t * full_score) for t in TARGETS}
    return curve


def _run_all(
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    strategies: Sequence[str],
    jobs: int,
    progress: Optional[Progress],
    kit: ModelKit,
) -> List[RunCurve]:
    """Every (strategy, seed) replay, in order: here, or in ``jobs`` fresh processes."""
    todo = [(strategy, seed) for strategy in strategies for seed in range(config.seeds)]
    if jobs <= 1 or len(todo) <= 1:
        runs = []
        for strategy, seed in todo:
            if progress:
                progress(f"{strategy}, seed {seed}")
            runs.append(run_strategy(strategy, train, eval_examples, config, seed, kit=kit))
        return runs
    # spawned, not forked: the parent may hold an encoder's threads, which a fork would copy mid-step
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(run_strategy, strategy, train, eval_examples, config, seed) for strategy, seed in todo]
        runs = []
        for (strategy, seed), future in zip(todo, futures):
            runs.append(future.result())
            if progress:
                progress(f"{strategy}, seed {seed} done")
        return runs


def simulate(
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    *,
    strategies: Sequence[str] = STRATEGIES,
    progress: Optional[Progress] = None,
    kit: Optional[ModelKit] = None,
    jobs: int = 1,
) -> SimulationResult:
    """Run the full-data references and each strategy for ``config.seeds`` seeds.

    ``jobs`` > 1 runs the (strategy, seed) replays in that many processes: each is
    independent and single-threaded at heart, so a benchmark of five seeds on five
    corpora takes hours in one. The curves are the same either way.
    """
    kit = kit or ModelKit(config)
    full = []
    # a linear model's full fit is the same for every seed (no initial weights, no order)
    for seed in range(1 if config.architecture in LINEAR_ARCHS else config.seeds):
        if progress:
            progress(f"full data, seed {seed}")
        full.append(run_full_data(train, eval_examples, config, seed, kit=kit))
    full_score = statistics.fmean(score for _, score in full)
    baseline_full: Optional[float] = None
    if "baseline" in strategies:
        if progress:
            progress("full data, baseline")
        baseline_full = run_full_data(train, eval_examples, config, 0, kit=kit, baseline=True)[1]
    curves: Dict[str, StrategyCurve] = {}
    runs = _run_all(train, eval_examples, config, strategies, jobs, progress, kit)
    for strategy in strategies:
        curves[strategy] = summarise_runs(strategy, [run for run in runs if run.strategy == strategy], full_score)
    return SimulationResult(
        config=asdict(config),
        n_train=len(train),
        n_eval=len(eval_examples),
        full_score=full_score,
        full_std=statistics.pstdev([s for _, s in full]) if len(full) > 1 else 0.0,
        full_labels=full[0][0],
        curves=curves,
        baseline_full_score=baseline_full,
    )
