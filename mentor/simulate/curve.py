"""Run every strategy over several seeds and summarise the learning curves.

The question a user asks before starting: will the teach loop save me labels
on *my* data? The answer is the number of answers each strategy needs before
the model reaches 90 % and 95 % of the score it gets from all the data, with
the spread over seeds to tell a real gain from luck.
"""
from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from spacy.vocab import Vocab

from .data import Labelled
from .replay import STRATEGIES, RunCurve, SimulationConfig, run_full_data, run_strategy

__all__ = ["CurvePoint", "StrategyCurve", "SimulationResult", "simulate", "labels_to_reach", "TARGETS"]

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


@dataclass
class SimulationResult:
    config: Dict[str, Any]
    n_train: int
    n_eval: int
    full_score: float
    full_std: float
    full_labels: int
    curves: Dict[str, StrategyCurve]

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


def simulate(
    train: Sequence[Labelled],
    eval_examples: Sequence[Labelled],
    config: SimulationConfig,
    *,
    strategies: Sequence[str] = STRATEGIES,
    progress: Optional[Progress] = None,
) -> SimulationResult:
    """Run the full-data reference and each strategy for ``config.seeds`` seeds."""
    vocab = Vocab()  # shared, so a token's hash and cached docs are the same in every run
    full = []
    for seed in range(config.seeds):
        if progress:
            progress(f"full data, seed {seed}")
        full.append(run_full_data(train, eval_examples, config, seed, vocab=vocab))
    full_score = statistics.fmean(score for _, score in full)
    curves: Dict[str, StrategyCurve] = {}
    for strategy in strategies:
        runs = []
        for seed in range(config.seeds):
            if progress:
                progress(f"{strategy}, seed {seed}")
            runs.append(run_strategy(strategy, train, eval_examples, config, seed, vocab=vocab))
        curve = _summarise(strategy, runs)
        curve.labels_to = {f"{t:g}": labels_to_reach(curve, t * full_score) for t in TARGETS}
        curves[strategy] = curve
    return SimulationResult(
        config=asdict(config),
        n_train=len(train),
        n_eval=len(eval_examples),
        full_score=full_score,
        full_std=statistics.pstdev([s for _, s in full]) if len(full) > 1 else 0.0,
        full_labels=full[0][0],
        curves=curves,
    )
